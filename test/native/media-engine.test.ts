import opus from '@discordjs/opus';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import { FrameStatus, MediaEngine, ResultFlag, type PayloadKind } from '../../src/media/media-engine.js';
import { alawEncode, frameEnergyDb, Resampler, ulawEncode } from '../../src/media/native-dsp.js';
import { speak } from '../support/espeak.js';
import { buildRtp, impairedStream, mulberry32, type ArrivingPacket } from '../support/impairment.js';

const FRAME = 320; // 20 ms at 16 kHz
const LEAD_FRAMES = 50; // 1 s of silence before the speech
let caller16k: Int16Array; // silence + speech + silence, 16 kHz
let frames: number;

beforeAll(() => {
  const speech = speak('Hi, my furnace stopped working this morning and the house is getting cold.', 'en', 16000);
  frames = LEAD_FRAMES + Math.ceil(speech.length / FRAME) + 25;
  caller16k = new Int16Array(frames * FRAME);
  caller16k.set(speech, LEAD_FRAMES * FRAME);
});

interface CallPlan {
  kind: PayloadKind;
  payloadType: number;
  arrivals: ArrivingPacket[];
}

/** Encodes the caller audio as the payloads this kind of call would carry. */
function payloadsFor(kind: PayloadKind, encoder: opus.OpusEncoder): Uint8Array[] {
  if (kind === 'opus') {
    return Array.from({ length: frames }, (_, i) =>
      new Uint8Array(encoder.encode(Buffer.from(caller16k.buffer, caller16k.byteOffset + i * FRAME * 2, FRAME * 2))));
  }
  const narrow = new Resampler(16000, 8000).process(caller16k);
  return Array.from({ length: frames }, (_, i) => {
    const f = narrow.subarray(i * 160, i * 160 + 160);
    return kind === 'pcmu' ? ulawEncode(f) : alawEncode(f);
  });
}

function plan(kind: PayloadKind, seed: number, payloads: Uint8Array[], impair: boolean): CallPlan {
  const payloadType = kind === 'opus' ? 111 : kind === 'pcmu' ? 0 : 8;
  const s = impairedStream({
    seed, packets: frames, clockRate: kind === 'opus' ? 48000 : 8000,
    loss: impair ? 0.05 : 0, jitterMs: impair ? 30 : 0, reorder: impair ? 0.05 : 0, duplicate: impair ? 0.02 : 0,
    ssrc: 1000 + seed,
  });
  const arrivals = s.arrivals.map((a) => ({
    ...a,
    bytes: buildRtp({ sequence: a.sequence, timestamp: a.timestamp, ssrc: 1000 + seed, payloadType, payload: payloads[a.index] ?? new Uint8Array(0) }),
  }));
  return { kind, payloadType, arrivals };
}

interface TickRecord {
  status: number;
  flags: number;
  energyDb: number;
  frameMediaMs: number;
  bargeInAtMs: number;
  tickMs: number;
}

/** Drives the engine like a media worker: per tick one ingest, one pull, one analyze. */
function drive(engine: MediaEngine, calls: CallPlan[], agentSpeakingSlots = new Set<number>()): TickRecord[][] {
  const records: TickRecord[][] = calls.map(() => []);
  const decoders = calls.map((c) => (c.kind === 'opus' ? new opus.OpusEncoder(16000, 1) : null)); // one decoder state per stream
  const cursors = calls.map(() => 0);
  const agentEcho = new Int16Array(FRAME); // the agent is "speaking" a quiet tone
  for (let i = 0; i < FRAME; i++) agentEcho[i] = Math.round(300 * Math.sin(i * 0.2));
  for (let t = 1003; t < 1000 + frames * 20 + 500; t += 20) {
    calls.forEach((c, slot) => {
      for (let k = cursors[slot] ?? 0; k < c.arrivals.length; k++) {
        const a = c.arrivals[k];
        if (!a || a.arrivalMs > t) break;
        engine.enqueuePacket(slot, a.arrivalMs, a.bytes);
        cursors[slot] = k + 1;
      }
    });
    engine.ingest();
    engine.pull(t);
    calls.forEach((c, slot) => {
      if (engine.status[slot] === FrameStatus.Opus) {
        const pcm = decoders[slot]?.decode(Buffer.from(engine.opusPayload(slot))) ?? Buffer.alloc(FRAME * 2);
        engine.pcmFrame(slot).set(new Int16Array(pcm.buffer, pcm.byteOffset, FRAME));
      }
      if (agentSpeakingSlots.has(slot)) engine.setAgentFrame(slot, true, agentEcho);
    });
    engine.analyze();
    calls.forEach((_, slot) => {
      const a = engine.analysis(slot);
      records[slot]?.push({
        status: engine.status[slot] ?? 0,
        flags: engine.flags(slot),
        energyDb: a.energyDb,
        frameMediaMs: a.frameMediaMs,
        bargeInAtMs: a.bargeInAtMs,
        tickMs: t,
      });
    });
  }
  return records;
}

