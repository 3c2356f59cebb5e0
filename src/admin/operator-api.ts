// The operator API (docs/operator-api.md): carriers and resellers manage tenants with operator keys;
// each tenant reads its own calls, deliveries, usage and settings with a tenant key, never another's.
import type { TemplatedApp } from 'uWebSockets.js';
import type { Logger } from 'pino';
import { z } from 'zod';
import { HttpError } from '../api/http-json.js';
import { TenantConfigError } from '../agent/tenant/loader.js';
import type { Tenant } from '../agent/tenant/schema.js';
import type { DeliveryRecord } from '../delivery/index.js';
import type { RecordsStore } from '../records/records-store.js';
import type { CallFilter } from '../records/types.js';
import { NumberTakenError, type AdminStore, type ApiPrincipal } from './admin-store.js';
import { principalResolver } from './api-principal.js';
import { json, route, type Reply, type RequestInfo } from './http-route.js';
import { canonicalNumber } from './phone-number.js';
import { InvalidNumberError, TenantExistsError, UnknownTenantError, type TenantDirectory, type TenantEntry } from './tenant-directory.js';
import { DEFAULT_RATES, usageCsv, usageReport, type ProviderRates } from './usage.js';

export interface OperatorApiDeps {
  directory: TenantDirectory;
  admin: AdminStore;
  records: RecordsStore;
  /** The delivery rows of one call (listDeliveries on the outbox). */
  deliveries: (callId: string) => DeliveryRecord[] | Promise<DeliveryRecord[]>;
  /** Bootstrap operator keys (FIRSTRING_OPERATOR_KEYS); more can be stored with AdminStore.createApiKey('operator'). */
  operatorKeys?: string[];
  rates?: ProviderRates;
  log: Logger;
}

const isoTime = z.iso.datetime({ offset: true });
/** Read with libphonenumber-js by the directory (canonical E.164 stored; an invalid number is a 400 naming it). */
const phoneNumber = z.string().min(1).max(40);
const origin = z.string().refine((s) => { try { const u = new URL(s); return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === s; } catch { return false; } }, 'expected an origin like https://example.com');
const Limits = z.object({
  maxConcurrentCalls: z.number().int().min(0).max(100_000).nullable().optional(),
  callsPerMinute: z.number().int().min(0).max(1_000_000).nullable().optional(),
  retentionDays: z.number().int().min(0).max(3650).nullable().optional(),
}).strict();
const CreateTenant = z.object({
  config: z.unknown(),
  limits: Limits.optional(),
  phoneNumbers: z.array(phoneNumber).max(1000).optional(),
  widgetOrigins: z.array(origin).max(100).optional(),
}).strict();
const Staff = z.object({ email: z.email(), password: z.string().min(10).max(200).optional() }).strict();
const Period = z.object({ from: isoTime.optional(), to: isoTime.optional(), format: z.enum(['json', 'csv']).default('json') });
const CallQuery = z.object({
  from: isoTime.optional(), to: isoTime.optional(), urgency: z.string().max(40).optional(), outcome: z.string().max(40).optional(),
  trade: z.string().max(40).optional(), limit: z.coerce.number().int().min(1).max(1000).optional(),
});

export function parse<T>(schema: z.ZodType<T>, raw: unknown): T {
  const r = schema.safeParse(raw);
  if (!r.success) throw new HttpError(400, r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return r.data;
}

/** Maps domain errors to HTTP errors. */
export function domain<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof TenantConfigError) throw new HttpError(400, err.problems.join('; '));
    if (err instanceof UnknownTenantError) throw new HttpError(404, err.message);
    if (err instanceof InvalidNumberError) throw new HttpError(400, err.message);
    if (err instanceof TenantExistsError || err instanceof NumberTakenError) throw new HttpError(409, err.message);
    throw err;
  }
}

/** The tenant config without secrets (the webhook signing secret is write-only). */
export function redactTenant(t: Tenant): Tenant {
  const w = t.notifications.webhook;
  return w ? { ...t, notifications: { ...t.notifications, webhook: { ...w, secret: '(set)' } } } : t;
}

function view(e: TenantEntry): Record<string, unknown> {
  return {
    id: e.tenant.id, name: e.tenant.name, status: e.status, source: e.source, retentionDays: e.retentionDays, limits: e.limits,
    phoneNumbers: e.phoneNumbers, widgetOrigins: e.widgetOrigins, config: redactTenant(e.tenant),
  };
}

