/**
 * The caller's frames from the media clock to the handler thread (handler-bridge-memory.ts):
 * the media worker writes each played-out frame with its voice-activity flags, and
 * publishes a tick's frames at once after the engine's tick; the handler thread reads
 * them when that tick's message arrives.
 */
import {
  CALLER_SLOTS,
  FLAG_BARGE_IN,
  FLAG_OFFSET,
  FLAG_ONSET,
  I_CALLER_DROPPED,
  I_CALLER_READ,
  I_CALLER_WRITE,
  type BridgeSlotViews,
} from './handler-bridge-memory.js';
import type { VoiceActivity } from './webrtc-call-handler.js';

const FLAG_OF: Record<VoiceActivity['kind'], number> = { onset: FLAG_ONSET, offset: FLAG_OFFSET, barge_in: FLAG_BARGE_IN };

/** Media side: one writer per call. */
export class CallerRingWriter {
  private write = 0;
  /** Slot of the frame written last in this tick, while it is unpublished (its flags may still change). */
  private last = -1;
  private dirty = false;

  constructor(private readonly v: BridgeSlotViews) {}

  /** Copies one frame in; dropped (and counted) when the handler thread left the ring full. */
  frame(pcm: Int16Array): void {
    const unread = (this.write - Atomics.load(this.v.index, I_CALLER_READ)) | 0;
    if (unread >= CALLER_SLOTS) {
      Atomics.add(this.v.index, I_CALLER_DROPPED, 1);
      this.last = -1;
      return;
    }
    const s = this.write & (CALLER_SLOTS - 1);
    this.v.callerPcm[s]!.set(pcm);
    this.v.callerFlags[s]![0] = 0;
    this.last = s;
    this.write = (this.write + 1) | 0;
    this.dirty = true;
  }

  /** Flags the frame written last (events follow their frame); at = its time, ms since epoch. */
  activity(ev: VoiceActivity): void {
    if (this.last < 0) return;
    this.v.callerFlags[this.last]![0]! |= FLAG_OF[ev.kind];
    this.v.callerAt[this.last]![0] = ev.at;
  }

  /** Publishes this tick's frames; true when there were any. */
  publish(): boolean {
    if (!this.dirty) return false;
    this.dirty = false;
    this.last = -1;
    Atomics.store(this.v.index, I_CALLER_WRITE, this.write);
    return true;
  }
}

/** What the handler thread does with each caller frame and its events. */
export interface CallerFrameConsumer {
  onCallerFrame(frame: Int16Array): void;
  onVoiceActivity?(ev: VoiceActivity): void;
}

/**
 * Handler side: reads every published frame, in order, with its events (onset, offset,
 * barge-in); returns how many barge-in verdicts it passed (to a consumer that takes them).
 */
export function drainCallerRing(v: BridgeSlotViews, to: CallerFrameConsumer): number {
  const end = Atomics.load(v.index, I_CALLER_WRITE);
  let read = Atomics.load(v.index, I_CALLER_READ);
  let bargeIns = 0;
  while (((end - read) | 0) > 0) {
    const s = read & (CALLER_SLOTS - 1);
    to.onCallerFrame(v.callerPcm[s]!);
    const flags = v.callerFlags[s]![0]!;
    if (flags & FLAG_BARGE_IN) bargeIns++;
    if (flags !== 0 && to.onVoiceActivity) {
      const at = v.callerAt[s]![0]!;
      if (flags & FLAG_ONSET) to.onVoiceActivity({ kind: 'onset', at });
      if (flags & FLAG_OFFSET) to.onVoiceActivity({ kind: 'offset', at });
      if (flags & FLAG_BARGE_IN) to.onVoiceActivity({ kind: 'barge_in', at });
    }
    read = (read + 1) | 0;
    // Released frame by frame: the media side may reuse a slot as soon as it is read.
    Atomics.store(v.index, I_CALLER_READ, read);
  }
  return bargeIns;
}
