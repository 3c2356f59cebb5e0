/**
 * Chooses the speech providers: offline (pocketsphinx + espeak-ng) without a
 * key; with OPENAI_API_KEY (and optional OPENAI_BASE_URL) the OpenAI-compatible
 * ones, each backed by its offline counterpart as fallback.
 */
import { z } from 'zod';
import type { Logger } from '../observability/logger.js';
import { createOpenAiClient } from './openai-client.js';
import { FallbackStt } from './stt/fallback.js';
import { OpenAiStt } from './stt/openai.js';
import { PocketsphinxStt } from './stt/pocketsphinx.js';
import type { SttProvider } from './stt/types.js';
import { EspeakTts } from './tts/espeak.js';
import { FallbackTts } from './tts/fallback.js';
import { OpenAiTts } from './tts/openai.js';
import { PhraseCache, type FrameEncoders } from './tts/phrase-cache.js';
import type { TtsProvider } from './tts/types.js';

const SpeechEnvSchema = z.object({
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  OPENAI_STT_MODEL: z.string().min(1).default('gpt-4o-mini-transcribe'),
  OPENAI_TTS_MODEL: z.string().min(1).default('gpt-4o-mini-tts'),
  OPENAI_TTS_VOICE: z.string().min(1).default('alloy'),
});

export type ProviderMode = 'auto' | 'offline' | 'openai';

export interface SpeechProviders {
  mode: 'offline' | 'openai';
  stt: SttProvider;
  tts: TtsProvider;
  phrases: PhraseCache;
  close(): Promise<void>;
}

export interface SpeechProviderOptions {
  mode?: ProviderMode;
  /** Primary STT time before the offline recognizer takes over (the tenant's sttFinalMs). */
  sttBudgetMs?: number;
  /** Primary TTS time to first audio before espeak-ng speaks instead (the tenant's ttsFirstAudioMs). */
  ttsFirstAudioMs?: number;
  /** Encoders for pre-encoded phrase frames (e.g. Opus from the media layer). */
  encoders?: FrameEncoders;
  logger?: Logger;
}

export function createSpeechProviders(env: NodeJS.ProcessEnv = process.env, opts: SpeechProviderOptions = {}): SpeechProviders {
  const parsed = SpeechEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`invalid speech provider settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const e = parsed.data;
  const mode = opts.mode ?? 'auto';
  if (mode === 'openai' && !e.OPENAI_API_KEY) throw new Error('OPENAI_API_KEY is required for the openai speech providers');
  const logger = opts.logger;
  const offlineStt = new PocketsphinxStt(logger ? { logger } : {});
  const espeak = new EspeakTts(logger ? { logger } : {});
  let stt: SttProvider = offlineStt;
  let tts: TtsProvider = espeak;
  const online = mode !== 'offline' && e.OPENAI_API_KEY !== undefined;
  if (online) {
    const client = createOpenAiClient({ apiKey: e.OPENAI_API_KEY!, ...(e.OPENAI_BASE_URL ? { baseURL: e.OPENAI_BASE_URL } : {}) });
    stt = new FallbackStt(new OpenAiStt(client, { model: e.OPENAI_STT_MODEL }), offlineStt, {
      ...(opts.sttBudgetMs !== undefined ? { budgetMs: opts.sttBudgetMs } : {}),
      ...(logger ? { logger } : {}),
    });
    tts = new FallbackTts(new OpenAiTts(client, { model: e.OPENAI_TTS_MODEL, voices: { en: e.OPENAI_TTS_VOICE, fr: e.OPENAI_TTS_VOICE } }), espeak, {
      ...(opts.ttsFirstAudioMs !== undefined ? { firstAudioBudgetMs: opts.ttsFirstAudioMs } : {}),
      ...(logger ? { logger } : {}),
    });
  }
  const phrases = new PhraseCache(tts, opts.encoders ? { encoders: opts.encoders } : {});
  return {
    mode: online ? 'openai' : 'offline',
    stt,
    tts,
    phrases,
    close: async () => {
      // The fallback wrappers close their offline halves too.
      await Promise.all(online ? [stt.close(), tts.close()] : [offlineStt.close(), espeak.close()]);
    },
  };
}
