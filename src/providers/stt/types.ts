/**
 * Speech-to-text behind one small interface: audio frames in, partial and final
 * transcripts out. Finals come from `recognize` on each VAD-cut utterance; partials,
 * from recognizers that can decode while the caller speaks, from `streamPartials`.
 */
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

/** A partial hypothesis: the words so far of an utterance still being spoken. */
export interface PartialResult {
  text: string;
  language: Language | undefined;
  /** Audio decoded so far, ms from the stream's first frame. */
  audioMs: number;
}

export interface PartialStreamOptions {
  vocabulary: readonly string[];
  /** Called whenever the hypothesis so far changes. */
  onPartial(p: PartialResult): void;
}

/** An utterance fed to the recognizer as it is spoken. */
export interface PartialStream {
  /** One 20 ms frame of 16 kHz mono audio (copied before return). */
  write(frame: Int16Array): void;
  /** The utterance is over: no more partials; the recognizer goes back to its pool. */
  close(): void;
}

/** The provider side: final transcripts per utterance, partials where the recognizer can stream. */
export interface SttProvider {
  readonly id: string;
  /** Languages this recognizer understands; an English-only recognizer says `['en']`. */
  readonly languages: readonly Language[];
  /** The final transcript of one utterance. Throws `SttError` on failure; rejects with an `AbortError` when `signal` aborts. */
  recognize(utt: Utterance): Promise<UtteranceResult>;
  /**
   * Partial transcripts while the caller speaks. Absent on recognizers that only take
   * whole utterances (the OpenAI transcription API); `undefined` when no streaming
   * decoder is free right now (the utterance then gets its final only).
   */
  streamPartials?(opts: PartialStreamOptions): PartialStream | undefined;
  close(): Promise<void>;
}

export class SttError extends Error {
  constructor(message: string, readonly provider: string, readonly retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SttError';
  }
}