export interface RouteInfo {
  method: 'get' | 'post' | 'put';
  path: string;
  scope: 'operator' | 'tenant';
}

function period(q: URLSearchParams, now = new Date()): { from: string; to: string; format: 'json' | 'csv' } {
  const p = parse(Period, Object.fromEntries(q));
  const from = p.from ?? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
  const to = p.to ?? new Date(now.getTime() + 1000).toISOString();
  if (Date.parse(from) >= Date.parse(to)) throw new HttpError(400, 'from must be before to');
  return { from, to, format: p.format };
}

/** Registers every route; returns their list (the isolation test walks it). */
export function registerOperatorApi(app: TemplatedApp, d: OperatorApiDeps): RouteInfo[] {
  const routes: RouteInfo[] = [];
  const rates = d.rates ?? DEFAULT_RATES;
  const resolve = principalResolver(d.admin, d.operatorKeys ?? []);

  const principal = (r: RequestInfo): ApiPrincipal => {
    const authorization = r.header('authorization');
    if (!/^Bearer\s+\S+$/i.test(authorization)) throw new HttpError(401, 'missing API key (Authorization: Bearer <key>)');
    const p = resolve(authorization);
    if (!p) throw new HttpError(401, 'invalid API key');
    return p;
  };
  const operator = (h: (r: RequestInfo) => Promise<Reply>) => async (r: RequestInfo): Promise<Reply> => {
    if (principal(r).kind !== 'operator') throw new HttpError(403, 'this route needs an operator key');
    return h(r);
  };
  const tenant = (h: (r: RequestInfo, tenantId: string) => Promise<Reply>) => async (r: RequestInfo): Promise<Reply> => {
    const p = principal(r);
    if (p.kind !== 'tenant') throw new HttpError(403, 'this route needs a tenant key');
    if (d.directory.entry(p.tenantId)?.status !== 'active') throw new HttpError(403, 'tenant suspended');
    return h(r, p.tenantId);
  };
  const op = (method: 'get' | 'post' | 'put', path: string, h: (r: RequestInfo) => Promise<Reply>): void => {
    routes.push({ method, path: `/api/v1/operator${path}`, scope: 'operator' });
    route(app, method, `/api/v1/operator${path}`, d.log, operator(h), 512 * 1024);
  };
  const tn = (path: string, h: (r: RequestInfo, tenantId: string) => Promise<Reply>): void => {
    routes.push({ method: 'get', path: `/api/v1/tenant${path}`, scope: 'tenant' });
    route(app, 'get', `/api/v1/tenant${path}`, d.log, tenant(h));
  };
  const entry = (id: string): TenantEntry => {
    const e = d.directory.entry(id);
    if (!e) throw new HttpError(404, `unknown tenant "${id}"`);
    return e;
  };

  // ---- operator routes
  op('get', '/tenants', async () => json(200, { tenants: d.directory.entries().map(view) }));
  op('post', '/tenants', async (r) => {
    const b = parse(CreateTenant, await r.body());
    const e = domain(() => {
      // Numbers are checked before the tenant exists, so a refused number leaves nothing half-created.
      for (const n of b.phoneNumbers ?? []) {
        const e164 = canonicalNumber(n);
        if (!e164) throw new InvalidNumberError(n);
        if (d.admin.tenantForNumber(e164) !== null) throw new NumberTakenError(e164);
      }
      const created = d.directory.create(b.config);
      const id = created.tenant.id;
      if (b.limits) d.directory.setLimits(id, b.limits, b.limits.retentionDays);
      if (b.phoneNumbers) d.directory.setPhoneNumbers(id, b.phoneNumbers);
      return b.widgetOrigins ? d.directory.setWidgetOrigins(id, b.widgetOrigins) : d.directory.entry(id)!;
    });
    return json(201, view(e));
  });
  op('get', '/tenants/:id', async (r) => json(200, view(entry(r.params[0]!))));
  op('put', '/tenants/:id', async (r) => {
    const b = parse(z.object({ config: z.unknown() }).strict(), await r.body());
    return json(200, view(domain(() => d.directory.replaceConfig(r.params[0]!, b.config))));
  });
  op('post', '/tenants/:id/suspend', async (r) => {
    await r.body();
    return json(200, view(domain(() => d.directory.setStatus(r.params[0]!, 'suspended'))));
  });
  op('post', '/tenants/:id/resume', async (r) => {
    await r.body();
    return json(200, view(domain(() => d.directory.setStatus(r.params[0]!, 'active'))));
  });
  op('put', '/tenants/:id/limits', async (r) => {
    const b = parse(Limits, await r.body());
    return json(200, view(domain(() => d.directory.setLimits(r.params[0]!, b, b.retentionDays))));
  });
  op('put', '/tenants/:id/phone-numbers', async (r) => {
    const b = parse(z.object({ numbers: z.array(phoneNumber).max(1000) }).strict(), await r.body());
    return json(200, view(domain(() => d.directory.setPhoneNumbers(r.params[0]!, b.numbers))));
  });
  op('put', '/tenants/:id/widget-origins', async (r) => {
    const b = parse(z.object({ origins: z.array(origin).max(100) }).strict(), await r.body());
    return json(200, view(domain(() => d.directory.setWidgetOrigins(r.params[0]!, b.origins))));
  });
  op('post', '/tenants/:id/api-keys', async (r) => {
    const b = parse(z.object({ label: z.string().max(100).default('') }).strict(), await r.body());
    const id = entry(r.params[0]!).tenant.id;
    const k = d.admin.createApiKey('tenant', id, b.label);
    return json(201, { id: k.id, key: k.key, tenantId: id });
  });
  op('post', '/api-keys/:id/revoke', async (r) => {
    await r.body();
    if (!d.admin.revokeApiKey(r.params[0]!)) throw new HttpError(404, 'no such active key');
    return json(200, { revoked: r.params[0] });
  });
  op('post', '/tenants/:id/staff', async (r) => {
    const b = parse(Staff, await r.body());
    const id = entry(r.params[0]!).tenant.id;
    if (b.password) {
      d.admin.setStaffPassword(id, b.email, b.password);
      return json(201, { tenantId: id, email: b.email.toLowerCase() });
    }
    const token = d.admin.createMagicLink(id, b.email);
    return json(201, { tenantId: id, email: b.email.toLowerCase(), magicLink: `/dashboard/magic?token=${token}` });
  });
  op('get', '/usage', async (r) => {
    const p = period(r.query);
    const tenantId = r.query.get('tenant') ?? undefined;
    const rows = usageReport(await d.records.usage({ from: p.from, to: p.to, ...(tenantId ? { tenantId } : {}) }), rates);
    return p.format === 'csv'
      ? { status: 200, contentType: 'text/csv; charset=utf-8', body: usageCsv(rows, p), headers: { 'content-disposition': 'attachment; filename="usage.csv"' } }
      : json(200, { from: p.from, to: p.to, rates, tenants: rows });
  });

  // ---- tenant-key routes: every query is scoped by the key's tenant
  tn('/calls', async (r, tenantId) => {
    const q = parse(CallQuery, Object.fromEntries(r.query));
    const f: CallFilter = { tenantId, ...Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) };
    return json(200, { calls: await d.records.listCalls(f) });
  });
  const ownCall = async (callId: string, tenantId: string) => {
    const c = await d.records.getCall(callId);
    if (!c || c.tenantId !== tenantId) throw new HttpError(404, `no call "${callId}"`);
    return c;
  };
  tn('/calls/:id', async (r, tenantId) => json(200, await ownCall(r.params[0]!, tenantId)));
  tn('/calls/:id/deliveries', async (r, tenantId) => {
    const c = await ownCall(r.params[0]!, tenantId);
    return json(200, { deliveries: (await d.deliveries(c.id)).filter((x) => x.tenantId === tenantId) });
  });
  tn('/usage', async (r, tenantId) => {
    const p = period(r.query);
    const rows = usageReport(await d.records.usage({ from: p.from, to: p.to, tenantId }), rates);
    return p.format === 'csv'
      ? { status: 200, contentType: 'text/csv; charset=utf-8', body: usageCsv(rows, p) }
      : json(200, { from: p.from, to: p.to, tenants: rows });
  });
  tn('/settings', async (_r, tenantId) => {
    const e = entry(tenantId);
    return json(200, { id: e.tenant.id, name: e.tenant.name, limits: e.limits, retentionDays: e.retentionDays, phoneNumbers: e.phoneNumbers, widgetOrigins: e.widgetOrigins, config: redactTenant(e.tenant) });
  });
  return routes;
}
