import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCall } from '../../bench/load/call-script.js';
import { startLocalGateway, type LocalGateway } from '../../bench/load/local-gateway.js';
import { synthesizeUtterances } from '../../bench/load/talk-pattern.js';
import { loadTransport } from '../../bench/load/transports/registry.js';

/**
 * One real call through the whole caller side: a local gateway process (src/main.ts), the
 * werift transport, espeak-ng utterances, one turn with a barge-in and the reply to it.
 */
describe('call script against a local gateway', () => {
  let gw: LocalGateway;
  beforeAll(async () => {
    gw = await startLocalGateway();
  }, 90_000);
  afterAll(async () => {
    await gw?.stop();
  });

  it('measures setup, turn gaps, a barge-in and received-audio continuity', async () => {
    const transport = await loadTransport('webrtc');
    const ac = new AbortController();
    const r = await runCall(0, {
      transport,
      url: gw.url,
      tenant: 'demo',
      origin: gw.url,
      pattern: { languages: ['en'], pauseMs: 200, bargeInEvery: 1, bargeInAtMs: 700, holdMs: 60_000, maxTurns: 1 },
      utterances: synthesizeUtterances(['en']),
      signal: ac.signal,
    });
    expect(r.error).toBeUndefined();
    expect(r.outcome).toBe('ok');
    expect(r.callId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.setupMs).toBeGreaterThan(0);
    // The caller's turn (barged in on) and its barge-in utterance, each a recorded turn.
    expect(r.turns).toHaveLength(2);
    expect(r.turns[0]?.gapMs).toBeGreaterThan(0);
    expect(r.turns[0]?.bargeLanguage).toBe('en');
    // The demo agent stops on a barge-in; on a starved machine it may not (null): either way it was measured.
    const barge = r.turns[0]?.bargeInMs;
    expect(barge === null || (typeof barge === 'number' && barge >= 0)).toBe(true);
    // The barge-in utterance is answered (a gap), or, if the agent never stopped, it was still talking (overlapped).
    const second = r.turns[1];
    expect((second?.gapMs ?? 0) > 0 || second?.overlapped === true).toBe(true);
    if (barge !== null) expect(second?.gapMs).toBeGreaterThan(0);
    // Greeting + reply cut by the barge-in + reply to it: at least three talkspurts of packets.
    expect(r.continuity.talkspurts).toBeGreaterThanOrEqual(3);
    expect(r.continuity.packets).toBeGreaterThan(100);
  }, 90_000);

  it('a call to a tenant the gateway does not know fails with the reason', async () => {
    const transport = await loadTransport('webrtc');
    const r = await runCall(1, {
      transport,
      url: gw.url,
      tenant: 'no-such-tenant',
      origin: gw.url,
      pattern: { languages: ['en'], pauseMs: 0, bargeInEvery: 0, bargeInAtMs: 0, holdMs: 1 },
      utterances: synthesizeUtterances([]),
      signal: new AbortController().signal,
    });
    expect(r.outcome).toBe('failed');
    expect(r.error).toMatch(/token refused: 404/);
  });
});
