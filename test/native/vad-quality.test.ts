import { beforeAll, describe, expect, it } from 'vitest';
import { speak } from '../support/espeak.js';
import { babbleNoise, mixAtSnr, normalizeActive, speechActivity, whiteNoise, withGaps } from '../support/noise.js';
import { FrameVad } from '../../src/media/native-vad.js';
import { SILERO_CHUNK, SileroBatcher } from '../../src/media/silero-vad.js';

/**
 * Precision and recall of the native frame VAD and of Silero v5 on espeak-ng speech (EN and
 * FR) in silence, white noise and babble at 20, 10 and 5 dB SNR. Ground truth comes from the
 * clean speech's energy envelope (frames within 30 dB of the active level, word gaps under
 * 150 ms bridged). The native figure scored is the `speech` decision (onset 60 ms,
 * hangover 200 ms); its raw per-frame figure (probability >= 0.5) is printed beside it.
 */

const SENTENCES: [string, 'en' | 'fr' | 'en-us' | 'fr-fr'][] = [
  ['Hello, my furnace stopped working this morning and the house is getting cold.', 'en'],
  ['Bonjour, mon chauffe-eau fuit depuis hier soir.', 'fr'],
  ['Can someone come out today? I am home until five.', 'en-us'],
  ['Pouvez-vous envoyer un plombier demain matin?', 'fr-fr'],
  ['The breaker in the basement keeps tripping whenever we run the dryer.', 'en'],
  ['Oui, je suis disponible apres quinze heures.', 'fr'],
  ['Thanks, that works. See you Thursday.', 'en-us'],
  ['Il n y a plus d eau chaude dans la salle de bain.', 'fr-fr'],
];
const GAPS_MS = [1000, 1200, 800, 1500, 700, 2000, 900, 1300];
const BABBLE: [string, 'en' | 'fr' | 'en-us' | 'fr-fr', number][] = [
  ['The quick brown fox jumps over the lazy dog near the river bank.', 'en', 180],
  ['Il fait beau aujourd hui et nous allons au marche.', 'fr', 150],
  ['Please hold while I transfer your call to the next available agent.', 'en-us', 140],
  ['Les enfants jouent dans le jardin avec le chien.', 'fr-fr', 190],
  ['Our office hours are nine to five, Monday through Friday.', 'en', 200],
  ['Je voudrais un rendez vous pour la semaine prochaine.', 'fr', 170],
];

interface Condition {
  name: string;
  pcm: Int16Array;
  /** floors asserted on the native segment decision */
  minPrecision: number;
  minRecall: number;
}

interface Score {
  precision: number;
  recall: number;
}

function score(decision: ArrayLike<number>, truth: Uint8Array): Score {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < truth.length; i++) {
    if (decision[i] && truth[i]) tp++;
    else if (decision[i]) fp++;
    else if (truth[i]) fn++;
  }
  return { precision: tp / Math.max(1, tp + fp), recall: tp / Math.max(1, tp + fn) };
}

function corpus(rate: number): { clean: Int16Array; conditions: Condition[] } {
  const pieces = SENTENCES.map(([text, voice]) => speak(text, voice, rate));
  const clean = normalizeActive(withGaps(pieces, GAPS_MS, rate), rate, -22);
  const talkers = BABBLE.map(([text, voice, wpm]) => speak(text, voice, rate, wpm));
  const white = whiteNoise(clean.length, 7);
  const babble = babbleNoise(talkers, clean.length, 9);
  const conditions: Condition[] = [{ name: 'silence', pcm: clean, minPrecision: 0.86, minRecall: 0.95 }];
  const floors: Record<number, [number, number, number, number]> = {
    // [white P, white R, babble P, babble R]
    20: [0.87, 0.92, 0.75, 0.95],
    10: [0.87, 0.88, 0.62, 0.95],
    5: [0.87, 0.83, 0.6, 0.95],
  };
  for (const snr of [20, 10, 5]) {
    const [wp, wr, bp, br] = floors[snr]!;
    conditions.push({ name: `white ${snr} dB`, pcm: mixAtSnr(clean, white, snr, rate), minPrecision: wp, minRecall: wr });
    conditions.push({ name: `babble ${snr} dB`, pcm: mixAtSnr(clean, babble, snr, rate), minPrecision: bp, minRecall: br });
  }
  return { clean, conditions };
}

function runNative(pcm: Int16Array, rate: number, frameMs: number): { prob: Float32Array; speech: Uint8Array } {
  const vad = new FrameVad({ sampleRate: rate });
  const frameSamples = (rate * frameMs) / 1000;
  const frames = Math.floor(pcm.length / frameSamples);
  const prob = new Float32Array(frames);
  const speech = new Uint8Array(frames);
  expect(vad.processFrames(pcm, frameSamples, prob, speech)).toBe(frames);
  return { prob, speech };
}

