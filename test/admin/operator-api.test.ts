// The operator API on a real uWebSockets.js app and real SQLite: tenant lifecycle, numbers, origins,
// limits, usage (JSON and CSV), and for every tenant-key route proof that one tenant never reads another's data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import uWS from 'uWebSockets.js';
import { pino } from 'pino';
import { DateTime } from 'luxon';
import { loadTenants } from '../../src/agent/tenant/loader.js';
import { openStore, type CallStore } from '../../src/records/store.js';
import { asyncStore } from '../../src/records/records-store.js';
import { registerConversationApi } from '../../src/api/conversation-api.js';
import { listen, type HttpServer } from '../../src/transport/http-server.js';
import { AdminStore } from '../../src/admin/admin-store.js';
import { TenantDirectory } from '../../src/admin/tenant-directory.js';
import { registerOperatorApi, type RouteInfo } from '../../src/admin/operator-api.js';
import { CONCURRENT_RETRY_S, TenantLimiter } from '../../src/admin/limits.js';
import { listDeliveries } from '../../src/delivery/index.js';

const log = pino({ level: 'silent' });
const OPERATOR_KEY = 'op-bootstrap-key-0123456789abcdef';
const at = DateTime.fromISO('2026-12-01T10:00', { zone: 'America/Toronto' }).toJSDate();
let server: HttpServer;
let store: CallStore;
let directory: TenantDirectory;
let routes: RouteInfo[];
let base: string;

async function call(method: string, path: string, key?: string, body?: unknown): Promise<{ status: number; json: any; text: string; type: string }> {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : method === 'GET' ? {} : { body: '' }),
  });
  const text = await r.text();
  let json: unknown = null;
  try { json = JSON.parse(text); } catch { /* CSV */ }
  return { status: r.status, json, text, type: r.headers.get('content-type') ?? '' };
}

async function placeCall(tenant: string, lines: string[]): Promise<string> {
  const start = await call('POST', `/api/v1/tenants/${tenant}/conversations`, undefined, { language: 'en', callerNumber: '+15145550123' });
  expect(start.status).toBe(201);
  const id = start.json.conversationId as string;
  for (const text of lines) expect((await call('POST', `/api/v1/conversations/${id}/turns`, undefined, { text })).status).toBe(200);
  expect((await call('POST', `/api/v1/conversations/${id}/end`)).status).toBe(200);
  return id;
}

