/**
 * The send side of a synthetic caller's RTP stream: which pre-encoded packet goes out in a
 * 20 ms frame slot, under which sequence number and timestamp. Utterances play in order,
 * with the silence packet between them (a browser's continuous stream without DTX).
 * Frames of slots the process clock skipped are lost, as on a network: the utterance,
 * sequence number and timestamp move past them, so RTP time stays on real time
 * (RFC 3550 §5.1) and the receiver sees a gap, not a slow sampling clock.
 */
import { RTP_TICKS_PER_FRAME } from '../../src/media/opus-codec.js';
import type { EncodedUtterance } from './opus-frames.js';

/** Frames skipped at most in one go (a stall of the caller process beyond this is not worth replaying as losses). */
const MAX_MISSED_FRAMES = 500;

/**
 * Sequence numbers and timestamps of a 20 ms frame stream keyed by frame number: a frame
 * number that jumps (slots skipped) moves both past the missing frames, as lost packets.
 */
export class RtpFrameCounter {
  /** Frame number of the last frame (-1 before the first). */
  private lastFrame = -1;

  constructor(
    private seq = (Math.random() * 0x10000) >>> 0,
    private ts = (Math.random() * 0x1_0000_0000) >>> 0,
  ) {}

  /** Moves to frame `frame`; returns how many frames were skipped since the last one. */
  advanceTo(frame: number): number {
    const missed = this.lastFrame < 0 ? 0 : Math.min(Math.max(frame - this.lastFrame - 1, 0), MAX_MISSED_FRAMES);
    this.lastFrame = frame;
    this.seq = (this.seq + missed) & 0xffff;
    this.ts = (this.ts + missed * RTP_TICKS_PER_FRAME) >>> 0;
    return missed;
  }

  /** The current frame's sequence number and timestamp; moves both on by one frame. */
  take(out: { sequenceNumber: number; timestamp: number }): void {
    out.sequenceNumber = this.seq;
    out.timestamp = this.ts;
    this.seq = (this.seq + 1) & 0xffff;
    this.ts = (this.ts + RTP_TICKS_PER_FRAME) >>> 0;
  }
}

export interface OutgoingPacket {
  payload: Buffer;
  sequenceNumber: number;
  timestamp: number;
  /** The frame carries speech (sending it updates "last speech sent"). */
  speech: boolean;
}

export class CallerRtpStream {
  private readonly queue: EncodedUtterance[] = [];
  private current: EncodedUtterance | undefined;
  private pos = 0;
  private readonly counter: RtpFrameCounter;
  private readonly out: OutgoingPacket;

  constructor(
    private readonly silence: Buffer,
    seq?: number,
    ts?: number,
  ) {
    this.counter = new RtpFrameCounter(seq, ts);
    this.out = { payload: silence, sequenceNumber: 0, timestamp: 0, speech: false };
  }

  /** Queues an utterance after whatever is queued. */
  queueUtterance(u: EncodedUtterance): void {
    if (u.frames.length > 0) this.queue.push(u);
  }

  /** The packet of frame slot `frame` (the object is reused by the next call). */
  next(frame: number): OutgoingPacket {
    const missed = this.counter.advanceTo(frame);
    for (let i = 0; i < missed; i++) this.take();
    const o = this.out;
    o.speech = this.take();
    this.counter.take(o);
    return o;
  }

  /** Moves one frame on; sets `out.payload`, returns whether the frame is speech. */
  private take(): boolean {
    const u = this.current ?? this.queue.shift();
    if (!u) {
      this.out.payload = this.silence;
      return false;
    }
    this.current = u;
    this.out.payload = u.frames[this.pos] as Buffer;
    const speech = u.speech[this.pos] === 1;
    if (++this.pos >= u.frames.length) {
      this.current = undefined;
      this.pos = 0;
    }
    return speech;
  }
}
