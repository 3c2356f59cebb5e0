/**
 * The agent's frames from the handler thread to the media clock (handler-bridge-memory.ts):
 * the handler thread writes each 20 ms frame with its Opus packet (encoded there, or a
 * cached phrase's), up to 1.28 s ahead; the pacer sends one per tick as it is. A flush
 * (barge-in) is a request the media clock applies at its next tick, as the pacer's own
 * flush would: the next tick sends nothing.
 */
import {
  AGENT_PACKET_MAX,
  AGENT_SLOTS,
  I_AGENT_HOLD,
  I_AGENT_READ,
  I_AGENT_WRITE,
  I_FLUSH_POS,
  I_FLUSH_SEQ,
  type BridgeSlotViews,
} from './handler-bridge-memory.js';
import { FRAME_SAMPLES } from './opus-codec.js';
import type { AgentFrameSource } from './webrtc-call-handler.js';

/** Ticks a hold lasts without an answer from the handler thread (1 s) before the audio goes on. */
const MAX_HOLD_TICKS = 50;

/** Encodes one frame into `out` (at most its length); returns the packet's length. */
export type EncodeInto = (pcm: Int16Array, out: Uint8Array) => number;

/** Handler side: one writer per call. */
export class AgentRingWriter {
  private write = 0;
  /** Frames before this position were flushed (the media side may not have skipped them yet). */
  private flushedTo = 0;

  constructor(private readonly v: BridgeSlotViews) {}

  /** Frames queued on the media side and not yet sent. */
  queued(): number {
    const read = Atomics.load(this.v.index, I_AGENT_READ);
    const from = ((this.flushedTo - read) | 0) > 0 ? this.flushedTo : read;
    return Math.max(0, (this.write - from) | 0);
  }

  space(): number {
    return AGENT_SLOTS - Math.max(0, (this.write - Atomics.load(this.v.index, I_AGENT_READ)) | 0);
  }

  /** Writes one frame; its packet is `packet` when it fits a slot, else `encode`'s. Call only with space() > 0. */
  push(pcm: Int16Array, packet: Uint8Array | undefined, encode: EncodeInto): void {
    if (pcm.length !== FRAME_SAMPLES) throw new RangeError(`an agent frame is ${FRAME_SAMPLES} samples, got ${pcm.length}`);
    const s = this.write & (AGENT_SLOTS - 1);
    this.v.agentPcm[s]!.set(pcm);
    let len: number;
    if (packet && packet.length > 0 && packet.length <= AGENT_PACKET_MAX) {
      this.v.agentPacket[s]!.set(packet);
      len = packet.length;
    } else {
      len = encode(pcm, this.v.agentPacket[s]!);
    }
    this.v.agentLen[s]![0] = len;
    this.write = (this.write + 1) | 0;
    Atomics.store(this.v.index, I_AGENT_WRITE, this.write);
  }

  /** Ends a hold the media side put on the agent's audio (after the handler saw the barge-in verdict). */
  release(): void {
    Atomics.store(this.v.index, I_AGENT_HOLD, 0);
  }

  /** Drops every frame queued on the media side; returns how many were unsent (one in flight may still go). */
  flush(): number {
    const dropped = this.queued();
    this.flushedTo = this.write;
    Atomics.store(this.v.index, I_FLUSH_POS, this.write);
    Atomics.add(this.v.index, I_FLUSH_SEQ, 1);
    return dropped;
  }
}

/** Media side: the pacer's frame source for a call whose handler runs in the handler thread. */
export class AgentRingReader implements AgentFrameSource {
  private read = 0;
  private flushSeq = 0;
  private held = false;
  private heldTicks = 0;
  /** The frame and packet sent last: copied out of the ring, so the handler thread can refill the slot at once. */
  private readonly pcm = new Int16Array(FRAME_SAMPLES);
  private readonly packet = Buffer.alloc(AGENT_PACKET_MAX);
  lastPacket: Uint8Array | undefined;

  constructor(private readonly v: BridgeSlotViews) {}

  /** Holds the agent's audio at once (a barge-in verdict on this thread), until the handler thread answers. */
  hold(): void {
    Atomics.store(this.v.index, I_AGENT_HOLD, 1);
  }

  /**
   * True once per flush the handler thread asked for since the last call (skipping what it
   * dropped), and once when a hold begins (the agent's audio stops there).
   */
  takeFlush(): boolean {
    let held = Atomics.load(this.v.index, I_AGENT_HOLD) === 1;
    // A handler thread that never answers (stalled, or the verdict's frame was dropped) does not silence the agent for good.
    this.heldTicks = held ? this.heldTicks + 1 : 0;
    if (this.heldTicks > MAX_HOLD_TICKS) {
      Atomics.store(this.v.index, I_AGENT_HOLD, 0);
      held = false;
      this.heldTicks = 0;
    }
    const heldNow = held && !this.held;
    this.held = held;
    const seq = Atomics.load(this.v.index, I_FLUSH_SEQ);
    if (seq === this.flushSeq) return heldNow;
    this.flushSeq = seq;
    const pos = Atomics.load(this.v.index, I_FLUSH_POS);
    if (((pos - this.read) | 0) > 0) {
      this.read = pos;
      Atomics.store(this.v.index, I_AGENT_READ, this.read);
    }
    return true;
  }

  shift(): Int16Array | undefined {
    if (this.held || ((Atomics.load(this.v.index, I_AGENT_WRITE) - this.read) | 0) <= 0) {
      this.lastPacket = undefined;
      return undefined;
    }
    const s = this.read & (AGENT_SLOTS - 1);
    const len = this.v.agentLen[s]![0]!;
    this.pcm.set(this.v.agentPcm[s]!);
    if (len > 0 && len <= AGENT_PACKET_MAX) {
      this.packet.set(this.v.agentPacket[s]!);
      this.lastPacket = this.packet.subarray(0, len);
    } else {
      this.lastPacket = undefined;
    }
    this.read = (this.read + 1) | 0;
    Atomics.store(this.v.index, I_AGENT_READ, this.read);
    return this.pcm;
  }
}