beforeAll(async () => {
  const files = loadTenants('config/tenants').list();
  let dir: TenantDirectory | undefined;
  store = openStore(':memory:', { delivery: { notifications: (id) => dir?.get(id)?.notifications } });
  const admin = new AdminStore(store.database);
  directory = dir = new TenantDirectory(admin, files);
  const app = uWS.App();
  registerConversationApi(app, { tenants: directory, store, log, clock: () => at });
  routes = registerOperatorApi(app, {
    directory, admin, records: asyncStore(store), deliveries: (callId) => listDeliveries(store.database, { callId }), operatorKeys: [OPERATOR_KEY], log,
  });
  server = await listen(app, '127.0.0.1', 0, log);
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(() => {
  server.close();
  store.close();
});

describe('operator API', () => {
  it('refuses requests without a valid key', async () => {
    expect((await call('GET', '/api/v1/operator/tenants')).status).toBe(401);
    expect((await call('GET', '/api/v1/operator/tenants', 'frk_0123456789ab.notarealsecretnotarealsecret')).status).toBe(401);
    expect((await call('GET', '/api/v1/tenant/calls', 'garbage')).status).toBe(401);
  });

  it('creates, updates, suspends and resumes a tenant; the config is validated as the file is', async () => {
    const demo = (await call('GET', '/api/v1/operator/tenants/demo', OPERATOR_KEY)).json.config;
    const bad = await call('POST', '/api/v1/operator/tenants', OPERATOR_KEY, { config: { ...demo, id: 'acme', timeZone: 'Mars/Olympus' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/timeZone: expected an IANA time zone/);
    const created = await call('POST', '/api/v1/operator/tenants', OPERATOR_KEY, {
      config: { ...demo, id: 'acme', name: 'Acme Heating', notifications: { sms: [], email: [] } },
      limits: { maxConcurrentCalls: 2, callsPerMinute: 10, retentionDays: 30 },
      phoneNumbers: ['+15145550001'], widgetOrigins: ['https://acme.example'],
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: 'acme', status: 'active', retentionDays: 30, limits: { maxConcurrentCalls: 2, callsPerMinute: 10 }, phoneNumbers: ['+15145550001'], widgetOrigins: ['https://acme.example'] });
    expect((await call('POST', '/api/v1/operator/tenants', OPERATOR_KEY, { config: { ...demo, id: 'acme', notifications: { sms: [], email: [] } } })).status).toBe(409);

    // The new tenant answers through the text API at once.
    const conv = await call('POST', '/api/v1/tenants/acme/conversations', undefined, { language: 'en' });
    expect(conv.status).toBe(201);

    const renamed = await call('PUT', '/api/v1/operator/tenants/acme', OPERATOR_KEY, { config: { ...created.json.config, name: 'Acme Heating & Cooling', notifications: { sms: [], email: [] } } });
    expect(renamed.json.name).toBe('Acme Heating & Cooling');
    expect((await call('PUT', '/api/v1/operator/tenants/acme', OPERATOR_KEY, { config: { ...created.json.config, id: 'other', notifications: { sms: [], email: [] } } })).status).toBe(400);

    // A number can belong to one tenant only.
    expect((await call('PUT', '/api/v1/operator/tenants/demo/phone-numbers', OPERATOR_KEY, { numbers: ['+15145550001'] })).status).toBe(409);
    expect((await call('PUT', '/api/v1/operator/tenants/demo/phone-numbers', OPERATOR_KEY, { numbers: ['555'] })).status).toBe(400);
    expect((await call('PUT', '/api/v1/operator/tenants/acme/widget-origins', OPERATOR_KEY, { origins: ['https://acme.example/path'] })).status).toBe(400);
    expect((await call('PUT', '/api/v1/operator/tenants/acme/limits', OPERATOR_KEY, { callsPerMinute: 1 })).json.limits).toEqual({ maxConcurrentCalls: 2, callsPerMinute: 1 });

    const key = (await call('POST', '/api/v1/operator/tenants/acme/api-keys', OPERATOR_KEY, { label: 'billing' })).json.key as string;
    expect((await call('GET', '/api/v1/tenant/settings', key)).json.id).toBe('acme');

    const spare = (await call('POST', '/api/v1/operator/tenants/acme/api-keys', OPERATOR_KEY, {})).json as { id: string; key: string };
    expect((await call('GET', '/api/v1/tenant/settings', spare.key)).status).toBe(200);
    expect((await call('POST', `/api/v1/operator/api-keys/${spare.id}/revoke`, OPERATOR_KEY)).status).toBe(200);
    expect((await call('GET', '/api/v1/tenant/settings', spare.key)).status).toBe(401);
    expect((await call('POST', `/api/v1/operator/api-keys/${spare.id}/revoke`, OPERATOR_KEY)).status).toBe(404);

    const suspended = await call('POST', '/api/v1/operator/tenants/acme/suspend', OPERATOR_KEY);
    expect(suspended.json.status).toBe('suspended');
    expect((await call('POST', '/api/v1/tenants/acme/conversations', undefined, { language: 'en' })).status).toBe(404);
    expect((await call('GET', '/api/v1/tenant/calls', key)).status).toBe(403);
    expect((await call('POST', '/api/v1/operator/tenants/acme/resume', OPERATOR_KEY)).json.status).toBe('active');
    expect((await call('POST', '/api/v1/tenants/acme/conversations', undefined, { language: 'en' })).status).toBe(201);
    expect((await call('POST', '/api/v1/operator/tenants/nope/suspend', OPERATOR_KEY)).status).toBe(404);
  });

  it('applies per-tenant limits on concurrent calls and calls per minute', () => {
    const active = new Map<string, number>([['acme', 0]]);
    const limiter = new TenantLimiter((id) => directory.entry(id)?.limits, (id) => active.get(id) ?? 0);
    directory.setLimits('acme', { maxConcurrentCalls: 2, callsPerMinute: 3 });
    for (const t of [0, 1]) {
      expect(limiter.check('acme', t)).toBeNull();
      limiter.started('acme', t);
      active.set('acme', active.get('acme')! + 1);
    }
    expect(limiter.check('acme', 2)).toEqual({ reason: 'tenant_concurrent_limit', retryAfterS: CONCURRENT_RETRY_S });
    active.set('acme', 1);
    expect(limiter.check('acme', 3)).toBeNull();
    limiter.started('acme', 3);
    active.set('acme', 0);
    // Three calls started in the last minute: the oldest (t=0) leaves the window at 60 s.
    expect(limiter.check('acme', 4)).toEqual({ reason: 'tenant_rate_limit', retryAfterS: 60 });
    expect(limiter.check('acme', 30_000)).toEqual({ reason: 'tenant_rate_limit', retryAfterS: 30 });
    expect(limiter.check('acme', 60_002)).toBeNull();
    expect(limiter.check('demo', 5)).toBeNull();
    directory.setLimits('acme', { maxConcurrentCalls: null, callsPerMinute: null });
  });

  it('never lets a tenant key read another tenant\'s data, on every tenant route, and keeps tenants off operator routes', async () => {
    const demoCall = await placeCall('demo', ['My water heater is leaking']);
    const lakeCall = await placeCall('lakeside', ['I need a furnace tune-up']);
    const keys = {
      demo: (await call('POST', '/api/v1/operator/tenants/demo/api-keys', OPERATOR_KEY, {})).json.key as string,
      lakeside: (await call('POST', '/api/v1/operator/tenants/lakeside/api-keys', OPERATOR_KEY, {})).json.key as string,
    };
    const own = { demo: demoCall, lakeside: lakeCall };
    const probed = new Set<string>();
    for (const [me, other] of [['demo', 'lakeside'], ['lakeside', 'demo']] as const) {
      const key = keys[me];
      const list = await call('GET', '/api/v1/tenant/calls', key);
      probed.add('/api/v1/tenant/calls');
      expect(list.status).toBe(200);
      expect(list.json.calls.map((c: { id: string }) => c.id)).toContain(own[me]);
      expect(list.json.calls.every((c: { tenantId: string }) => c.tenantId === me)).toBe(true);
      const filtered = await call('GET', `/api/v1/tenant/calls?outcome=request_created&limit=5`, key);
      expect(filtered.json.calls.every((c: { tenantId: string }) => c.tenantId === me)).toBe(true);

      probed.add('/api/v1/tenant/calls/:id');
      expect((await call('GET', `/api/v1/tenant/calls/${own[me]}`, key)).json.tenantId).toBe(me);
      const theirs = await call('GET', `/api/v1/tenant/calls/${own[other]}`, key);
      expect(theirs.status).toBe(404);
      expect(theirs.text).not.toContain(other);

      probed.add('/api/v1/tenant/calls/:id/deliveries');
      const mine = await call('GET', `/api/v1/tenant/calls/${own[me]}/deliveries`, key);
      expect(mine.status).toBe(200);
      expect(mine.json.deliveries.every((x: { tenantId: string }) => x.tenantId === me)).toBe(true);
      expect((await call('GET', `/api/v1/tenant/calls/${own[other]}/deliveries`, key)).status).toBe(404);

      probed.add('/api/v1/tenant/usage');
      const usage = await call('GET', '/api/v1/tenant/usage?from=2026-11-01T00:00:00Z&to=2027-01-01T00:00:00Z', key);
      expect(usage.json.tenants.map((u: { tenantId: string }) => u.tenantId)).toEqual([me]);
      const csv = await call('GET', '/api/v1/tenant/usage?from=2026-11-01T00:00:00Z&to=2027-01-01T00:00:00Z&format=csv', key);
      expect(csv.type).toMatch(/text\/csv/);
      expect(csv.text.trim().split('\r\n').slice(1).map((l) => l.split(',')[0])).toEqual([me]);

      probed.add('/api/v1/tenant/settings');
      const settings = await call('GET', '/api/v1/tenant/settings', key);
      expect(settings.json.id).toBe(me);
      expect(settings.text).not.toContain(`"id":"${other}"`);
    }
    const tenantRoutes = routes.filter((r) => r.scope === 'tenant').map((r) => r.path);
    expect([...probed].sort()).toEqual([...tenantRoutes].sort());

    // Every operator route refuses a tenant key, and nothing changed.
    for (const r of routes.filter((x) => x.scope === 'operator')) {
      const path = r.path.replace(':id', r.path.includes('/api-keys/') ? 'ffffffffffff' : 'lakeside');
      const res = await call(r.method === 'get' ? 'GET' : r.method.toUpperCase(), path, keys.demo, r.method === 'get' ? undefined : {});
      expect(res.status, `${r.method} ${path}`).toBe(403);
    }
    expect(directory.entry('lakeside')?.status).toBe('active');
  });

  it('exports usage per tenant as JSON and CSV with a provider spend estimate', async () => {
    const q = 'from=2026-11-01T00:00:00Z&to=2027-01-01T00:00:00Z';
    const j = await call('GET', `/api/v1/operator/usage?${q}`, OPERATOR_KEY);
    expect(j.status).toBe(200);
    const demo = j.json.tenants.find((t: { tenantId: string }) => t.tenantId === 'demo');
    expect(demo.calls).toBeGreaterThanOrEqual(1);
    expect(demo.agentTurns).toBeGreaterThanOrEqual(2);
    const r = j.json.rates;
    expect(demo.estimatedSpendUsd).toBeCloseTo(demo.minutes * (r.sttPerMinute + r.ttsPerMinute) + demo.agentTurns * r.llmPerAgentTurn, 4);
    const csv = await call('GET', `/api/v1/operator/usage?${q}&format=csv`, OPERATOR_KEY);
    const [head, ...lines] = csv.text.trim().split('\r\n');
    expect(head).toBe('tenant_id,period_from,period_to,calls,minutes,agent_turns,caller_turns,estimated_spend_usd');
    expect(lines.map((l) => l.split(',')[0]).sort()).toEqual(j.json.tenants.map((t: { tenantId: string }) => t.tenantId).sort());
    expect(lines.find((l) => l.startsWith('demo,'))?.split(',')[3]).toBe(String(demo.calls));
    expect((await call('GET', '/api/v1/operator/usage?from=2027-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', OPERATOR_KEY)).status).toBe(400);
    expect((await call('GET', '/api/v1/operator/usage?from=yesterday', OPERATOR_KEY)).status).toBe(400);
  });
});
