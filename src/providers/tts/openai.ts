/** OpenAI-compatible TTS: `POST /audio/speech` with response_format "pcm" (24 kHz s16le), read as it streams. */
import type OpenAI from 'openai';
import { S16leReader } from '../audio/pcm.js';
import { isAbort, isRetryable } from '../openai-client.js';
import { TtsError, type Language, type TtsProvider, type TtsRequest } from './types.js';

export interface OpenAiTtsOptions {
  /** Default "gpt-4o-mini-tts". */
  model?: string;
  voices?: Partial<Record<Language, string>>;
}

export class OpenAiTts implements TtsProvider {
  readonly id = 'openai-tts';
  readonly sampleRate = 24_000;
  readonly languages: readonly Language[] = ['en', 'fr'];
  private readonly model: string;
  private readonly voices: Record<Language, string>;

  constructor(private readonly client: OpenAI, opts: OpenAiTtsOptions = {}) {
    this.model = opts.model ?? 'gpt-4o-mini-tts';
    this.voices = { en: 'alloy', fr: 'alloy', ...opts.voices };
  }

  voiceFor(language: Language): string {
    return this.voices[language];
  }

  async *synthesize(req: TtsRequest): AsyncIterable<Int16Array> {
    const text = req.text.trim();
    if (!text || req.signal?.aborted) return;
    const reader = new S16leReader();
    let body: ReadableStream<Uint8Array> | null;
    try {
      const res = await this.client.audio.speech.create(
        { model: this.model, voice: req.voice ?? this.voiceFor(req.language), input: text, response_format: 'pcm' },
        req.signal ? { signal: req.signal } : undefined,
      );
      body = res.body;
    } catch (err) {
      if (isAbort(err, req.signal)) return;
      throw new TtsError(`speech failed: ${err instanceof Error ? err.message : String(err)}`, this.id, isRetryable(err), { cause: err });
    }
    if (!body) throw new TtsError('speech response has no body', this.id, true);
    const it = body.getReader();
    try {
      for (;;) {
        const { value, done } = await it.read();
        if (done) return;
        const pcm = reader.push(value);
        if (pcm.length) yield pcm;
      }
    } catch (err) {
      if (isAbort(err, req.signal)) return;
      throw new TtsError(`speech stream broke: ${err instanceof Error ? err.message : String(err)}`, this.id, true, { cause: err });
    } finally {
      it.cancel().catch(() => undefined);
    }
  }

  async close(): Promise<void> {}
}
