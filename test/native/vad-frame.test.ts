import { beforeAll, describe, expect, it } from 'vitest';
import { speak } from '../support/espeak.js';
import { mixAtSnr, normalizeActive, seededRandom, speechActivity, whiteNoise, withGaps } from '../support/noise.js';
import { FrameVad } from '../../src/media/native-vad.js';

/** Frame sizes, rates, onset/hangover timing and input checking of the native frame VAD. */

function precisionRecall(speech: Uint8Array, truth: Uint8Array): { precision: number; recall: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < truth.length; i++) {
    if (speech[i] && truth[i]) tp++;
    else if (speech[i]) fp++;
    else if (truth[i]) fn++;
  }
  return { precision: tp / Math.max(1, tp + fp), recall: tp / Math.max(1, tp + fn) };
}

describe('native frame VAD', () => {
  const signals = new Map<number, { clean: Int16Array; noisy: Int16Array }>();
  beforeAll(() => {
    for (const rate of [8000, 16000]) {
      const pieces = [speak('My water heater is leaking all over the garage floor.', 'en', rate), speak('Merci, a demain.', 'fr', rate)];
      const clean = normalizeActive(withGaps(pieces, [800, 1000], rate), rate, -24);
      signals.set(rate, { clean, noisy: mixAtSnr(clean, whiteNoise(clean.length, 5), 20, rate) });
    }
  });

  it('works at 8 and 16 kHz with 10, 20 and 30 ms frames', () => {
    const rows: Record<string, string>[] = [];
    const scores: { precision: number; recall: number }[] = [];
    for (const rate of [8000, 16000]) {
      const { clean, noisy } = signals.get(rate)!;
      for (const frameMs of [10, 20, 30]) {
        const frameSamples = (rate * frameMs) / 1000;
        const frames = Math.floor(noisy.length / frameSamples);
        const vad = new FrameVad({ sampleRate: rate });
        const speech = new Uint8Array(frames);
        for (let f = 0; f < frames; f++) speech[f] = vad.process(noisy.subarray(f * frameSamples, (f + 1) * frameSamples)).speech ? 1 : 0;
        const s = precisionRecall(speech, speechActivity(clean, rate, frameMs));
        rows.push({ rate: String(rate), frameMs: String(frameMs), precision: s.precision.toFixed(3), recall: s.recall.toFixed(3) });
        scores.push(s);
      }
    }
    console.table(rows);
    for (const [i, s] of scores.entries()) {
      expect(s.precision, JSON.stringify(rows[i])).toBeGreaterThanOrEqual(0.8);
      expect(s.recall, JSON.stringify(rows[i])).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('starts a segment after onsetMs above threshold and ends it after hangoverMs below', () => {
    const { noisy } = signals.get(16000)!;
    const config = { sampleRate: 16000, onsetMs: 60, hangoverMs: 200, threshold: 0.5 };
    const vad = new FrameVad(config);
    let above = 0;
    let below = 0;
    let inSpeech = false;
    let onsets = 0;
    for (let f = 0; f + 320 <= noisy.length; f += 320) {
      const r = vad.process(noisy.subarray(f, f + 320));
      expect(r.probability).toBeGreaterThanOrEqual(0);
      expect(r.probability).toBeLessThanOrEqual(1);
      // The same rule, recomputed from the probabilities.
      let onset = false;
      let offset = false;
      if (r.probability >= config.threshold) {
        above += 20;
        below = 0;
        if (!inSpeech && above >= config.onsetMs) onset = inSpeech = true;
      } else {
        below += 20;
        above = 0;
        if (inSpeech && below >= config.hangoverMs) {
          inSpeech = false;
          offset = true;
        }
      }
      expect([r.speech, r.onset, r.offset]).toEqual([inSpeech, onset, offset]);
      if (onset) onsets++;
    }
    expect(onsets).toBeGreaterThanOrEqual(2); // the two utterances
  });

  it('scores digital silence and steady noise as non-speech, and reset() restarts it', () => {
    const vad = new FrameVad({ sampleRate: 16000 });
    for (let i = 0; i < 50; i++) {
      const r = vad.process(new Int16Array(320));
      expect(r.probability).toBe(0);
      expect(r.speech).toBe(false);
      expect(r.energyDb).toBeLessThan(-100);
    }
    const noise = whiteNoise(16000 * 3, 21);
    const pcm = Int16Array.from(noise, (v) => Math.round(v * 300));
    const first: number[] = [];
    let speechFrames = 0;
    vad.reset();
    for (let f = 0; f + 320 <= pcm.length; f += 320) {
      const r = vad.process(pcm.subarray(f, f + 320));
      first.push(r.probability);
      if (r.speech) speechFrames++;
    }
    expect(speechFrames).toBe(0);
    vad.reset();
    for (let f = 0, i = 0; f + 320 <= pcm.length; f += 320, i++) expect(vad.process(pcm.subarray(f, f + 320)).probability).toBe(first[i]);
  });

  it('refuses bad configs and frames with clean errors', () => {
    expect(() => new FrameVad({ sampleRate: 44100 })).toThrow(RangeError);
    expect(() => new FrameVad({ sampleRate: 16000.5 })).toThrow(RangeError);
    expect(() => new FrameVad({ onsetMs: -5 })).toThrow(RangeError);
    expect(() => new FrameVad({ threshold: Number.POSITIVE_INFINITY })).toThrow(RangeError);
    expect(() => new FrameVad({ hangoverMs: '200' as unknown as number })).toThrow(TypeError);
    expect(() => new FrameVad(42 as unknown as object)).toThrow(TypeError);
    const vad = new FrameVad({ sampleRate: 8000 });
    expect(vad.maxFrameSamples).toBe(240);
    expect(() => vad.process(new Int16Array(0))).toThrow(RangeError);
    expect(() => vad.process(new Int16Array(241))).toThrow(RangeError);
    expect(() => vad.process(new Uint8Array(160) as unknown as Int16Array)).toThrow(TypeError);
    expect(() => (vad.process as (...a: unknown[]) => unknown)()).toThrow(TypeError);
    expect(() => vad.processFrames(new Int16Array(480), 160, new Float32Array(2), new Uint8Array(3))).toThrow(RangeError);
    expect(() => vad.processFrames(new Int16Array(480), 0, new Float32Array(3), new Uint8Array(3))).toThrow(RangeError);
    expect(() => vad.processFrames(new Int16Array(480), 1.5, new Float32Array(3), new Uint8Array(3))).toThrow(RangeError);
    expect(() => vad.processFrames(new Int16Array(480), 160, new Float64Array(3) as unknown as Float32Array, new Uint8Array(3))).toThrow(TypeError);
    // A truncated last frame is simply not processed.
    expect(vad.processFrames(new Int16Array(500), 160, new Float32Array(3), new Uint8Array(3))).toBe(3);
  });

  it('survives random arguments: every call returns or throws a TypeError/RangeError', () => {
    const rand = seededRandom(99);
    const makers: (() => unknown)[] = [
      () => new Int16Array(Math.floor(rand() * 600)).map(() => Math.floor(rand() * 65536) - 32768),
      () => new Float32Array(Math.floor(rand() * 600)),
      () => new Uint8Array(Math.floor(rand() * 4)),
      () => Math.floor(rand() * 1000) - 100,
      () => rand() * 10,
      () => Number.NaN,
      () => undefined,
      () => null,
      () => 'frame',
      () => ({ sampleRate: [8000, 16000, 12345][Math.floor(rand() * 3)], onsetMs: rand() * 3000 - 500 }),
      () => new Int16Array(new ArrayBuffer(640), 2, 100),
    ];
    const pick = (): unknown => makers[Math.floor(rand() * makers.length)]!();
    let returned = 0;
    for (let i = 0; i < 2000; i++) {
      try {
        const vad = new FrameVad(pick() as object);
        const method = (['process', 'processFrames', 'reset'] as const)[Math.floor(rand() * 3)]!;
        (vad[method] as (...a: unknown[]) => unknown).call(vad, pick(), pick(), pick(), pick());
        returned++;
      } catch (err) {
        expect(err instanceof TypeError || err instanceof RangeError, String(err)).toBe(true);
      }
    }
    expect(returned).toBeGreaterThan(0);
  });
});