function correlation(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i] ?? 0; mb += b[i] ?? 0; }
  ma /= n; mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = (a[i] ?? 0) - ma, y = (b[i] ?? 0) - mb;
    sab += x * y; saa += x * x; sbb += y * y;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('MediaEngine (batch entry point)', () => {
  it('carries 60 impaired calls (Opus, µ-law, A-law) end to end in three native calls per tick', () => {
    const encoder = new opus.OpusEncoder(16000, 1);
    const kinds: PayloadKind[] = ['opus', 'pcmu', 'pcma'];
    const payloads = new Map(kinds.map((k) => [k, payloadsFor(k, encoder)] as const));
    const calls = Array.from({ length: 60 }, (_, i) => {
      const kind = kinds[i % 3] ?? 'opus';
      return plan(kind, i + 1, payloads.get(kind) ?? [], i >= 3); // slots 0-2 unimpaired references
    });
    const engine = new MediaEngine({ maxCalls: 64 });
    calls.forEach((c, slot) => engine.addCall(slot, { payload: c.kind, payloadType: c.payloadType, jitterMaxMs: 200 }));
    const records = drive(engine, calls);

    const sourceEnvelope = Array.from({ length: frames }, (_, i) => frameEnergyDb(caller16k.subarray(i * FRAME, (i + 1) * FRAME)));
    let totalLost = 0;
    calls.forEach((c, slot) => {
      const rec = records[slot] ?? [];
      const st = engine.stats(slot);
      const played = rec.filter((r) => r.status !== FrameStatus.None);
      // In order, each frame once.
      for (let i = 1; i < played.length; i++) expect(played[i]?.frameMediaMs).toBeGreaterThan(played[i - 1]?.frameMediaMs ?? 0);
      // Every lost frame was concealed natively (plus at most 5 after the stream ended).
      const concealed = played.filter((r) => (r.flags & ResultFlag.Concealed) !== 0).length;
      expect(concealed).toBeGreaterThanOrEqual(st.lost);
      expect(concealed).toBeLessThanOrEqual(st.lost + 5);
      expect(played.every((r) => (r.flags & ResultFlag.Analyzed) !== 0)).toBe(true);
      expect(st.received).toBe(c.arrivals.length);
      totalLost += st.lost;
      // The played audio follows the caller's energy envelope.
      const good = played.filter((r) => r.status !== FrameStatus.Lost);
      if (slot < 3) {
        expect(good.length).toBe(frames);
        const floor = (e: number) => Math.max(e, -45); // digital silence vs the codecs' noise floors
        // Best over a lag of 0-2 frames (codec look-ahead and filter delay).
        const played = good.map((g) => floor(g.energyDb));
        const r = Math.max(...[0, 1, 2].map((lag) => correlation(played.slice(lag), sourceEnvelope.map(floor))));
        console.log(`${c.kind}: energy envelope correlation ${r.toFixed(3)}`);
        expect(r).toBeGreaterThan(0.9);
        // VAD: quiet lead-in is silence; the speech is found.
        const lead = good.slice(0, LEAD_FRAMES - 5).filter((r) => (r.flags & ResultFlag.Speech) !== 0).length;
        const speech = good.slice(LEAD_FRAMES, frames - 25).filter((r) => (r.flags & ResultFlag.Speech) !== 0).length;
        expect(lead).toBe(0);
        expect(speech / (frames - 25 - LEAD_FRAMES)).toBeGreaterThan(0.6);
      }
      // No barge-in when the agent is silent.
      expect(rec.some((r) => (r.flags & ResultFlag.BargeIn) !== 0)).toBe(false);
    });
    expect(totalLost).toBeGreaterThan(100); // 5% of 57 impaired calls
  });

  it('reports a barge-in with the tick time when the caller talks over the agent', () => {
    const encoder = new opus.OpusEncoder(16000, 1);
    const payloads = payloadsFor('pcmu', encoder);
    const calls = [plan('pcmu', 101, payloads, false), plan('pcmu', 102, payloads, false)];
    const engine = new MediaEngine({ maxCalls: 2 });
    calls.forEach((c, slot) => engine.addCall(slot, { payload: 'pcmu', payloadType: 0, bargeIn: { minSpeechMs: 200 } }));
    const records = drive(engine, calls, new Set([0]));
    const fired = (records[0] ?? []).filter((r) => (r.flags & ResultFlag.BargeIn) !== 0);
    expect(fired.length).toBeGreaterThanOrEqual(1);
    expect(fired[0]?.bargeInAtMs).toBe(fired[0]?.tickMs);
    // Decided inside the speech, not in the silent lead-in.
    expect(fired[0]?.tickMs ?? 0).toBeGreaterThan(1000 + LEAD_FRAMES * 20);
    expect((records[1] ?? []).some((r) => (r.flags & ResultFlag.BargeIn) !== 0)).toBe(false);
  });

  it('counts malformed packets and other payload types, ignores removed calls', () => {
    const engine = new MediaEngine({ maxCalls: 4 });
    engine.addCall(1, { payload: 'pcma', payloadType: 8 });
    const ok = buildRtp({ sequence: 1, timestamp: 0, ssrc: 5, payloadType: 8, payload: new Uint8Array(160) });
    const dtmf = buildRtp({ sequence: 2, timestamp: 0, ssrc: 5, payloadType: 101, payload: new Uint8Array(4) });
    const broken = ok.slice(0, 8);
    engine.enqueuePacket(1, 0, ok);
    engine.enqueuePacket(1, 0, dtmf);
    engine.enqueuePacket(1, 0, broken);
    engine.enqueuePacket(2, 0, ok); // no call in slot 2
    expect(engine.ingest()).toBe(1);
    expect(engine.stats(1)).toMatchObject({ received: 1, malformed: 1, otherPayloadType: 1 });
    engine.removeCall(1);
    expect(() => engine.stats(1)).toThrow(/no active call/);
    engine.enqueuePacket(1, 20, ok);
    expect(engine.ingest()).toBe(0);
    expect(engine.pull(100)).toBe(0);
  });

  it('refuses bad configs, slots and buffers with exceptions', () => {
    expect(() => new MediaEngine({ maxCalls: 0 })).toThrow(RangeError);
    const engine = new MediaEngine({ maxCalls: 2 });
    expect(() => engine.addCall(2, { payload: 'opus' })).toThrow(RangeError);
    expect(() => engine.addCall(0, { payload: 'g722' as PayloadKind })).toThrow(RangeError);
    expect(() => engine.addCall(0, { payload: 'pcmu', clockRate: 48000 })).toThrow(/8000/);
    expect(() => engine.addCall(0, { payload: 'opus', jitterMinMs: 300, jitterMaxMs: 100 })).toThrow(RangeError);
    expect(() => engine.setAgentFrame(0, true, new Int16Array(100))).toThrow(RangeError);
    expect(() => engine.setAgentFrame(5, true)).toThrow(RangeError);
    expect(() => engine.enqueuePacket(-1, 0, new Uint8Array(12))).toThrow(RangeError);
    expect(() => engine.pcmFrame(2)).toThrow(RangeError);
  });
});

describe('MediaEngine in worker threads', () => {
  it('runs one engine per worker, two workers at once', async () => {
    const run = () =>
      new Promise<{ frames: number; received: number }>((resolve, reject) => {
        const w = new Worker(new URL('./fixtures/ts-worker.mjs', import.meta.url), {
          workerData: { module: new URL('./fixtures/engine-worker.ts', import.meta.url).href, calls: 20, ticks: 50 },
        });
        w.once('message', resolve);
        w.once('error', reject);
      });
    const results = await Promise.all([run(), run()]);
    for (const r of results) expect(r).toEqual({ frames: 20 * 50, received: 50 });
  });
});

describe('seeded PRNG', () => {
  it('is reproducible', () => {
    const a = mulberry32(9), b = mulberry32(9);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });
});
