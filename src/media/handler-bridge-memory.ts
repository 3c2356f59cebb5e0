/**
 * Shared memory of one link between a media worker and a handler thread (handler-thread.ts): per call
 * slot, a ring of caller frames (media → handler) and a ring of the agent's frames, already
 * Opus-encoded (handler → media). The 20 ms media clock reads and writes these without a
 * message or an allocation per frame; one `tick` message per 20 ms tells the handler thread
 * to look. Each ring has one writer thread and one reader thread; indices are free-running
 * 32-bit counters (differences taken with `| 0`), published with Atomics (sequentially
 * consistent, so a reader that sees an index also sees the slot written before it).
 */
import { FRAME_SAMPLES } from './opus-codec.js';

const FRAME_BYTES = FRAME_SAMPLES * 2;
/** Caller frames a call may have unread: 640 ms (a handler thread stalled longer loses the oldest unread audio). */
export const CALLER_SLOTS = 32;
/** Agent frames queued ahead on the media side: 1.28 s; the rest waits in the handler thread. */
export const AGENT_SLOTS = 64;
/** Largest Opus packet a slot holds (256 kbit/s at 20 ms; the encoder is told this limit). */
export const AGENT_PACKET_MAX = 640;

// Caller slot: i32 flags, i32 pad, f64 event time (ms since epoch), PCM.
const CALLER_SLOT_BYTES = 16 + FRAME_BYTES;
// Agent slot: i32 packet length, i32 pad, PCM, packet.
const AGENT_SLOT_BYTES = 8 + FRAME_BYTES + AGENT_PACKET_MAX;
const INDEX_WORDS = 8;
/** Index words of a call slot. */
export const I_CALLER_WRITE = 0;
export const I_CALLER_READ = 1;
export const I_AGENT_WRITE = 2;
export const I_AGENT_READ = 3;
/** The agent-ring position a flush skips to, and a counter bumped after it is stored. */
export const I_FLUSH_POS = 4;
export const I_FLUSH_SEQ = 5;
/** Caller frames the media side dropped because the ring was full (the handler thread fell behind). */
export const I_CALLER_DROPPED = 6;
/**
 * 1 while the media side holds the agent's audio after a barge-in verdict (the pacer sends
 * nothing, frames stay queued) until the handler thread has seen the verdict: it then flushes
 * (the reply paused) or releases the hold (nothing to interrupt). The wire goes quiet at the
 * tick after the verdict, as with the handler in the media worker's own thread.
 */
export const I_AGENT_HOLD = 7;

const CALL_BYTES = INDEX_WORDS * 4 + CALLER_SLOTS * CALLER_SLOT_BYTES + AGENT_SLOTS * AGENT_SLOT_BYTES;

/** Voice-activity flags carried with a caller frame (the frame's VoiceActivity events, in this order). */
export const FLAG_ONSET = 1;
export const FLAG_OFFSET = 2;
export const FLAG_BARGE_IN = 4;

/** The bytes for `calls` call slots (zero-filled; pages are committed as calls touch them). */
export function bridgeBuffer(calls: number): SharedArrayBuffer {
  if (!Number.isInteger(calls) || calls < 1) throw new RangeError('a bridge needs at least one call slot');
  return new SharedArrayBuffer(calls * CALL_BYTES);
}

export function bridgeSlots(buf: SharedArrayBuffer): number {
  return Math.floor(buf.byteLength / CALL_BYTES);
}

/** Typed views of one call slot, made once per slot and kept (no view is made per frame). */
export class BridgeSlotViews {
  readonly index: Int32Array;
  readonly callerFlags: Int32Array[] = [];
  readonly callerAt: Float64Array[] = [];
  readonly callerPcm: Int16Array[] = [];
  readonly agentLen: Int32Array[] = [];
  readonly agentPcm: Int16Array[] = [];
  readonly agentPacket: Uint8Array[] = [];

  constructor(buf: SharedArrayBuffer, slot: number) {
    if (!Number.isInteger(slot) || slot < 0 || slot >= bridgeSlots(buf)) throw new RangeError(`bridge slot ${slot} out of range`);
    const base = slot * CALL_BYTES;
    this.index = new Int32Array(buf, base, INDEX_WORDS);
    let off = base + INDEX_WORDS * 4;
    for (let i = 0; i < CALLER_SLOTS; i++, off += CALLER_SLOT_BYTES) {
      this.callerFlags.push(new Int32Array(buf, off, 1));
      this.callerAt.push(new Float64Array(buf, off + 8, 1));
      this.callerPcm.push(new Int16Array(buf, off + 16, FRAME_SAMPLES));
    }
    for (let i = 0; i < AGENT_SLOTS; i++, off += AGENT_SLOT_BYTES) {
      this.agentLen.push(new Int32Array(buf, off, 1));
      this.agentPcm.push(new Int16Array(buf, off + 8, FRAME_SAMPLES));
      this.agentPacket.push(new Uint8Array(buf, off + 8 + FRAME_BYTES, AGENT_PACKET_MAX));
    }
  }

  /** Zeroes the indices for a new call (media side, before the handler thread hears of the call). */
  reset(): void {
    for (let i = 0; i < INDEX_WORDS; i++) Atomics.store(this.index, i, 0);
  }
}