/** Silero floors [precision, recall] where they differ from white noise's 0.9 / 0.88. */
const SILERO_FLOORS: Record<string, [number, number]> = {
  'babble 20 dB': [0.85, 0.9],
  'babble 10 dB': [0.68, 0.9],
  'babble 5 dB': [0.58, 0.9],
};

const fmt = (s: Score): string => `${s.precision.toFixed(3)} / ${s.recall.toFixed(3)}`;

describe('VAD precision and recall on espeak-ng speech', () => {
  let wide: ReturnType<typeof corpus>;
  let narrow: ReturnType<typeof corpus>;
  beforeAll(() => {
    wide = corpus(16000);
    narrow = corpus(8000);
  });

  it('native VAD meets its floors at 16 kHz (20 ms frames) and 8 kHz (10 ms frames)', () => {
    const rows: Record<string, string>[] = [];
    const failures: string[] = [];
    for (const [rate, frameMs, set] of [[16000, 20, wide], [8000, 10, narrow]] as const) {
      const truth = speechActivity(set.clean, rate, frameMs);
      for (const c of set.conditions) {
        const { prob, speech } = runNative(c.pcm, rate, frameMs);
        const seg = score(speech, truth);
        const raw = score(Array.from(prob, (p) => (p >= 0.5 ? 1 : 0)), truth);
        rows.push({ rate: `${rate / 1000} kHz/${frameMs} ms`, condition: c.name, 'speech P / R': fmt(seg), 'raw frame P / R': fmt(raw) });
        if (seg.precision < c.minPrecision || seg.recall < c.minRecall) {
          failures.push(`${rate} ${c.name}: ${fmt(seg)} below ${c.minPrecision} / ${c.minRecall}`);
        }
      }
    }
    console.log('native frame VAD (precision / recall)');
    console.table(rows);
    expect(failures).toEqual([]);
  });

  it('Silero v5, batched across conditions, meets its floors; the native gate keeps speech', async () => {
    const silero = await SileroBatcher.create({ gateProbability: 0 });
    const gated = await SileroBatcher.create({ gateProbability: 0.15 });
    const conditions = wide.conditions;
    const frame = 320;
    const nativeProb = conditions.map((c) => runNative(c.pcm, 16000, 20).prob);
    conditions.forEach((c) => {
      silero.addCall(c.name);
      gated.addCall(c.name);
    });
    const probs = new Map<string, number[]>(conditions.map((c) => [c.name, []]));
    const gatedProbs = new Map<string, number[]>(conditions.map((c) => [c.name, []]));
    const frames = Math.floor(wide.clean.length / frame);
    for (let f = 0; f < frames; f++) {
      conditions.forEach((c, i) => {
        const pcm = c.pcm.subarray(f * frame, (f + 1) * frame);
        silero.pushFrame(c.name, pcm, 1);
        gated.pushFrame(c.name, pcm, nativeProb[i]![f]!);
      });
      while (silero.hasWork()) for (const r of await silero.run()) probs.get(r.callId)!.push(r.probability);
      while (gated.hasWork()) for (const r of await gated.run()) gatedProbs.get(r.callId)!.push(r.probability);
    }
    const truth = speechActivity(wide.clean, 16000, (SILERO_CHUNK * 1000) / 16000);
    const rows: Record<string, string>[] = [];
    const failures: string[] = [];
    for (const c of conditions) {
      const p = probs.get(c.name)!;
      const g = gatedProbs.get(c.name)!;
      const t = truth.subarray(0, p.length);
      const ungatedScore = score(p.map((x) => (x >= 0.5 ? 1 : 0)), t);
      const gatedScore = score(g.map((x) => (x >= 0.5 ? 1 : 0)), t);
      rows.push({ condition: c.name, 'Silero P / R': fmt(ungatedScore), 'gated Silero P / R': fmt(gatedScore) });
      const [minP, minR] = SILERO_FLOORS[c.name] ?? [0.9, 0.88];
      for (const [label, sc] of [['ungated', ungatedScore], ['gated', gatedScore]] as const) {
        if (sc.precision < minP || sc.recall < minR) failures.push(`${label} ${c.name}: ${fmt(sc)} below ${minP} / ${minR}`);
      }
      // Gating may only lose what the native VAD missed: recall within 5 points.
      if (gatedScore.recall < ungatedScore.recall - 0.05) failures.push(`gating cost recall in ${c.name}`);
    }
    console.log('Silero v5 per 32 ms chunk (precision / recall)');
    console.table(rows);
    console.log('gating', gated.stats);
    expect(failures).toEqual([]);
    expect(gated.stats.chunksGated).toBeGreaterThan(0);
    await silero.close();
    await gated.close();
  });
});
