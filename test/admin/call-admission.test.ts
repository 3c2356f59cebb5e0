// Issue 7: per-tenant limits, suspension and the operator API's widget origins and phone numbers,
// enforced on the real call path: POST /api/v1/tokens and call start on /ws/webrtc, on the gateway
// as src/main.ts wires it (one media worker answering with the demo voice), with real tokens, real
// signaling sockets and a werift caller.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebRtcCaller } from '../../bench/clients/webrtc-caller.js';
import { issueToken, SignalingClient } from '../webrtc/support/gateway-harness.js';
import { DEMO_ORIGIN, startAdminGateway, until, type AdminGateway } from './support/admin-gateway.js';

const LAKE_ORIGIN = 'https://lakeside.example';

let gw: AdminGateway;

beforeAll(async () => {
  gw = await startAdminGateway('demo');
}, 60_000);

afterAll(async () => {
  await gw?.close();
});

async function tokenFor(tenant: string, origin: string): Promise<string> {
  const res = await issueToken(gw.base, tenant, origin);
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

/** Opens the signaling socket and waits for the call's welcome (the call has started). */
async function startCall(token: string, origin: string): Promise<SignalingClient> {
  const c = new SignalingClient(gw.base, token, origin);
  await c.next('welcome');
  return c;
}

describe('per-tenant limits on the call path', () => {
  it('refuses a second concurrent call at token issue (429 + Retry-After) and at call start (tenant_concurrent_limit)', async () => {
    expect((await gw.operator('PUT', '/tenants/demo/limits', { maxConcurrentCalls: 1 })).status).toBe(200);
    const spare = await tokenFor('demo', DEMO_ORIGIN);
    const first = await WebRtcCaller.place({ gateway: gw.base, tenant: 'demo', origin: DEMO_ORIGIN });
    try {
      await first.waitFor(() => first.messages.some((m) => m.type === 'state' && m.state === 'connected'), 15_000, 'first call connected');
      expect(gw.gateway.pool.activeCallsOf('demo')).toBe(1);

      const refused = await issueToken(gw.base, 'demo', DEMO_ORIGIN);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(await refused.json()).toMatchObject({ error: 'tenant_concurrent_limit', retryAfter: 5 });

      // A token issued while the line was free starts no second call.
      const second = new SignalingClient(gw.base, spare, DEMO_ORIGIN);
      const err = await second.next('error');
      expect(err).toMatchObject({ code: 'tenant_concurrent_limit', retryAfter: 5 });
      expect(await second.closed).toBe(1013);
      expect(second.messages.some((m) => m.type === 'welcome')).toBe(false);
      expect(gw.gateway.pool.activeCallsOf('demo')).toBe(1);
      // The first call is untouched.
      expect(first.closeCode).toBeUndefined();
    } finally {
      first.hangup();
      await first.waitFor(() => first.closeCode !== undefined, 10_000, 'first call end');
      await first.close();
    }
    await until('the call to end in the pool', () => gw.gateway.pool.activeCallsOf('demo') === 0);
    // The line is free again.
    const again = await startCall(await tokenFor('demo', DEMO_ORIGIN), DEMO_ORIGIN);
    again.ws.close();
    await again.closed;
    await until('the call to end in the pool', () => gw.gateway.pool.activeCallsOf('demo') === 0);
    expect((await gw.operator('PUT', '/tenants/demo/limits', { maxConcurrentCalls: null })).json.limits.maxConcurrentCalls).toBeNull();
  }, 60_000);

  it('refuses the third call started within a minute at a limit of 2 per minute (429 + Retry-After, tenant_rate_limit)', async () => {
    expect((await gw.operator('PUT', '/tenants/lakeside/widget-origins', { origins: [LAKE_ORIGIN] })).status).toBe(200);
    expect((await gw.operator('PUT', '/tenants/lakeside/limits', { callsPerMinute: 2 })).status).toBe(200);
    // Tokens do not count: only calls that start.
    const tokens = [await tokenFor('lakeside', LAKE_ORIGIN), await tokenFor('lakeside', LAKE_ORIGIN), await tokenFor('lakeside', LAKE_ORIGIN)];
    for (const t of tokens.slice(0, 2)) {
      const c = await startCall(t, LAKE_ORIGIN);
      c.ws.close();
      await c.closed;
    }
    await until('both calls to end', () => gw.gateway.pool.activeCallsOf('lakeside') === 0);

    const refused = await issueToken(gw.base, 'lakeside', LAKE_ORIGIN);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('access-control-allow-origin')).toBe(LAKE_ORIGIN);
    expect(await refused.json()).toMatchObject({ error: 'tenant_rate_limit', retryAfter });

    const third = new SignalingClient(gw.base, tokens[2], LAKE_ORIGIN);
    expect(await third.next('error')).toMatchObject({ code: 'tenant_rate_limit' });
    expect(await third.closed).toBe(1013);

    // Another tenant is not held back by lakeside's limit.
    const demo = await startCall(await tokenFor('demo', DEMO_ORIGIN), DEMO_ORIGIN);
    demo.ws.close();
    await demo.closed;

    // Lifting the limit lets calls start again at once.
    await gw.operator('PUT', '/tenants/lakeside/limits', { callsPerMinute: null });
    const lifted = await startCall(await tokenFor('lakeside', LAKE_ORIGIN), LAKE_ORIGIN);
    lifted.ws.close();
    await lifted.closed;
  }, 60_000);
});

