/**
 * Test signals for the VAD and barge-in tests: seeded white noise, babble made of several
 * talkers summed at random offsets, mixing at a given SNR (active speech level, in the
 * spirit of ITU-T P.56), and ground-truth speech activity from the clean energy envelope.
 */

import { seededRandom } from './seeded-random.js';

export { seededRandom };

/** Gaussian white noise, unit variance, as float samples. */
export function whiteNoise(length: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i += 2) {
    // Box-Muller gives two independent normals per pair of uniforms.
    const u = Math.max(rand(), 1e-12);
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < length) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/**
 * Babble: the talkers (each looped to `length`) summed with random circular offsets and
 * normalised to unit RMS. Six or more talkers sound like a crowded room.
 */
export function babbleNoise(talkers: readonly Int16Array[], length: number, seed: number): Float32Array {
  if (talkers.length === 0) throw new Error('babbleNoise needs at least one talker');
  const rand = seededRandom(seed);
  const out = new Float32Array(length);
  for (const talker of talkers) {
    if (talker.length === 0) continue;
    const offset = Math.floor(rand() * talker.length);
    const gain = 0.5 + rand();
    for (let i = 0; i < length; i++) out[i]! += gain * talker[(i + offset) % talker.length]!;
  }
  return scaleToRms(out, 1);
}

function scaleToRms(x: Float32Array, rms: number): Float32Array {
  let sum = 0;
  for (const v of x) sum += v * v;
  const current = Math.sqrt(sum / Math.max(1, x.length));
  if (current === 0) return x;
  const g = rms / current;
  for (let i = 0; i < x.length; i++) x[i]! *= g;
  return x;
}

/** dBFS of an int16 segment's mean square (full scale = 32768). */
export function levelDbfs(x: ArrayLike<number>, start = 0, end = x.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += x[i]! * x[i]!;
  const ms = sum / Math.max(1, end - start) / (32768 * 32768);
  return 10 * Math.log10(Math.max(ms, 1e-12));
}

/**
 * Ground truth per frame from the clean speech: a frame is speech when its energy is within
 * `rangeDb` of the active speech level, and pauses shorter than `bridgeMs` inside speech
 * count as speech (the gaps between words of one utterance).
 */
export function speechActivity(clean: Int16Array, rate: number, frameMs: number, rangeDb = 30, bridgeMs = 150): Uint8Array {
  const frame = Math.round((rate * frameMs) / 1000);
  const frames = Math.floor(clean.length / frame);
  const db = new Float64Array(frames);
  for (let f = 0; f < frames; f++) db[f] = levelDbfs(clean, f * frame, (f + 1) * frame);
  const active = activeLevelDbfs(clean, rate);
  const mask = new Uint8Array(frames);
  for (let f = 0; f < frames; f++) mask[f] = db[f]! > active - rangeDb ? 1 : 0;
  const bridge = Math.round(bridgeMs / frameMs);
  let last = -1;
  for (let f = 0; f < frames; f++) {
    if (!mask[f]) continue;
    if (last >= 0 && f - last - 1 <= bridge) mask.fill(1, last + 1, f);
    last = f;
  }
  return mask;
}

/** Active speech level: mean power over 20 ms frames within 40 dB of the loudest frame. */
export function activeLevelDbfs(clean: Int16Array, rate: number): number {
  const frame = Math.round(rate / 50);
  const powers: number[] = [];
  for (let s = 0; s + frame <= clean.length; s += frame) powers.push(levelDbfs(clean, s, s + frame));
  const peak = Math.max(...powers);
  const kept = powers.filter((p) => p > peak - 40);
  const meanPower = kept.reduce((a, p) => a + 10 ** (p / 10), 0) / Math.max(1, kept.length);
  return 10 * Math.log10(meanPower);
}

/**
 * speech + noise scaled so that (active speech level) - (noise level) = snrDb. `noise` is
 * any unit-RMS float signal at least as long as the speech. Returns clipped int16 PCM.
 */
export function mixAtSnr(speech: Int16Array, noise: Float32Array, snrDb: number, rate: number): Int16Array {
  if (noise.length < speech.length) throw new Error('noise shorter than speech');
  const speechDb = activeLevelDbfs(speech, rate);
  const noiseRms = 32768 * 10 ** ((speechDb - snrDb) / 20);
  const out = new Int16Array(speech.length);
  for (let i = 0; i < speech.length; i++) {
    const v = speech[i]! + noise[i]! * noiseRms;
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : Math.round(v);
  }
  return out;
}

/** Scales int16 speech so its active level is `targetDbfs`. */
export function normalizeActive(speech: Int16Array, rate: number, targetDbfs: number): Int16Array {
  const g = 10 ** ((targetDbfs - activeLevelDbfs(speech, rate)) / 20);
  const out = new Int16Array(speech.length);
  for (let i = 0; i < speech.length; i++) {
    const v = speech[i]! * g;
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : Math.round(v);
  }
  return out;
}

/** Concatenates int16 pieces with `gapMs` of digital silence before each piece. */
export function withGaps(pieces: readonly Int16Array[], gapsMs: readonly number[], rate: number, tailMs = 500): Int16Array {
  const gapSamples = gapsMs.map((g) => Math.round((rate * g) / 1000));
  const total = pieces.reduce((a, p) => a + p.length, 0) + gapSamples.reduce((a, g) => a + g, 0) + Math.round((rate * tailMs) / 1000);
  const out = new Int16Array(total);
  let at = 0;
  pieces.forEach((p, i) => {
    at += gapSamples[i] ?? 0;
    out.set(p, at);
    at += p.length;
  });
  return out;
}
