import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallControl, CallHost, CallInit, CallSignalEvents } from '../../src/signaling/call-host.js';
import { CallTokens } from '../../src/signaling/call-token.js';
import { issueToken, PAGE_ORIGIN, SignalingClient, startGateway, type Gateway } from './support/gateway-harness.js';

/**
 * The signaling layer over a recording call host: these tests are about the
 * protocol and admission, so the host answers with a fixed SDP and keeps what it got.
 */
class RecordingHost implements CallHost {
  readonly started: CallInit[] = [];
  readonly hangups: string[] = [];
  readonly candidates: unknown[] = [];
  events: CallSignalEvents | undefined;
  startCall(init: CallInit, events: CallSignalEvents): CallControl {
    this.started.push(init);
    this.events = events;
    return {
      offer: async (sdp) => `answer-for:${sdp.length}`,
      addCandidate: (c) => this.candidates.push(c),
      hangup: (reason) => this.hangups.push(reason),
    };
  }
}

describe('signaling WebSocket and call tokens', () => {
  let gw: Gateway;
  const host = new RecordingHost();
  beforeAll(async () => {
    gw = await startGateway(host, { flood: { perSecond: 5, burst: 10 } });
  });
  afterAll(() => gw.close());

  const token = async (origin = PAGE_ORIGIN): Promise<string> => {
    const res = await issueToken(gw.base, 'acme', origin);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    return ((await res.json()) as { token: string }).token;
  };

  it('serves health, readiness, metrics, the widget and the demo page', async () => {
    expect((await fetch(`${gw.base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${gw.base}/readyz`)).json()).toEqual({ status: 'ready' });
    const metrics = await (await fetch(`${gw.base}/metrics`)).text();
    expect(metrics).toContain('# TYPE firstring_outbound_pacing_jitter_seconds histogram');
    const widget = await fetch(`${gw.base}/widget.js`);
    expect(widget.headers.get('content-type')).toContain('javascript');
    expect(await (await fetch(`${gw.base}/`)).text()).toContain('data-tenant="demo"');
  });

  it('refuses tokens for unknown tenants, foreign origins and bad bodies', async () => {
    expect((await issueToken(gw.base, 'nobody', PAGE_ORIGIN)).status).toBe(404);
    expect((await issueToken(gw.base, 'acme', 'https://evil.example')).status).toBe(403);
    const bad = await fetch(`${gw.base}/api/v1/tokens`, { method: 'POST', headers: { origin: PAGE_ORIGIN }, body: '{nope' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'bad_json' });
    const big = await fetch(`${gw.base}/api/v1/tokens`, { method: 'POST', headers: { origin: PAGE_ORIGIN }, body: 'x'.repeat(10_000) });
    expect(big.status).toBe(413);
  });

  it('starts no call without a valid token', async () => {
    const before = host.started.length;
    const good = await token();
    const cases: Array<[string | undefined, string]> = [
      [undefined, PAGE_ORIGIN],
      ['v1.garbage.garbage', PAGE_ORIGIN],
      [good, 'https://evil.example'],
      [`${good.slice(0, -2)}AA`, PAGE_ORIGIN],
    ];
    for (const [t, origin] of cases) {
      const c = new SignalingClient(gw.base, t, origin);
      await expect(c.opened).rejects.toThrow(/403/);
    }
    // An expired token: signed by the same key, checked an hour later.
    const late = new CallTokens({ secret: Buffer.from('test-secret-test-secret-0123456789'), ttlSeconds: 60, now: () => Date.now() - 3_600_000 });
    const expired = new SignalingClient(gw.base, late.issue('acme', PAGE_ORIGIN).token, PAGE_ORIGIN);
    await expect(expired.opened).rejects.toThrow(/403/);
    expect(host.started.length).toBe(before);
  });

  it('admits a valid token once, relays offer/answer/candidates and keeps the socket on bad input', async () => {
    const t = await token();
    const c = new SignalingClient(gw.base, t, PAGE_ORIGIN);
    await c.opened;
    const welcome = await c.next('welcome');
    expect(host.started.at(-1)).toMatchObject({ callId: welcome.callId, tenant: 'acme' });

    c.send('{not json');
    expect(await c.next('error')).toMatchObject({ code: 'bad_json' });
    c.send({ v: 1, type: 'dance' });
    expect(await c.next('error')).toMatchObject({ code: 'bad_message' });
    c.send({ v: 2, type: 'offer', sdp: 'v=0 something' });
    expect(await c.next('error')).toMatchObject({ code: 'unsupported_version' });
    c.send({ v: 1, type: 'candidate', candidate: null });
    expect(await c.next('error')).toMatchObject({ code: 'invalid_state' });

    c.send({ v: 1, type: 'offer', sdp: 'v=0 0123456789' });
    expect(await c.next('answer')).toEqual({ v: 1, type: 'answer', sdp: 'answer-for:14' });
    c.send({ v: 1, type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 } });
    host.events?.candidate({ candidate: 'candidate:9 1 udp 1 198.51.100.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 });
    expect((await c.next('candidate')).candidate?.candidate).toContain('198.51.100.1');
    c.send({ v: 1, type: 'ping' });
    await c.next('pong');
    expect(host.candidates).toHaveLength(1);
    expect(c.closeCode).toBeUndefined();

    c.send({ v: 1, type: 'hangup' });
    await expect.poll(() => host.hangups.at(-1)).toBe('caller_hangup');
    host.events?.state('ended', 'caller_hangup');
    expect(await c.closed).toBe(1000);

    const replay = new SignalingClient(gw.base, t, PAGE_ORIGIN);
    await expect(replay.opened).rejects.toThrow(/403/);
  });

  it('closes a flooding connection and ends its call', async () => {
    const c = new SignalingClient(gw.base, await token(), PAGE_ORIGIN);
    await c.opened;
    for (let i = 0; i < 50; i++) c.send({ v: 1, type: 'ping' });
    expect(await c.closed).toBe(1008);
    await expect.poll(() => host.hangups.at(-1)).toBe('signaling_closed');
  });
});