describe('widget origins assigned through the operator API', () => {
  it('are what the token route and the signaling upgrade allow, next to TENANT_ORIGINS', async () => {
    const OTHER = 'https://lakeside-heating.example';
    // Not assigned, not in TENANT_ORIGINS: refused.
    const before = await issueToken(gw.base, 'lakeside', OTHER);
    expect(before.status).toBe(403);
    expect(await before.json()).toMatchObject({ error: 'origin_not_allowed' });

    await gw.operator('PUT', '/tenants/lakeside/widget-origins', { origins: [LAKE_ORIGIN, OTHER] });
    const token = await tokenFor('lakeside', OTHER);
    const c = await startCall(token, OTHER);
    c.ws.close();
    await c.closed;

    // Removed: no new token, and a token issued before cannot start a call any more.
    const pending = await tokenFor('lakeside', OTHER);
    expect((await gw.operator('PUT', '/tenants/lakeside/widget-origins', { origins: [LAKE_ORIGIN] })).json.widgetOrigins).toEqual([LAKE_ORIGIN]);
    expect((await issueToken(gw.base, 'lakeside', OTHER)).status).toBe(403);
    const late = new SignalingClient(gw.base, pending, OTHER);
    await expect(late.opened).rejects.toThrow(/403/);

    // The bootstrap default still applies: the demo tenant's origin comes from TENANT_ORIGINS only.
    expect(gw.admin.directory.entry('demo')?.widgetOrigins).toEqual([]);
    expect((await issueToken(gw.base, 'demo', DEMO_ORIGIN)).status).toBe(200);
    // A tenant neither configured nor in TENANT_ORIGINS is unknown.
    expect((await issueToken(gw.base, 'nobody', DEMO_ORIGIN)).status).toBe(404);
  }, 30_000);
});

describe('phone numbers assigned through the operator API', () => {
  it('belong to one tenant each, are stored in E.164 and looked up by tenantForNumber', async () => {
    const set = await gw.operator('PUT', '/tenants/demo/phone-numbers', { numbers: ['+1 (514) 555-0142'] });
    expect(set.status).toBe(200);
    expect(set.json.phoneNumbers).toEqual(['+15145550142']);

    // The same number in another spelling is still the same number.
    const taken = await gw.operator('PUT', '/tenants/lakeside/phone-numbers', { numbers: ['+15145550142'] });
    expect(taken.status).toBe(409);
    expect(taken.json.error).toMatch(/\+15145550142 is already assigned/);
    expect((await gw.operator('PUT', '/tenants/lakeside/phone-numbers', { numbers: ['+1 514-555-0142'] })).status).toBe(409);
    const invalid = await gw.operator('PUT', '/tenants/lakeside/phone-numbers', { numbers: ['+1555'] });
    expect(invalid.status).toBe(400);
    expect(invalid.json.error).toMatch(/"\+1555" is not a valid phone number/);
    expect(gw.admin.directory.entry('lakeside')?.phoneNumbers).toEqual([]);

    // Creating a tenant with a taken number is refused before anything is created.
    const demo = (await gw.operator('GET', '/tenants/demo')).json.config;
    const clash = await gw.operator('POST', '/tenants', { config: { ...demo, id: 'clash', notifications: { sms: [], email: [] } }, phoneNumbers: ['+15145550142'] });
    expect(clash.status).toBe(409);
    expect((await gw.operator('GET', '/tenants/clash')).status).toBe(404);

    const dir = gw.admin.directory;
    expect(dir.tenantForNumber('+15145550142')).toBe('demo');
    expect(dir.tenantForNumber('+1 514 555 0142')).toBe('demo');
    expect(dir.tenantForNumber('+15145550143')).toBeNull();
    expect(dir.tenantForNumber('not a number')).toBeNull();

    // Moving the number: released by demo, then assigned to lakeside.
    await gw.operator('PUT', '/tenants/demo/phone-numbers', { numbers: [] });
    expect((await gw.operator('PUT', '/tenants/lakeside/phone-numbers', { numbers: ['+15145550142'] })).status).toBe(200);
    expect(dir.tenantForNumber('+15145550142')).toBe('lakeside');
    // A suspended tenant's number routes nowhere.
    await gw.operator('POST', '/tenants/lakeside/suspend');
    expect(dir.tenantForNumber('+15145550142')).toBeNull();
    await gw.operator('POST', '/tenants/lakeside/resume');
    expect(dir.tenantForNumber('+15145550142')).toBe('lakeside');
  });
});
