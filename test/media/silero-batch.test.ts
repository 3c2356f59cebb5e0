import ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { speak } from '../support/espeak.js';
import { mixAtSnr, normalizeActive, whiteNoise, withGaps } from '../support/noise.js';
import { FrameVad } from '../../src/media/native-vad.js';
import { SILERO_CHUNK, SILERO_CONTEXT, SileroBatcher, UPSTREAM_SILERO_MODEL } from '../../src/media/silero-vad.js';

/**
 * Silero v5 batched across calls: the same probabilities as one-call-at-a-time inference
 * done the way @ricky0123/vad-web does it, and the native VAD gate keeping silence away.
 */

const RATE = 16000;
const FRAME = 320;

/** Reference: one call, one chunk per run, 64 samples of context, state carried (vad-web's Silero.process). */
async function reference(session: ort.InferenceSession, pcm: Int16Array, before?: Int16Array): Promise<number[]> {
  let state: ort.Tensor = new ort.Tensor('float32', new Float32Array(2 * 128), [2, 1, 128]);
  const sr = new ort.Tensor('int64', BigInt64Array.from([16000n]), []);
  let context = before ? Float32Array.from(before, (v) => v / 32768) : new Float32Array(SILERO_CONTEXT);
  const out: number[] = [];
  for (let s = 0; s + SILERO_CHUNK <= pcm.length; s += SILERO_CHUNK) {
    const chunk = Float32Array.from(pcm.subarray(s, s + SILERO_CHUNK), (v) => v / 32768);
    const input = new Float32Array(SILERO_CONTEXT + SILERO_CHUNK);
    input.set(context);
    input.set(chunk, SILERO_CONTEXT);
    context = chunk.slice(-SILERO_CONTEXT);
    const r = await session.run({ input: new ort.Tensor('float32', input, [1, input.length]), state, sr });
    state = r.stateN as ort.Tensor;
    out.push((r.output!.data as Float32Array)[0]!);
  }
  return out;
}

