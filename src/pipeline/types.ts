/** The pipeline's boundaries: the dialog it drives, the audio sink it feeds, the events it consumes. */
import type { Language } from '../providers/tts/types.js';

export type { Language };

/** A streamed piece of the agent's reply; the receptionist's `ReplyChunk` satisfies it. */
export type ResponderChunk =
  | { type: 'text'; text: string; language: Language }
  | {
      type: 'final';
      text: string;
      language: Language;
      endCall: boolean;
      transferTo: string | null;
      /** The kind of answer the reply asks for, when the dialog knows it (drives the end-of-turn wait). */
      expecting?: DialogExpecting;
    };

/** What the dialog's question expects; `number` is the receptionist's phone-number question. */
export type DialogExpecting = 'yes_no' | 'number' | 'time' | 'name' | 'address' | 'open' | null;

/**
 * The dialog as the pipeline sees it (the receptionist's session satisfies it
 * structurally). Aborting `respond`'s signal must leave no trace in the
 * dialog, so speculative generation is safe.
 */
export interface Responder {
  greeting(): { text: string; language: Language } | Promise<{ text: string; language: Language }>;
  respond(callerText: string, opts: { signal: AbortSignal; language?: Language }): AsyncIterable<ResponderChunk>;
  /** After a barge-in: what the caller actually heard of the last reply. */
  commitHeard(heardText: string): void;
}

/**
 * A frame's packet encoded ahead of time (cached phrases are encoded once, by the
 * encoder port the media layer gives the phrase cache), named by its format.
 */
export interface EncodedFrame {
  format: string;
  packet: Uint8Array;
}

/**
 * Where the agent's audio goes: the media layer Opus-encodes and paces one
 * frame every 20 ms on the wire.
 */
export interface AgentAudioSink {
  /**
   * Queues one 20 ms frame of 16 kHz mono PCM (320 samples). With `encoded` in the
   * sink's `encodedFormat`, that packet is sent as is (the PCM still feeds the barge-in detector).
   * The sink may keep `frame` itself until it is sent: the writer must not change it afterwards
   * (frames cut from a FrameSlab never change).
   */
  write(frame: Int16Array, encoded?: EncodedFrame): void;
  /** The packet format the sink sends without encoding; absent when it takes PCM only. */
  readonly encodedFormat?: string;
  /** Drops every queued frame at once (barge-in); returns how many were dropped unsent. */
  flush(): number;
  /** Frames queued and not yet sent. */
  pending(): number;
}

/** Voice activity from the media layer, times on the call's media clock in ms. */
export type VadEvent =
  | { kind: 'onset'; atMs: number; probability?: number }
  | { kind: 'offset'; atMs: number; probability?: number };

/** The native detector's verdict that the caller is really interrupting (not a backchannel). */
export interface BargeInEvent {
  atMs: number;
}

export interface AgentActions {
  endCall: boolean;
  transferTo: string | null;
}
