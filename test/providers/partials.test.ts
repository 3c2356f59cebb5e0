/**
 * Partial transcripts from the offline recognizer: real pocketsphinx decoders fed espeak-ng
 * speech frame by frame, as the pipeline feeds them while the caller speaks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatPcm, FRAME_SAMPLES, StreamingResampler } from '../../src/providers/audio/pcm.js';
import { PocketsphinxStt } from '../../src/providers/stt/pocketsphinx.js';
import type { PartialResult, PartialStream } from '../../src/providers/stt/types.js';
import { EspeakTts } from '../../src/providers/tts/espeak.js';

const tts = new EspeakTts({ poolSize: 1 });
const stt = new PocketsphinxStt({ poolSize: 1, partialPoolSize: 1 });
const vocabulary = ['furnace'];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function say(text: string): Promise<Int16Array> {
  const chunks: Int16Array[] = [];
  for await (const c of tts.synthesize({ text, language: 'en' })) chunks.push(c);
  return new StreamingResampler(tts.sampleRate, 16000).push(concatPcm(chunks));
}

/** Writes `pcm` frame by frame (4× real time), then waits for the decoder to catch up. */
async function feed(stream: PartialStream, pcm: Int16Array): Promise<void> {
  for (let i = 0; i + FRAME_SAMPLES <= pcm.length; i += FRAME_SAMPLES) {
    stream.write(pcm.subarray(i, i + FRAME_SAMPLES));
    if ((i / FRAME_SAMPLES) % 4 === 3) await sleep(20);
  }
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(20);
  }
}

beforeAll(async () => {
  await tts.ready();
  stt.warm(vocabulary);
});
afterAll(async () => {
  await tts.close();
  await stt.close();
});

describe('pocketsphinx partial transcripts', () => {
  it('reports the words so far while an utterance is fed, growing with the audio', async () => {
    const pcm = await say('My furnace stopped working.');
    const partials: PartialResult[] = [];
    const stream = stt.streamPartials({ vocabulary, onPartial: (p) => partials.push(p) })!;
    expect(stream).toBeDefined();
    await feed(stream, pcm);
    await until(() => partials.some((p) => /working/.test(p.text)));
    stream.close();
    expect(partials.length).toBeGreaterThanOrEqual(2);
    expect(partials.every((p) => p.language === 'en' && p.text.length > 0)).toBe(true);
    // Each partial covers more audio than the one before, and none covers more than was written.
    for (let i = 1; i < partials.length; i++) expect(partials[i]!.audioMs).toBeGreaterThan(partials[i - 1]!.audioMs);
    expect(partials.at(-1)!.audioMs).toBeLessThanOrEqual((pcm.length / 16000) * 1000);
    // The early partials already had words before the utterance was over.
    expect(partials[0]!.audioMs).toBeLessThan((pcm.length / 16000) * 1000 * 0.8);
  });

  it('reuses its decoder for the next utterance, gives none while it is busy, and says nothing after close', async () => {
    const pids = stt.partialPids(vocabulary);
    const first: PartialResult[] = [];
    const a = stt.streamPartials({ vocabulary, onPartial: (p) => first.push(p) })!;
    // One decoder in the pool, and it is taken: no partials for a second utterance right now.
    expect(stt.streamPartials({ vocabulary, onPartial: () => undefined })).toBeUndefined();
    const yes = await say('Yes, the water heater is leaking.');
    await feed(a, yes.subarray(0, Math.floor(yes.length / 2)));
    a.close();
    const afterClose = first.length;
    const second: PartialResult[] = [];
    const b = stt.streamPartials({ vocabulary, onPartial: (p) => second.push(p) })!;
    expect(b).toBeDefined();
    await feed(b, await say('My furnace stopped working.'));
    await until(() => second.some((p) => /working/.test(p.text)));
    b.close();
    expect(first).toHaveLength(afterClose);
    // The second utterance's partials start from its own audio, not the first one's.
    expect(second[0]!.audioMs).toBeLessThan(1500);
    expect(stt.partialPids(vocabulary)).toEqual(pids);
  });

  it('goes on with finals only when its decoder dies, without starting a process per utterance', async () => {
    const [pid] = stt.partialPids(vocabulary);
    process.kill(pid!, 'SIGKILL');
    await until(() => {
      try {
        process.kill(pid!, 0);
        return false;
      } catch {
        return true;
      }
    });
    await sleep(50);
    // The dead decoder is dropped and no new one is started right away: no partials for now.
    expect(stt.streamPartials({ vocabulary, onPartial: () => undefined })).toBeUndefined();
    expect(stt.streamPartials({ vocabulary, onPartial: () => undefined })).toBeUndefined();
    expect(stt.partialPids(vocabulary)).toEqual([]);
    // Finals are unaffected.
    const furnace = await stt.recognize({ pcm: await say('My furnace stopped working.'), vocabulary });
    expect(furnace.text).toContain('stopped working');
  });
});
