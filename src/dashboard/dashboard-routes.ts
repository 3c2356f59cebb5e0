// The staff dashboard at /dashboard (docs/dashboard.md): sign-in (password or magic link), today's calls,
// a call page (summary, transcript, deliveries, latency waterfall), and the tenant's editable settings.
import type { TemplatedApp } from 'uWebSockets.js';
import type { Logger } from 'pino';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { HttpError } from '../api/http-json.js';
import type { AdminStore, StaffSession } from '../admin/admin-store.js';
import { cookie, json, route, type Reply, type RequestInfo } from '../admin/http-route.js';
import { domain, parse, redactTenant } from '../admin/operator-api.js';
import type { TenantDirectory } from '../admin/tenant-directory.js';
import type { DeliveryRecord } from '../delivery/index.js';
import type { RecordsStore } from '../records/records-store.js';
import { DASHBOARD_HTML } from './page-html.js';
import { DASHBOARD_SCRIPT } from './page-script.js';

export interface DashboardDeps {
  directory: TenantDirectory;
  admin: AdminStore;
  records: RecordsStore;
  deliveries: (callId: string) => DeliveryRecord[] | Promise<DeliveryRecord[]>;
  /** Puts a dead delivery back in the queue (redeliver on the outbox, then wake the worker). */
  redeliver?: (deliveryId: number) => boolean | Promise<boolean>;
  log: Logger;
  clock?: () => Date;
  /** Set the Secure flag on the session cookie (behind HTTPS). */
  secureCookie?: boolean;
}

const COOKIE = 'fr_session';
const Login = z.object({ tenantId: z.string().min(1).max(63), email: z.email(), password: z.string().min(1).max(200) }).strict();
const Filters = z.object({
  urgency: z.enum(['emergency', 'urgent', 'routine']).optional(),
  outcome: z.enum(['booked', 'request_created', 'escalated', 'transferred', 'message_taken', 'info_provided', 'out_of_area', 'abandoned']).optional(),
  trade: z.enum(['hvac', 'plumbing', 'electrical']).optional(),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
});
const Settings = z.object({
  hours: z.record(z.string(), z.unknown()),
  holidays: z.array(z.string()).optional(),
  postalPrefixes: z.array(z.string()),
  onCall: z.array(z.object({ name: z.string(), phone: z.string() }).strict()),
  notifications: z.object({
    sms: z.array(z.string()),
    email: z.array(z.string()),
    webhook: z.object({ url: z.string(), secret: z.string().optional() }).strict().nullable().optional(),
    emptyCalls: z.string().optional(),
  }).strict(),
}).strict();

