import { readFileSync } from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { SILERO_V5_16K, SILERO_V5_SOURCE, buildSilero16k } from '../../scripts/silero-16k.js';
import { DEFAULT_SILERO_MODEL, SILERO_CHUNK, SILERO_CONTEXT, UPSTREAM_SILERO_MODEL } from '../../src/media/silero-vad.js';
import { speak } from '../support/espeak.js';
import { mixAtSnr, normalizeActive, whiteNoise, withGaps } from '../support/noise.js';

/**
 * scripts/silero-16k.ts rebuilds Silero v5's 16 kHz network as batched GEMMs: the shipped file is
 * what the script makes, and it gives the upstream graph's probabilities and states on speech.
 */

const RATE = 16000;
const ROW = SILERO_CHUNK + SILERO_CONTEXT;
const STREAMS = 6;

describe('Silero v5 16 kHz graph (scripts/silero-16k.ts)', () => {
  let streams: Float32Array[];
  beforeAll(() => {
    const texts: [string, 'en' | 'fr'][] = [
      ['The water heater is leaking in the garage.', 'en'],
      ['Mon chauffe-eau fuit depuis ce matin.', 'fr'],
      ['Could someone come out this afternoon?', 'en'],
    ];
    const speech = withGaps(texts.map(([t, v]) => normalizeActive(speak(t, v, RATE), RATE, -22)), [600, 900, 400], RATE, 700);
    // Each stream is the same talk at its own SNR (down to 5 dB, where probabilities sit mid-range).
    streams = Array.from({ length: STREAMS }, (_, i) => {
      const noisy = mixAtSnr(speech, whiteNoise(speech.length, 11 + i), 30 - 5 * i, RATE);
      return Float32Array.from(noisy, (v) => v / 32768);
    });
  });

  it('is what the script builds from models/silero_vad_v5.onnx, byte for byte and deterministically', () => {
    expect(path.resolve(SILERO_V5_16K)).toBe(path.resolve(DEFAULT_SILERO_MODEL));
    expect(path.resolve(SILERO_V5_SOURCE)).toBe(path.resolve(UPSTREAM_SILERO_MODEL));
    const source = readFileSync(SILERO_V5_SOURCE);
    const a = buildSilero16k(source);
    const b = buildSilero16k(source);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(readFileSync(SILERO_V5_16K))).toBe(true);
  });

  it('gives the upstream graph’s probabilities and states on EN and FR speech in noise, state carried', async () => {
    const opts = { intraOpNumThreads: 1 };
    const upstream = await ort.InferenceSession.create(UPSTREAM_SILERO_MODEL, opts);
    const rebuilt = await ort.InferenceSession.create(DEFAULT_SILERO_MODEL, opts);
    expect(rebuilt.inputNames).toEqual(['input', 'state']);
    expect(rebuilt.outputNames).toEqual(['output', 'stateN']);
    const sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(RATE)]), []);
    let stateUp = new Float32Array(2 * STREAMS * 128);
    let stateRe = stateUp.slice();
    const chunks = Math.floor(streams[0]!.length / SILERO_CHUNK);
    let probDiff = 0;
    let stateDiff = 0;
    let stateMax = 0;
    const probs: number[] = [];
    for (let k = 0; k < chunks; k++) {
      const input = new Float32Array(STREAMS * ROW);
      streams.forEach((s, i) => {
        if (k > 0) input.set(s.subarray(k * SILERO_CHUNK - SILERO_CONTEXT, k * SILERO_CHUNK), i * ROW);
        input.set(s.subarray(k * SILERO_CHUNK, (k + 1) * SILERO_CHUNK), i * ROW + SILERO_CONTEXT);
      });
      const x = new ort.Tensor('float32', input, [STREAMS, ROW]);
      const up = await upstream.run({ input: x, state: new ort.Tensor('float32', stateUp, [2, STREAMS, 128]), sr });
      const re = await rebuilt.run({ input: x, state: new ort.Tensor('float32', stateRe, [2, STREAMS, 128]) });
      expect(re.output!.dims).toEqual([STREAMS, 1]);
      expect(re.stateN!.dims).toEqual([2, STREAMS, 128]);
      const pUp = up.output!.data as Float32Array;
      const pRe = re.output!.data as Float32Array;
      for (let i = 0; i < STREAMS; i++) {
        probDiff = Math.max(probDiff, Math.abs(pUp[i]! - pRe[i]!));
        probs.push(pUp[i]!);
      }
      stateUp = (up.stateN!.data as Float32Array).slice();
      stateRe = (re.stateN!.data as Float32Array).slice();
      for (let i = 0; i < stateUp.length; i++) {
        stateDiff = Math.max(stateDiff, Math.abs(stateUp[i]! - stateRe[i]!));
        stateMax = Math.max(stateMax, Math.abs(stateUp[i]!));
      }
    }
    const midRange = probs.filter((p) => p > 0.1 && p < 0.9).length;
    console.log(
      `16k graph vs upstream over ${probs.length} chunks: max |dprob| ${probDiff.toExponential(2)}, max |dstate| ${stateDiff.toExponential(2)} (max |state| ${stateMax.toFixed(2)}); ${midRange} chunks with 0.1 < p < 0.9`,
    );
    // The comparison covers speech, silence and the uncertain range, not only saturated outputs.
    expect(Math.max(...probs)).toBeGreaterThan(0.95);
    expect(Math.min(...probs)).toBeLessThan(0.05);
    expect(midRange).toBeGreaterThan(10);
    expect(probDiff).toBeLessThanOrEqual(2e-5);
    // float32 rounding of re-associated sums: relative to the largest cell-state magnitude
    expect(stateDiff).toBeLessThanOrEqual(1e-5 * Math.max(1, stateMax));
    await upstream.release();
    await rebuilt.release();
  });

  it('refuses what is not the Silero v5 graph with a clear error', () => {
    expect(() => buildSilero16k(new Uint8Array([1, 2, 3, 4, 5]))).toThrow();
    expect(() => buildSilero16k(new Uint8Array(0))).toThrow(/graph/);
    const legacy = readFileSync(path.resolve(path.dirname(SILERO_V5_SOURCE), '../node_modules/@ricky0123/vad-web/dist/silero_vad_legacy.onnx'));
    expect(() => buildSilero16k(legacy)).toThrow(/Silero v5/);
  });
});
