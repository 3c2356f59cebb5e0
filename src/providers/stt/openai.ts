/**
 * OpenAI-compatible STT: each VAD-cut utterance is sent as a WAV file to
 * `POST /audio/transcriptions` as soon as it ends, with the tenant vocabulary as prompt.
 * That API transcribes whole files, so this provider gives final transcripts only
 * (no `streamPartials`).
 */
import type OpenAI from 'openai';
import { toFile } from 'openai';
import { encodeWav, PIPELINE_RATE } from '../audio/pcm.js';
import { isAbort, isRetryable } from '../openai-client.js';
import { SttError, type Language, type SttProvider, type Utterance, type UtteranceResult } from './types.js';

export interface OpenAiSttOptions {
  /** Default "gpt-4o-mini-transcribe"; "whisper-1" also reports the language. */
  model?: string;
}

const LANGUAGE_NAMES: Record<string, Language> = { en: 'en', english: 'en', fr: 'fr', french: 'fr' };

export function normalizeLanguage(lang: string | undefined): Language | undefined {
  return lang ? LANGUAGE_NAMES[lang.toLowerCase().slice(0, 7).trim()] ?? LANGUAGE_NAMES[lang.toLowerCase().slice(0, 2)] : undefined;
}

export class OpenAiStt implements SttProvider {
  readonly id = 'openai-stt';
  readonly languages: readonly Language[] = ['en', 'fr'];
  private readonly model: string;

  constructor(private readonly client: OpenAI, opts: OpenAiSttOptions = {}) {
    this.model = opts.model ?? 'gpt-4o-mini-transcribe';
  }

  async recognize(utt: Utterance): Promise<UtteranceResult> {
    utt.signal?.throwIfAborted();
    const verbose = this.model.startsWith('whisper');
    const prompt = utt.vocabulary.length ? `Vocabulary: ${utt.vocabulary.join(', ')}.` : undefined;
    try {
      const file = await toFile(encodeWav(utt.pcm, PIPELINE_RATE), 'utterance.wav', { type: 'audio/wav' });
      const res = await this.client.audio.transcriptions.create(
        {
          file,
          model: this.model,
          response_format: verbose ? 'verbose_json' : 'json',
          ...(prompt ? { prompt } : {}),
          ...(utt.language ? { language: utt.language } : {}),
        },
        utt.signal ? { signal: utt.signal } : undefined,
      );
      const reported = (res as { language?: string }).language;
      return { text: res.text.trim(), language: normalizeLanguage(reported) ?? utt.language };
    } catch (err) {
      if (isAbort(err, utt.signal)) throw new DOMException('recognition aborted', 'AbortError');
      throw new SttError(`transcription failed: ${err instanceof Error ? err.message : String(err)}`, this.id, isRetryable(err), { cause: err });
    }
  }

  async close(): Promise<void> {}
}
