import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAiClient } from '../../src/providers/openai-client.js';
import { FallbackStt } from '../../src/providers/stt/fallback.js';
import { OpenAiStt } from '../../src/providers/stt/openai.js';
import { PocketsphinxStt } from '../../src/providers/stt/pocketsphinx.js';
import type { SttProvider } from '../../src/providers/stt/types.js';
import { EspeakTts } from '../../src/providers/tts/espeak.js';
import { FallbackTts } from '../../src/providers/tts/fallback.js';
import { OpenAiTts } from '../../src/providers/tts/openai.js';
import { PhraseCache } from '../../src/providers/tts/phrase-cache.js';
import type { TtsProvider } from '../../src/providers/tts/types.js';
import { APOLOGIES, LANGUAGE_NOTICES } from '../../src/pipeline/call-pipeline.js';
import type { PipelineConfigInput } from '../../src/pipeline/config.js';
import { startAudioStub, type AudioStub } from '../providers/audio-stub.js';
import { callerSpeech, rig, waitFor, type Rig, type ScriptedReply } from './harness.js';

const espeak = new EspeakTts({ poolSize: 2 });
const pocketsphinx = new PocketsphinxStt({ poolSize: 1 });
const phrases = new PhraseCache(espeak);
let stub: AudioStub;
let openaiStt: OpenAiStt;
let openaiTts: OpenAiTts;
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  stub = await startAudioStub();
  const client = createOpenAiClient({ apiKey: 'k', baseURL: stub.baseURL });
  openaiStt = new OpenAiStt(client, { model: 'whisper-1' });
  openaiTts = new OpenAiTts(client);
  await espeak.ready();
  pocketsphinx.warm([]);
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
  stub.opts.transcription = {};
  stub.opts.speech = {};
});
afterAll(async () => {
  await espeak.close();
  await pocketsphinx.close();
  await stub.close();
});

function make(replies: ScriptedReply[], stt: SttProvider, config?: PipelineConfigInput, tts: TtsProvider = espeak): Rig {
  const r = rig({ stt, tts, phrases, replies, ...(config ? { config } : {}) });
  cleanups.push(() => r.close());
  return r;
}

async function say(r: Rig, text: string): Promise<void> {
  await r.caller.play(await callerSpeech(espeak, text));
  await r.caller.silence(300);
}

async function apologyFrames(): Promise<number> {
  return (await phrases.get('demo', 'en', APOLOGIES.en)).pcm.length;
}

