/** Text-to-speech behind one small interface: text in, PCM chunks out at a declared rate. */

export type Language = 'en' | 'fr';

export interface TtsRequest {
  text: string;
  language: Language;
  /** Provider-specific voice name; the provider's default for `language` when absent. */
  voice?: string;
  signal?: AbortSignal;
}

export interface TtsProvider {
  /** Stable id used in logs, metrics and phrase-cache keys ("espeak", "openai"). */
  readonly id: string;
  /** Sample rate of every chunk `synthesize` yields (16-bit mono). */
  readonly sampleRate: number;
  readonly languages: readonly Language[];
  /** The voice used for `language` when a request names none (part of the cache key). */
  voiceFor(language: Language): string;
  /**
   * Streams the audio of `text` as it is produced. Aborting `signal` ends the
   * iteration early without an error; a provider failure throws `TtsError`.
   */
  synthesize(req: TtsRequest): AsyncIterable<Int16Array>;
  close(): Promise<void>;
}

export class TtsError extends Error {
  constructor(message: string, readonly provider: string, readonly retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TtsError';
  }
}
