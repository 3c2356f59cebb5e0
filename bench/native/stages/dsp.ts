import { alawDecode, alawEncode, Resampler, ulawDecode, ulawEncode, type SampleRate } from '../../../src/media/native-dsp.js';
import type { StageBench, StageResult } from '../stage.js';

/**
 * DSP primitives per 20 ms frame per call, one N-API call per frame (each call has its
 * own resampler state, as in the engine): 8 -> 16 kHz (G.711 to the analysis rate),
 * 48 -> 16 kHz and 16 -> 8 kHz, and G.711 encode + decode of one 160-sample frame.
 */

const CALL_FRAMES = 100_000;

function tone(rate: number, n: number): Int16Array {
  return Int16Array.from({ length: n }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)));
}

function perFrame(calls: number, work: (call: number) => void): number {
  const rounds = Math.max(1, Math.ceil(CALL_FRAMES / calls));
  for (let c = 0; c < calls; c++) work(c); // warm-up
  const t0 = process.cpuUsage();
  for (let r = 0; r < rounds; r++) for (let c = 0; c < calls; c++) work(c);
  const used = process.cpuUsage(t0);
  return (used.user + used.system) / (rounds * calls);
}

function resampleStage(calls: number, from: SampleRate, to: SampleRate): StageResult {
  const input = tone(from, from / 50);
  const rs = Array.from({ length: calls }, () => new Resampler(from, to));
  const out = new Int16Array(rs[0]?.maxOutput(input.length) ?? 0);
  return {
    stage: `resample ${from / 1000} -> ${to / 1000} kHz`,
    calls,
    usPerUnit: perFrame(calls, (c) => rs[c]?.process(input, out)),
    unit: '20 ms frame',
  };
}

const bench: StageBench = async (callCounts) => {
  const results: StageResult[] = [];
  const pcm = tone(8000, 160);
  const codes = new Uint8Array(160);
  const back = new Int16Array(160);
  for (const calls of callCounts) {
    results.push(resampleStage(calls, 8000, 16000));
    results.push(resampleStage(calls, 48000, 16000));
    results.push(resampleStage(calls, 16000, 8000));
    results.push({
      stage: 'G.711 µ-law + A-law encode + decode',
      calls,
      usPerUnit: perFrame(calls, () => {
        ulawDecode(ulawEncode(pcm, codes), back);
        alawDecode(alawEncode(pcm, codes), back);
      }),
      unit: '20 ms frame',
      note: '160 samples, both laws, 4 N-API calls',
    });
  }
  return results;
};

export default bench;