describe('failure injection: the call goes on', () => {
  it('STT failing: the offline recognizer takes the utterance', async () => {
    stub.opts.transcription = { fail: { status: 500 } };
    const stt = new FallbackStt(openaiStt, pocketsphinx, { budgetMs: 1000, cooldownMs: 0 });
    const r = make([{ text: 'Okay.' }], stt);
    await say(r, 'My furnace stopped working.');
    await waitFor(() => r.turns.length === 1, 10_000, 'turn');
    expect(r.turns[0]!.outcome).toBe('replied');
    expect(r.turns[0]!.sttProvider).toBe('pocketsphinx');
    expect(r.turns[0]!.callerText).toContain('furnace');
  });

  it('STT failing with no fallback: the caller hears an apology, the next turn works', async () => {
    stub.opts.transcription = { fail: { status: 500, times: 1 }, text: 'my furnace stopped working' };
    const r = make([{ text: 'Okay.' }], openaiStt);
    await say(r, 'My furnace stopped working.');
    await waitFor(() => r.turns.length === 1 && r.sink.sent.length >= 30, 10_000, 'apology');
    expect(r.turns[0]!.outcome).toBe('error');
    expect(r.sink.sent.length).toBeGreaterThanOrEqual(Math.min(30, await apologyFrames()));
    await waitFor(() => !r.pipeline.agentSpeaking, 10_000, 'apology to end');
    await say(r, 'My furnace stopped working.');
    await waitFor(() => r.turns.length === 2, 10_000, 'second turn');
    expect(r.turns[1]!.outcome).toBe('replied');
  });

  it('LLM failing: an apology instead of dead air, then the next turn works', async () => {
    stub.opts.transcription = { text: 'hello' };
    const r = make([{ text: '', fail: true }, { text: 'Hello, how can I help?' }], openaiStt);
    await say(r, 'Hello.');
    await waitFor(() => r.turns.length === 1, 10_000, 'failed turn');
    expect(r.turns[0]!.outcome).toBe('error');
    await waitFor(() => r.sink.voicedBetween(0) > 20, 5000, 'apology audio');
    await waitFor(() => !r.pipeline.agentSpeaking, 10_000, 'apology to end');
    await say(r, 'Hello.');
    await waitFor(() => r.turns.length === 2, 10_000, 'second turn');
    expect(r.turns[1]!.outcome).toBe('replied');
  });

  it('LLM stalling: a filler at the budget, then an apology at the give-up budget', async () => {
    stub.opts.transcription = { text: 'hello' };
    const r = make([{ text: '', stall: true }], openaiStt, { budgets: { llmFirstTokenMs: 300, giveUpMs: 1500 } });
    await say(r, 'Hello.');
    await waitFor(() => r.turns.length === 1, 10_000, 'abandoned turn');
    const t = r.turns[0]!;
    expect(t.outcome).toBe('error');
    expect(t.fillerPlayed).toBe(true);
    expect(t.budgetsExceeded).toEqual(['llm', 'reply']);
    expect(r.responder.calls[0]!.aborted).toBe(true);
    await waitFor(() => r.sink.voicedBetween(0) > 40, 10_000, 'filler and apology audio');
  });

  it('TTS stalling mid-call: espeak-ng speaks the sentence instead', async () => {
    stub.opts.transcription = { text: 'hello' };
    stub.opts.speech = { fail: { stall: true, times: 1 } };
    const tts = new FallbackTts(openaiTts, espeak, { firstAudioBudgetMs: 300, cooldownMs: 0 });
    const r = make([{ text: 'Hello there, how can I help you today?' }], openaiStt, undefined, tts);
    await say(r, 'Hello.');
    await waitFor(() => r.turns.length === 1, 10_000, 'turn');
    expect(r.turns[0]!.outcome).toBe('replied');
    // First sentence piece from espeak-ng after the stall, the rest from the stub again.
    expect(stub.opts.counts.speech).toBeGreaterThanOrEqual(2);
    expect(r.sink.voicedBetween(0)).toBeGreaterThan(40);
  });

  it('TTS stream dropped mid-sentence: the reply goes on with the next sentence', async () => {
    stub.opts.transcription = { text: 'hello' };
    stub.opts.speech = { dropAfterChunks: 3 };
    const tts = new FallbackTts(openaiTts, espeak, { firstAudioBudgetMs: 1000 });
    const r = make([{ text: 'Hello there. How can I help you today?' }], openaiStt, undefined, tts);
    await say(r, 'Hello.');
    await waitFor(() => r.turns.length === 1, 10_000, 'turn');
    expect(r.turns[0]!.outcome).toBe('replied');
    const tts_ = r.metrics.filter((m) => m.type === 'tts_metrics');
    expect(tts_.length).toBe(2);
    expect(r.sink.voicedBetween(0)).toBeGreaterThan(30);
  });
});

describe('an English-only recognizer and a French caller', () => {
  it('says so in French and goes on in a degraded mode', async () => {
    const sink = rig({ stt: pocketsphinx, tts: espeak, phrases, replies: [], greeting: { text: 'Bonjour, comment puis-je vous aider?', language: 'fr' } });
    cleanups.push(() => sink.close());
    const notice = await phrases.get('demo', 'fr', LANGUAGE_NOTICES.fr);
    void sink.pipeline.start();
    await waitFor(() => sink.sink.sent.length > notice.pcm.length, 15_000, 'the notice, then the greeting');
    expect(sink.degraded).toEqual([{ language: 'fr', reason: 'speech recognition supports en only' }]);
  });
});