describe('Silero v5 batched across calls', () => {
  let calls: Int16Array[];
  let session: ort.InferenceSession;
  beforeAll(async () => {
    session = await ort.InferenceSession.create(UPSTREAM_SILERO_MODEL, { intraOpNumThreads: 1 });
    const texts: [string, 'en' | 'fr'][] = [
      ['My air conditioner is blowing warm air.', 'en'],
      ['Il y a une fuite sous l evier de la cuisine.', 'fr'],
      ['Can you come Saturday morning?', 'en'],
      ['Le disjoncteur saute tout le temps.', 'fr'],
      ['The pilot light keeps going out.', 'en'],
    ];
    calls = texts.map(([t, v], i) => {
      const clean = normalizeActive(withGaps([speak(t, v, RATE)], [300 + 170 * i], RATE, 400), RATE, -20 - 2 * i);
      return mixAtSnr(clean, whiteNoise(clean.length, 40 + i), 25 - 4 * i, RATE);
    });
  });

  it('gives the same probabilities (within 1e-4) as per-call inference, with calls joining late', async () => {
    const expected = await Promise.all(calls.map((pcm) => reference(session, pcm)));
    const batcher = await SileroBatcher.create({ gateProbability: 0 });
    const got: number[][] = calls.map(() => []);
    const joinFrame = [0, 0, 7, 13, 30]; // calls 2..4 join later, so batch sizes vary 2..5
    const frames = Math.max(...calls.map((c, i) => joinFrame[i]! + Math.floor(c.length / FRAME)));
    const batchSizes = new Set<number>();
    for (let t = 0; t < frames; t++) {
      calls.forEach((pcm, i) => {
        const f = t - joinFrame[i]!;
        if (f === 0) batcher.addCall(`call${i}`);
        if (f < 0 || (f + 1) * FRAME > pcm.length) return;
        batcher.pushFrame(`call${i}`, pcm.subarray(f * FRAME, (f + 1) * FRAME), 1);
      });
      while (batcher.hasWork()) {
        const results = await batcher.run();
        batchSizes.add(results.length);
        for (const r of results) got[Number(r.callId.slice(4))]!.push(r.probability);
      }
    }
    expect(batchSizes.size).toBeGreaterThan(2);
    expect(batcher.stats.inferences).toBeLessThan(batcher.stats.chunksInferred);
    let maxDiff = 0;
    calls.forEach((_, i) => {
      expect(got[i]!.length).toBe(expected[i]!.length);
      got[i]!.forEach((p, k) => (maxDiff = Math.max(maxDiff, Math.abs(p - expected[i]![k]!))));
    });
    console.log(`batched vs per-call: ${batcher.stats.chunksInferred} chunks in ${batcher.stats.inferences} inferences, max |diff| ${maxDiff.toExponential(2)}`);
    expect(maxDiff).toBeLessThanOrEqual(1e-4);
    // The speech is found: each call has chunks above 0.9.
    for (const p of got) expect(Math.max(...p)).toBeGreaterThan(0.9);
    await batcher.close();
  });

  it('also runs the upstream graph (8/16 kHz If, `sr` input) when given its path, with the same results', async () => {
    const pcm = calls[1]!;
    const expected = await reference(session, pcm);
    const batcher = await SileroBatcher.create({ gateProbability: 0, modelPath: UPSTREAM_SILERO_MODEL });
    batcher.addCall('a');
    const got: number[] = [];
    for (let f = 0; (f + 1) * FRAME <= pcm.length; f++) {
      batcher.pushFrame('a', pcm.subarray(f * FRAME, (f + 1) * FRAME), 1);
      while (batcher.hasWork()) for (const r of await batcher.run()) got.push(r.probability);
    }
    expect(got.length).toBe(expected.length);
    got.forEach((p, k) => expect(Math.abs(p - expected[k]!)).toBeLessThanOrEqual(1e-6));
    await batcher.close();
  });

  it('skips clear silence using the native VAD and still scores the speech', async () => {
    const speech = normalizeActive(speak('Hello, I would like to book a furnace tune up.', 'en', RATE), RATE, -20);
    const line = Int16Array.from(whiteNoise(RATE * 5, 77), (v) => Math.round(v * 10)); // about -70 dBFS
    const pcm = line.slice();
    const start = RATE * 2;
    for (let i = 0; i < speech.length && start + i < pcm.length; i++) pcm[start + i] = Math.max(-32768, Math.min(32767, pcm[start + i]! + speech[i]!));
    const vad = new FrameVad({ sampleRate: RATE });
    const batcher = await SileroBatcher.create({ gateProbability: 0.15 });
    batcher.addCall('a');
    const results: { probability: number; gated: boolean; endSample: number }[] = [];
    for (let f = 0; f + FRAME <= pcm.length; f += FRAME) {
      const frame = pcm.subarray(f, f + FRAME);
      batcher.pushFrame('a', frame, vad.process(frame).probability);
      while (batcher.hasWork()) results.push(...(await batcher.run()));
    }
    const lead = results.filter((r) => r.endSample <= start);
    const inSpeech = results.filter((r) => r.endSample > start + SILERO_CHUNK && r.endSample <= start + speech.length);
    const leadGated = lead.filter((r) => r.gated).length / lead.length;
    console.log(`gated ${batcher.stats.chunksGated} of ${results.length} chunks; leading silence gated ${(leadGated * 100).toFixed(0)} %`);
    expect(leadGated).toBeGreaterThanOrEqual(0.9);
    const scored = inSpeech.filter((r) => !r.gated);
    expect(scored.length).toBeGreaterThan(0.8 * inSpeech.length);
    expect(scored.filter((r) => r.probability >= 0.5).length).toBeGreaterThan(0.6 * scored.length);
    await batcher.close();
  });

  it('after long gated silence restarts from a zeroed state with the real audio as context', async () => {
    const a = normalizeActive(speak('The thermostat is blank.', 'en', RATE), RATE, -20);
    const b = normalizeActive(speak('Can you send someone?', 'en', RATE), RATE, -20);
    const pcm = withGaps([a, b], [400, 2000], RATE, 300);
    const noise = whiteNoise(pcm.length, 8);
    for (let i = 0; i < pcm.length; i++) pcm[i] = Math.max(-32768, Math.min(32767, pcm[i]! + Math.round(noise[i]! * 10)));
    const vad = new FrameVad({ sampleRate: RATE });
    const batcher = await SileroBatcher.create({ gateProbability: 0.15, resetAfterGatedMs: 320 });
    batcher.addCall('a');
    const results: { probability: number; gated: boolean; endSample: number }[] = [];
    for (let f = 0; f + FRAME <= pcm.length; f += FRAME) {
      const frame = pcm.subarray(f, f + FRAME);
      batcher.pushFrame('a', frame, vad.process(frame).probability);
      while (batcher.hasWork()) results.push(...(await batcher.run()));
    }
    // The first chunk the model sees again after a gated run of at least 320 ms.
    let run = 0;
    let resume = -1;
    for (let k = 0; k < results.length; k++) {
      if (results[k]!.gated) run++;
      else if (run >= 10 && resume < 0 && k > 20) resume = k;
      else run = 0;
    }
    expect(resume).toBeGreaterThan(0);
    let end = resume;
    while (end < results.length && !results[end]!.gated) end++;
    const start = results[resume]!.endSample - SILERO_CHUNK;
    const expected = await reference(session, pcm.subarray(start, results[end - 1]!.endSample), pcm.subarray(start - SILERO_CONTEXT, start));
    const got = results.slice(resume, end).map((r) => r.probability);
    expect(got.length).toBeGreaterThan(10);
    got.forEach((p, i) => expect(Math.abs(p - expected[i]!)).toBeLessThanOrEqual(1e-4));
    await batcher.close();
  });

  it('refuses bad input with clean errors', async () => {
    await expect(SileroBatcher.create({ modelPath: '/nonexistent/model.onnx' })).rejects.toThrow();
    await expect(SileroBatcher.create({ gateProbability: 2 })).rejects.toThrow(RangeError);
    await expect(SileroBatcher.create({ gateHangoverMs: -1 })).rejects.toThrow(RangeError);
    await expect(SileroBatcher.create({ maxPendingSamples: 100 })).rejects.toThrow(RangeError);
    const batcher = await SileroBatcher.create();
    batcher.addCall('x');
    expect(() => batcher.addCall('x')).toThrow(/already/);
    expect(() => batcher.pushFrame('y', new Int16Array(320), 0.5)).toThrow(/unknown call/);
    expect(() => batcher.pushFrame('x', new Float32Array(320) as unknown as Int16Array, 0.5)).toThrow(TypeError);
    expect(() => batcher.pushFrame('x', new Int16Array(320), Number.NaN)).toThrow(RangeError);
    // Far more audio than the queue holds: the oldest is dropped, never an unbounded queue.
    batcher.pushFrame('x', new Int16Array(10000), 1);
    expect(batcher.stats.samplesDropped).toBeGreaterThan(0);
    let runs = 0;
    while (batcher.hasWork()) {
      await batcher.run();
      runs++;
    }
    expect(runs).toBe(Math.floor(4096 / SILERO_CHUNK));
    // One inference at a time: a second run() while the first awaits the model is refused.
    batcher.pushFrame('x', new Int16Array(SILERO_CHUNK), 1);
    const first = batcher.run();
    await expect(batcher.run()).rejects.toThrow(/in progress/);
    expect((await first).length).toBe(1);
    await batcher.close();
  });
});
