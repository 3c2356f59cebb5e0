/** Speech-to-text behind one small interface: audio frames in, transcripts out. */
import type { Language } from '../tts/types.js';

export type { Language };

export interface Transcript {
  kind: 'partial' | 'final';
  text: string;
  /** Language of the speech when the provider knows it. */
  language: Language | undefined;
  /** Utterance span in milliseconds on the stream's clock (the caller's first frame is 0). */
  startMs: number;
  endMs: number;
  provider: string;
}

/** One VAD-cut utterance handed to an utterance-based recognizer. */
export interface Utterance {
  /** 16 kHz mono samples. */
  pcm: Int16Array;
  /** Trade terms, street names and other words to favour. */
  vocabulary: readonly string[];
  /** Expected language, if known. */
  language?: Language;
  signal?: AbortSignal;
}

export interface UtteranceResult {
  text: string;
  language: Language | undefined;
  /** The provider that produced the text, when a wrapper chose between several. */
  provider?: string;
}

/** The provider side: recognizes one utterance at a time (both implementations are utterance-based). */
export interface SttProvider {
  readonly id: string;
  /** Languages this recognizer understands; an English-only recognizer says `['en']`. */
  readonly languages: readonly Language[];
  /** Throws `SttError` on failure; rejects with an `AbortError` when `signal` aborts. */
  recognize(utt: Utterance): Promise<UtteranceResult>;
  close(): Promise<void>;
}

export class SttError extends Error {
  constructor(message: string, readonly provider: string, readonly retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SttError';
  }
}
