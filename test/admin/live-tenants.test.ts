// Issue 7: tenant edits made through the operator API and the dashboard reach live voice calls.
// The real gateway wiring (records + admin + WebRTC gateway + one media worker running the speech
// pipeline on offline providers) with a werift caller; the worker's own tenant directory is empty,
// so every call's tenant comes from the main thread's TenantDirectory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebRtcCaller } from '../../bench/clients/webrtc-caller.js';
import { listDeliveries } from '../../src/delivery/index.js';
import type { ServerMessage } from '../../src/signaling/protocol.js';
import { issueToken, SignalingClient } from '../webrtc/support/gateway-harness.js';
import { DEMO_ORIGIN, startAdminGateway, until, type AdminGateway } from './support/admin-gateway.js';

const NEW_GREETING = 'Mont-Royal Plumbing, this is the updated line. What can we fix for you today?';
const PASSWORD = 'correct horse battery staple';

let gw: AdminGateway;

beforeAll(async () => {
  gw = await startAdminGateway('pipeline');
}, 60_000);

afterAll(async () => {
  await gw?.close();
});

/** Places a call, waits for the agent's greeting on the signaling transcript, hangs up; returns the call id and greeting. */
async function callAndHangUp(): Promise<{ callId: string; greeting: string }> {
  const caller = await WebRtcCaller.place({ gateway: gw.base, tenant: 'demo', origin: DEMO_ORIGIN });
  try {
    const greeting = await caller.waitFor(
      () => caller.messages.find((m): m is Extract<ServerMessage, { type: 'transcript' }> => m.type === 'transcript' && m.role === 'agent'),
      30_000,
      'agent greeting',
    );
    caller.hangup();
    await caller.waitFor(() => caller.closeCode !== undefined, 10_000, 'call end');
    return { callId: caller.callId, greeting: greeting.text };
  } finally {
    await caller.close();
  }
}

describe('tenant edits reach live calls', () => {
  it('a greeting changed through the operator API is the greeting of the next voice call', async () => {
    const before = await gw.operator('GET', '/tenants/demo');
    expect(before.json.config.greeting.en).not.toBe(NEW_GREETING);
    const config = { ...before.json.config, greeting: { ...before.json.config.greeting, en: NEW_GREETING } };
    const put = await gw.operator('PUT', '/tenants/demo', { config });
    expect(put.status).toBe(200);

    const { callId, greeting } = await callAndHangUp();
    // The offline recognizer is English-only: the bilingual tenant greets in English.
    expect(greeting).toBe(NEW_GREETING);
    // The worker's dialog session wrote the greeting into the call record.
    const record = await until('greeting turn in the call record', () => gw.admin.store.getCall(callId)?.turns[0]);
    expect(record.speaker).toBe('agent');
    expect(record.text).toBe(NEW_GREETING);
  }, 90_000);

  it('notification targets changed in the dashboard are the ones a voice call\'s summary queues', async () => {
    gw.admin.admin.setStaffPassword('demo', 'office@montroyal.example', PASSWORD);
    const login = await fetch(`${gw.base}/dashboard/api/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tenantId: 'demo', email: 'office@montroyal.example', password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const current = await (await fetch(`${gw.base}/dashboard/api/settings`, { headers: { cookie } })).json() as Record<string, any>;
    expect(current.notifications.emptyCalls).toBe('webhook');
    // The call below hangs up during the greeting without a word: an empty call, which only webhooks
    // hear of unless the tenant asks for every channel.
    const put = await fetch(`${gw.base}/dashboard/api/settings`, {
      method: 'PUT',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ ...current, notifications: { sms: [], email: ['night-desk@montroyal.example'], webhook: null, emptyCalls: 'all' } }),
    });
    expect(put.status).toBe(200);

    const { callId } = await callAndHangUp();
    // The worker saved the summary with its notifications in one transaction, from the edited targets.
    const queued = await until('queued notifications', () => {
      const rows = listDeliveries(gw.admin.store.database, { callId });
      return rows.length > 0 && rows;
    });
    expect(queued.map((d) => [d.targetKind, d.targetRef])).toEqual([['email', 'night-desk@montroyal.example']]);
  }, 90_000);

  it('a suspended tenant takes no new call; resumed, it does again', async () => {
    const early = await issueToken(gw.base, 'demo', DEMO_ORIGIN);
    expect(early.status).toBe(200);
    const { token } = await early.json() as { token: string };
    // A call in progress when the tenant is suspended goes on to its normal end.
    const live = await WebRtcCaller.place({ gateway: gw.base, tenant: 'demo', origin: DEMO_ORIGIN });
    await live.waitFor(() => live.messages.some((m) => m.type === 'transcript' && m.role === 'agent'), 30_000, 'greeting of the live call');
    expect((await gw.operator('POST', '/tenants/demo/suspend')).json.status).toBe('suspended');
    expect(gw.gateway.pool.activeCallsOf('demo')).toBe(1);
    live.hangup();
    await live.waitFor(() => live.messages.find((m) => m.type === 'state' && m.state === 'ended'), 10_000, 'live call end');
    expect(live.messages.find((m) => m.type === 'state' && m.state === 'ended')).toMatchObject({ reason: 'caller_hangup' });
    await live.close();

    const refused = await issueToken(gw.base, 'demo', DEMO_ORIGIN);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'tenant_suspended' });
    // A token issued before the suspension starts no call either.
    const ws = new SignalingClient(gw.base, token, DEMO_ORIGIN);
    const err = await ws.next('error');
    expect(err.code).toBe('tenant_suspended');
    expect(await ws.closed).toBe(1008);
    expect(ws.messages.some((m) => m.type === 'welcome')).toBe(false);
    expect(gw.gateway.pool.activeCallsOf('demo')).toBe(0);

    expect((await gw.operator('POST', '/tenants/demo/resume')).json.status).toBe('active');
    const { greeting } = await callAndHangUp();
    expect(greeting).toBe(NEW_GREETING);
  }, 90_000);
});