export function registerDashboard(app: TemplatedApp, d: DashboardDeps): void {
  const clock = d.clock ?? (() => new Date());
  const setCookie = (token: string, maxAge: number): string =>
    `${COOKIE}=${token}; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${d.secureCookie ? '; Secure' : ''}`;
  const staff = (r: RequestInfo): StaffSession => {
    const token = cookie(r, COOKIE);
    const s = token ? d.admin.session(token) : null;
    if (!s) throw new HttpError(401, 'sign in first');
    if (d.directory.entry(s.tenantId)?.status !== 'active') throw new HttpError(403, 'this account is suspended');
    return s;
  };
  /** Writes need a JSON body: a cross-site form cannot send one (with SameSite=Strict, CSRF defence in depth). */
  const jsonWrite = (r: RequestInfo): void => {
    if (!r.header('content-type').startsWith('application/json')) throw new HttpError(415, 'expected application/json');
  };
  const get = (path: string, h: (r: RequestInfo) => Promise<Reply>): void => route(app, 'get', path, d.log, h);
  const post = (path: string, h: (r: RequestInfo) => Promise<Reply>): void => route(app, 'post', path, d.log, h);
  const html = (body: string): Reply => ({
    status: 200, contentType: 'text/html; charset=utf-8', body,
    headers: { 'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'", 'x-content-type-options': 'nosniff' },
  });

  get('/dashboard', async () => html(DASHBOARD_HTML));
  get('/dashboard/', async () => html(DASHBOARD_HTML));
  get('/dashboard/app.js', async () => ({ status: 200, contentType: 'text/javascript; charset=utf-8', body: DASHBOARD_SCRIPT }));
  get('/dashboard/magic', async (r) => {
    const signed = d.admin.signInWithMagicLink(r.query.get('token') ?? '');
    if (!signed) return html('<!doctype html><title>firstring</title><p>This sign-in link is invalid, used or expired. <a href="/dashboard">Sign in</a></p>');
    return { status: 302, contentType: 'text/plain', body: '', headers: { location: '/dashboard', 'set-cookie': setCookie(signed.token, 12 * 3600) } };
  });
  post('/dashboard/api/login', async (r) => {
    jsonWrite(r);
    const b = parse(Login, await r.body());
    const token = d.admin.signInWithPassword(b.tenantId, b.email, b.password);
    if (!token) throw new HttpError(401, 'wrong tenant, email or password');
    return json(200, { tenantId: b.tenantId, email: b.email.toLowerCase() }, { 'set-cookie': setCookie(token, 12 * 3600) });
  });
  post('/dashboard/api/logout', async (r) => {
    await r.body();
    const token = cookie(r, COOKIE);
    if (token) d.admin.endSession(token);
    return json(200, { ok: true }, { 'set-cookie': setCookie('', 0) });
  });
  get('/dashboard/api/me', async (r) => {
    const s = staff(r);
    const t = d.directory.entry(s.tenantId)!.tenant;
    return json(200, { tenantId: s.tenantId, email: s.email, tenantName: t.name, timeZone: t.timeZone });
  });
  get('/dashboard/api/calls', async (r) => {
    const s = staff(r);
    const f = parse(Filters, Object.fromEntries(r.query));
    const zone = d.directory.entry(s.tenantId)!.tenant.timeZone;
    const day = f.day ? DateTime.fromISO(f.day, { zone }) : DateTime.fromJSDate(clock(), { zone });
    if (!day.isValid) throw new HttpError(400, 'day: not a date');
    const from = day.startOf('day');
    const calls = await d.records.listCalls({
      tenantId: s.tenantId, from: from.toISO()!, to: from.plus({ days: 1 }).toISO()!,
      ...(f.urgency ? { urgency: f.urgency } : {}), ...(f.outcome ? { outcome: f.outcome } : {}), ...(f.trade ? { trade: f.trade } : {}),
    });
    return json(200, { day: from.toISODate(), calls });
  });
  get('/dashboard/api/calls/:id', async (r) => {
    const s = staff(r);
    const call = await d.records.getCall(r.params[0]!);
    if (!call || call.tenantId !== s.tenantId) throw new HttpError(404, 'no such call');
    return json(200, { call, deliveries: (await d.deliveries(call.id)).filter((x) => x.tenantId === s.tenantId) });
  });
  post('/dashboard/api/deliveries/:id/redeliver', async (r) => {
    jsonWrite(r);
    await r.body();
    const s = staff(r);
    const id = Number(r.params[0]);
    const callId = r.query.get('call') ?? '';
    const row = (await d.deliveries(callId)).find((x) => x.id === id && x.tenantId === s.tenantId);
    if (!row || !d.redeliver) throw new HttpError(404, 'no such delivery');
    return json(200, { requeued: await d.redeliver(id) });
  });
  get('/dashboard/api/settings', async (r) => {
    const s = staff(r);
    const t = redactTenant(d.directory.entry(s.tenantId)!.tenant);
    return json(200, {
      hours: t.hours, holidays: t.holidays, postalPrefixes: t.serviceArea.postalPrefixes, onCall: t.routing.onCall,
      notifications: { sms: t.notifications.sms, email: t.notifications.email, webhook: t.notifications.webhook ? { url: t.notifications.webhook.url } : null, emptyCalls: t.notifications.emptyCalls },
    });
  });
  route(app, 'put', '/dashboard/api/settings', d.log, async (r) => {
    jsonWrite(r);
    const s = staff(r);
    const b = parse(Settings, await r.body());
    const cur = d.directory.entry(s.tenantId)!.tenant;
    const hook = b.notifications.webhook;
    // An empty secret keeps the stored one (the page never sees it).
    const webhook = hook ? { url: hook.url, secret: hook.secret ? hook.secret : (cur.notifications.webhook?.secret ?? '') } : undefined;
    const e = domain(() => d.directory.updateSettings(s.tenantId, {
      hours: b.hours,
      ...(b.holidays ? { holidays: b.holidays } : {}),
      serviceArea: { ...cur.serviceArea, postalPrefixes: b.postalPrefixes },
      onCall: b.onCall,
      // A page that does not send the empty-call policy keeps the tenant's.
      notifications: { sms: b.notifications.sms, email: b.notifications.email, ...(webhook ? { webhook } : {}), emptyCalls: b.notifications.emptyCalls ?? cur.notifications.emptyCalls },
    }));
    d.log.info({ tenantId: s.tenantId, by: s.email }, 'tenant settings changed from the dashboard');
    return json(200, { ok: true, hours: e.tenant.hours });
  });
}
