import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebRtcCaller } from '../../bench/clients/webrtc-caller.js';
import { speak } from '../support/espeak.js';
import { GREETING, REPLY, startMediaGateway, type MediaGateway } from './support/media-gateway.js';

const ORIGIN = 'https://acme-plumbing.example';

describe('WebRTC call through the media worker pool (werift caller)', () => {
  let gw: MediaGateway;
  beforeAll(async () => {
    gw = await startMediaGateway({ youngGenerationMb: { media: 16, handler: 32 } });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('greets, hears the caller, replies after end of turn and records both turns', async () => {
    expect(gw.gateway.pool.size).toBe(2);
    const caller = await WebRtcCaller.place({ gateway: gw.base, tenant: 'demo', origin: ORIGIN });
    try {
      await caller.waitFor(() => caller.messages.some((m) => m.type === 'state' && m.state === 'connected'), 15_000, 'connected');
      // Greeting audio reaches the caller.
      await caller.waitFor(() => caller.loudFramesSince(0).length > 25, 15_000, 'greeting audio');
      await caller.waitFor(() => caller.messages.some((m) => m.type === 'transcript' && m.role === 'agent' && m.text === GREETING), 5000, 'greeting transcript');
      // Wait for the greeting to finish, then speak.
      await caller.waitFor(() => {
        const last = caller.received.at(-1);
        return last && performance.timeOrigin + performance.now() - last.at > 400;
      }, 15_000, 'greeting end');
      caller.say(speak('My furnace stopped working this morning.', 'en-us'));
      await caller.waitFor(() => caller.messages.some((m) => m.type === 'transcript' && m.role === 'caller'), 15_000, 'caller turn detected');
      const spokeAt = caller.lastSpeechSent;
      await caller.waitFor(() => caller.loudFramesSince(spokeAt).length > 25, 15_000, 'reply audio');
      expect(caller.messages.some((m) => m.type === 'transcript' && m.role === 'agent' && m.text === REPLY)).toBe(true);
      // Let the reply play out so its turn is recorded.
      await caller.waitFor(() => (gw.store.getCall(caller.callId)?.turns.length ?? 0) >= 3, 15_000, 'three turns');
      const record = gw.store.getCall(caller.callId);
      expect(record?.channel).toBe('webrtc');
      const turns = record?.turns ?? [];
      expect(turns.map((t) => t.speaker)).toEqual(['agent', 'caller', 'agent']);
      expect(turns[0]?.text).toBe(GREETING);
      expect(turns[2]?.text).toBe(REPLY);
      const times = turns.map((t) => Date.parse(t.at));
      expect(times[0]).toBeLessThan(times[1] as number);
      expect(times[1]).toBeLessThan(times[2] as number);

      caller.hangup();
      await caller.waitFor(() => caller.closeCode !== undefined, 10_000, 'socket closed');
      expect(caller.messages).toContainEqual(expect.objectContaining({ type: 'state', state: 'ended', reason: 'caller_hangup' }));
      const ended = gw.recorder.ended(caller.callId);
      expect(ended?.reason).toBe('caller_hangup');
      const turnLatency = ended?.latency.turns[0];
      expect(turnLatency?.speechEnd).toBeGreaterThan(turnLatency?.speechStart ?? Infinity);
      expect(turnLatency?.endOfTurn).toBeGreaterThan(turnLatency?.speechEnd ?? Infinity);
      expect(turnLatency?.firstAgentPacketOut).toBeGreaterThanOrEqual(turnLatency?.endOfTurn ?? Infinity);
      expect(ended?.latency.firstPacketIn).toBeDefined();
      const metrics = await gw.metrics.registry.metrics();
      expect(metrics).toMatch(/firstring_end_to_end_seconds_count 1/);
      // The worker's stats carry the caller audio's jitter-buffer delay at its end of speech, and each thread's heap.
      expect(metrics).toMatch(/firstring_caller_playout_delay_seconds_count [1-9]/);
      expect(metrics).toMatch(/firstring_thread_heap_bytes\{thread="media-0",kind="physical"\} [1-9]/);
      expect(metrics).toMatch(/firstring_thread_heap_bytes\{thread="handler-0",kind="physical"\} [1-9]/);
      // Each thread runs with its young generation capped as set (V8's own: 48 MB).
      expect(metrics).toMatch(/firstring_thread_heap_bytes\{thread="media-0",kind="young_limit"\} 16777216\n/);
      expect(metrics).toMatch(/firstring_thread_heap_bytes\{thread="handler-0",kind="young_limit"\} 33554432\n/);
      // The media path ran on the native core's SRTP (werift's TypeScript SRTP swapped out).
      expect(metrics).toMatch(/firstring_srtp_sessions_total\{impl="native"\} 1/);
      // Caller audio came out of the native jitter engine (one batch per tick for all calls).
      expect(metrics).toMatch(/firstring_jitter_engine_sessions_total\{impl="native"\} 1/);
      expect(metrics).toMatch(/firstring_outbound_pacing_jitter_seconds_count [1-9]/);
      // The media worker reports its ticks, their run time and its own event-loop delay.
      expect(metrics).toMatch(/firstring_media_ticks_total [1-9]/);
      expect(metrics).toMatch(/firstring_media_tick_duration_seconds_count [1-9]/);
      expect(metrics).toMatch(/firstring_media_worker_event_loop_delay_seconds\{worker="0",stat="p99"\} \d/);
      expect(gw.gateway.pool.activeCalls()).toBe(0);
    } finally {
      await caller.close();
    }
  });

  it('stops the agent when the caller barges in and records what was heard', async () => {
    const caller = await WebRtcCaller.place({ gateway: gw.base, tenant: 'demo', origin: ORIGIN });
    try {
      await caller.waitFor(() => caller.loudFramesSince(0).length > 20, 15_000, 'greeting audio');
      caller.say(speak('Hello? Hello, I have a burst pipe.', 'en-us'));
      const record = await caller.waitFor(() => {
        const r = gw.store.getCall(caller.callId);
        return r && r.turns.length >= 1 ? r : undefined;
      }, 10_000, 'interrupted agent turn');
      const heard = record.turns[0]?.text ?? '';
      expect(record.turns[0]?.speaker).toBe('agent');
      expect(heard.length).toBeLessThan(GREETING.length);
      expect(GREETING.startsWith(heard)).toBe(true);
      // The wire went quiet: the greeting's remaining audio never arrived before the reply.
      await caller.waitFor(() => caller.messages.some((m) => m.type === 'transcript' && m.role === 'caller'), 15_000, 'caller turn');
      const greetingFrames = caller.received.filter((f) => f.at < caller.lastSpeechSent).length;
      expect(greetingFrames * 20).toBeLessThan(gw.greetingMs - 300);
      caller.hangup();
      await caller.waitFor(() => caller.closeCode !== undefined, 10_000, 'closed');
      const ended = await caller.waitFor(() => gw.recorder.ended(caller.callId), 5000, 'ended');
      expect(ended.latency.turns.some((t) => t.interruptionStopMs !== undefined && t.interruptionStopMs >= 0)).toBe(true);
      expect(await gw.metrics.registry.metrics()).toMatch(/firstring_interruption_stop_seconds_count [1-9]/);
    } finally {
      await caller.close();
    }
  });

  it('finishes a call whose caller stops sending media (network loss) and keeps its record', async () => {
    const caller = await WebRtcCaller.place({ gateway: gw.base, tenant: 'demo', origin: ORIGIN });
    try {
      await caller.waitFor(() => caller.messages.some((m) => m.type === 'state' && m.state === 'connected'), 15_000, 'connected');
      await caller.waitFor(() => caller.received.length > 5, 10_000, 'media');
      caller.stopMedia();
      await caller.waitFor(() => caller.closeCode !== undefined, 15_000, 'call ended');
      expect(gw.recorder.ended(caller.callId)?.reason).toBe('media_timeout');
      expect(gw.store.getCall(caller.callId)?.turns[0]?.speaker).toBe('agent');
    } finally {
      await caller.close();
    }
  });

  it('never connects media when the DTLS fingerprint in the offer is wrong', async () => {
    const caller = await WebRtcCaller.place({
      gateway: gw.base,
      tenant: 'demo',
      origin: ORIGIN,
      mungeOffer: (sdp) => sdp.replace(/a=fingerprint:sha-256 ([0-9A-F:]+)/i, (_m, fp: string) => `a=fingerprint:sha-256 ${fp.split(':').map(() => 'AB').join(':')}`),
    });
    try {
      await caller.waitFor(() => caller.closeCode !== undefined, 30_000, 'call refused');
      expect(caller.messages.some((m) => m.type === 'state' && m.state === 'connected')).toBe(false);
      expect(caller.received).toHaveLength(0);
      expect(gw.recorder.ended(caller.callId)?.reason).toMatch(/connection_failed|connect_timeout/);
    } finally {
      await caller.close();
    }
  });
});
