import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAiClient } from '../../src/providers/openai-client.js';
import { OpenAiStt } from '../../src/providers/stt/openai.js';
import { OpenAiTts } from '../../src/providers/tts/openai.js';
import { FallbackStt } from '../../src/providers/stt/fallback.js';
import { FallbackTts } from '../../src/providers/tts/fallback.js';
import { EspeakTts } from '../../src/providers/tts/espeak.js';
import { PocketsphinxStt } from '../../src/providers/stt/pocketsphinx.js';
import { SttError } from '../../src/providers/stt/types.js';
import { TtsError, type TtsProvider, type TtsRequest } from '../../src/providers/tts/types.js';
import { concatPcm, rms, StreamingResampler } from '../../src/providers/audio/pcm.js';
import { speak } from '../support/espeak.js';
import { startAudioStub, type AudioStub } from './audio-stub.js';

let stub: AudioStub;
let stt: OpenAiStt;
let tts: OpenAiTts;

beforeAll(async () => {
  stub = await startAudioStub();
  const client = createOpenAiClient({ apiKey: 'test-key', baseURL: stub.baseURL });
  stt = new OpenAiStt(client, { model: 'whisper-1' });
  tts = new OpenAiTts(client);
});
afterAll(async () => {
  await stub.close();
});
beforeEach(() => {
  stub.opts.transcription = {};
  stub.opts.speech = {};
});

async function collect(t: TtsProvider, req: TtsRequest): Promise<Int16Array> {
  const out: Int16Array[] = [];
  for await (const c of t.synthesize(req)) out.push(c);
  return concatPcm(out);
}

describe('OpenAI-compatible STT through the stub', () => {
  it('sends the utterance as WAV with the vocabulary prompt and returns text and language', async () => {
    stub.opts.transcription = { text: 'My furnace stopped working.', language: 'english' };
    const pcm = speak('my furnace stopped working', 'en', 16000);
    const r = await stt.recognize({ pcm, vocabulary: ['furnace', 'Décarie'] });
    expect(r).toEqual({ text: 'My furnace stopped working.', language: 'en' });
    const sent = stub.opts.log.transcriptions.at(-1)!;
    expect(sent.audio.subarray(0, 4).toString()).toBe('RIFF');
    expect(sent.audio.length).toBe(44 + pcm.length * 2);
    expect(sent.prompt).toContain('Décarie');
    expect(sent.model).toBe('whisper-1');
  });

  it('turns a 500 into a retryable SttError', async () => {
    stub.opts.transcription = { fail: { status: 500 } };
    const err = await stt.recognize({ pcm: new Int16Array(1600), vocabulary: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SttError);
    expect((err as SttError).retryable).toBe(true);
  });

  it('falls back to pocketsphinx when the primary stalls past its budget', async () => {
    stub.opts.transcription = { fail: { stall: true } };
    const offline = new PocketsphinxStt({ poolSize: 1 });
    const reasons: string[] = [];
    const fb = new FallbackStt(stt, offline, { budgetMs: 300, onFallback: (r) => reasons.push(r) });
    try {
      const tts2 = new EspeakTts({ poolSize: 1 });
      const pcm = new StreamingResampler(22050, 16000).push(await collect(tts2, { text: 'Yes.', language: 'en' }));
      await tts2.close();
      const r = await fb.recognize({ pcm, vocabulary: [] });
      expect(r.provider).toBe('pocketsphinx');
      expect(r.text).toBe('yes');
      expect(reasons).toEqual(['budget exceeded']);
      expect(fb.languages).toEqual(['en', 'fr']);
    } finally {
      await offline.close();
    }
  });
});

describe('OpenAI-compatible TTS through the stub', () => {
  it('streams 24 kHz PCM in several chunks', async () => {
    stub.opts.speech = { chunkMs: 40, chunkDelayMs: 5 };
    let chunks = 0;
    const out: Int16Array[] = [];
    for await (const c of tts.synthesize({ text: 'Okay, one moment.', language: 'en' })) {
      chunks++;
      out.push(c);
    }
    const pcm = concatPcm(out);
    expect(chunks).toBeGreaterThan(5);
    // 17 characters at 55 ms each, at 24 kHz.
    expect(pcm.length).toBe(Math.round(17 * 55 * 24));
    expect(rms(pcm)).toBeGreaterThan(1000);
    expect(stub.opts.log.speech.at(-1)).toMatchObject({ input: 'Okay, one moment.', voice: 'alloy' });
  });

  it('throws a TtsError for a dropped stream', async () => {
    stub.opts.speech = { dropAfterChunks: 2, chunkDelayMs: 5 };
    await expect(collect(tts, { text: 'This stream will break in the middle.', language: 'en' })).rejects.toBeInstanceOf(TtsError);
  });

  it('falls back to espeak-ng when first audio is over budget; skips the primary only after failures in a row', async () => {
    stub.opts.speech = { firstByteDelayMs: 5000 };
    const espeak = new EspeakTts({ poolSize: 1 });
    const reasons: string[] = [];
    const fb = new FallbackTts(tts, espeak, { firstAudioBudgetMs: 200, failuresToOpen: 2, onFallback: (r) => reasons.push(r) });
    try {
      const before = stub.opts.counts.speech;
      const a = await collect(fb, { text: 'Okay, one moment.', language: 'en' });
      expect(a.length).toBeGreaterThan(8000);
      expect(reasons).toEqual(['first audio over budget']);
      // One miss is not enough to skip the primary: it is asked again, misses again, and the circuit opens.
      await collect(fb, { text: 'Still there?', language: 'en' });
      expect(stub.opts.counts.speech - before).toBe(2);
      const b = await collect(fb, { text: "D'accord, un instant.", language: 'fr' });
      expect(b.length).toBeGreaterThan(8000);
      expect(stub.opts.counts.speech - before).toBe(2);
      expect(reasons).toHaveLength(2);
    } finally {
      await espeak.close();
    }
  });

  it('serves from the primary at the pipeline rate when it is healthy', async () => {
    const never: TtsProvider = {
      id: 'never', sampleRate: 16000, languages: ['en'], voiceFor: () => 'x',
      synthesize: () => { throw new Error('fallback must not be used'); },
      close: async () => undefined,
    };
    const fb = new FallbackTts(tts, never, { firstAudioBudgetMs: 2000 });
    const pcm = await collect(fb, { text: 'Hello.', language: 'en' });
    expect(Math.abs(pcm.length - Math.round(6 * 55 * 16))).toBeLessThanOrEqual(2);
  });
});
