import type { CallTransport } from './call-transport.js';
import type { AgentAudioSink, AgentFrameSource, EncodedFrame, LatencyMark } from './webrtc-call-handler.js';
import type { AgentFrameEncoder } from './native-opus-encoder.js';
import { FRAME_MS, FRAME_SAMPLES, RTP_TICKS_PER_FRAME } from './opus-codec.js';
import { FrameSlab } from '../providers/audio/frame-slab.js';

/**
 * One 20 ms media clock per worker, on the monotonic clock (performance.now).
 * Each tick is scheduled at start + n·20 ms, so timer lateness never accumulates
 * (drift correction). A tick that ends more than `maxCatchUpMs` (default: one
 * period) behind schedule re-anchors the schedule instead of firing the missed
 * ticks back to back (no bursts); the skipped slots still count in the slot
 * number handed to `onTick`, so slot n is always start + n·period in real time and
 * RTP timestamps derived from it follow the sampling clock (RFC 3550 §5.1).
 */
export class MediaClock {
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  /** Slot number of the last tick run: ticks run plus slots skipped. */
  private slot = 0;
  /** Lateness of each tick in ms, drained by `takeJitter()`. */
  private jitter: number[] = [];
  /** Busy time of each tick in ms (onTick's run time), drained by `takeBusy()`. */
  private busy: number[] = [];
  overruns = 0;
  ticks = 0;
  /** Slots dropped when a stall re-anchored the schedule (never sent late in a burst). */
  skipped = 0;

  /**
   * `periodMs`: the media clock's 20 ms frame unless a caller needs finer slots (the bench's callers).
   * `maxCatchUpMs`: how far behind the clock may fall and still run the missed slots at once, in order
   * (a sender that must not lose frames, as a browser sends audio captured during a stall); beyond it they are skipped.
   */
  constructor(
    private readonly onTick: (slot: number, now: number) => void,
    private readonly periodMs: number = FRAME_MS,
    private readonly maxCatchUpMs: number = periodMs,
  ) {}

  /** The slot number of the last tick run (0 before the first). */
  get currentSlot(): number {
    return this.slot;
  }

  start(): void {
    if (this.timer) return;
    this.next = performance.now() + this.periodMs;
    this.arm();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  takeJitter(): number[] {
    const j = this.jitter;
    this.jitter = [];
    return j;
  }

  takeBusy(): number[] {
    const b = this.busy;
    this.busy = [];
    return b;
  }

  private arm(): void {
    this.timer = setTimeout(this.fire, Math.max(0, this.next - performance.now()));
  }

  private readonly fire = (): void => {
    const catchUp = this.maxCatchUpMs > this.periodMs;
    for (;;) {
      const now = performance.now();
      const late = now - this.next;
      if (this.jitter.length < 10_000) this.jitter.push(late);
      this.ticks++;
      this.onTick(++this.slot, now);
      this.next += this.periodMs;
      const done = performance.now();
      if (this.busy.length < 10_000) this.busy.push(done - now);
      if (done <= this.next) break;
      this.overruns++;
      if (done - this.next > this.maxCatchUpMs) {
        const missed = Math.floor((done - this.next) / this.periodMs);
        this.skipped += missed;
        this.slot += missed;
        this.next = done + this.periodMs;
        break;
      }
      // A sender that catches up runs the next due slot now; the worker's clock lets I/O in first.
      if (!catchUp) break;
    }
    this.arm();
  };
}

/**
 * The agent's queued audio for one call, as 20 ms frames, each with the packet to send
 * when it came pre-encoded (a cached phrase), so the pacer encodes only the rest.
 */
export class AgentAudioQueue implements AgentFrameSource {
  /** Parts of frames are copied into slabs: one ArrayBuffer per second of audio, not one per frame. */
  private readonly slab = new FrameSlab(50);
  private frames: Int16Array[] = [];
  private packets: Array<Uint8Array | undefined> = [];
  private head = 0;
  private partial: Int16Array | undefined;
  private partialLen = 0;
  /** The pre-encoded packet of the frame `shift()` returned last, if it had one. */
  lastPacket: Uint8Array | undefined;

  get queued(): number {
    return this.frames.length - this.head + (this.partialLen > 0 ? 1 : 0);
  }

  /**
   * Queues PCM of any length. `packet` is taken only with exactly one whole frame on a
   * frame boundary (otherwise the frame would not be the audio the packet holds). Parts of
   * frames are copied into the queue's slab.
   */
  push(pcm: Int16Array, packet?: Uint8Array): void {
    // A whole frame on a frame boundary is kept as given (AgentAudioSink.write: the writer leaves it
    // unchanged), not copied: a reply's audio is then held once, by its playout, not twice.
    if (pcm.length === FRAME_SAMPLES && this.partialLen === 0) {
      this.frames.push(pcm);
      this.packets.push(packet);
      return;
    }
    let i = 0;
    while (i < pcm.length) {
      if (!this.partial) {
        this.partial = this.slab.alloc(FRAME_SAMPLES);
        this.partialLen = 0;
      }
      const n = Math.min(FRAME_SAMPLES - this.partialLen, pcm.length - i);
      this.partial.set(pcm.subarray(i, i + n), this.partialLen);
      this.partialLen += n;
      i += n;
      if (this.partialLen === FRAME_SAMPLES) {
        this.frames.push(this.partial);
        this.packets.push(undefined);
        this.partial = undefined;
        this.partialLen = 0;
      }
    }
  }

  /** Next frame to send; a trailing partial frame is sent zero-padded unless `wholeOnly`. Sets `lastPacket`. */
  shift(wholeOnly = false): Int16Array | undefined {
    if (this.head < this.frames.length) {
      this.lastPacket = this.packets[this.head];
      const f = this.frames[this.head++];
      if (this.head > 256 && this.head * 2 > this.frames.length) {
        this.frames = this.frames.slice(this.head);
        this.packets = this.packets.slice(this.head);
        this.head = 0;
      }
      return f;
    }
    this.lastPacket = undefined;
    if (!wholeOnly && this.partial && this.partialLen > 0) {
      const f = this.partial;
      this.partial = undefined;
      this.partialLen = 0;
      return f;
    }
    return undefined;
  }

  clear(): number {
    const dropped = this.queued;
    this.frames = [];
    this.packets = [];
    this.head = 0;
    this.partial = undefined;
    this.partialLen = 0;
    this.lastPacket = undefined;
    return dropped;
  }
}

/**
 * Sends one call's agent audio: one Opus frame per media-clock tick while audio is
 * queued, nothing while idle. A frame written with a packet in this encoder's format
 * (a cached phrase, encoded once) is sent as is; only the others are encoded here. Timestamps follow the 48 kHz RTP clock of the call
 * (RFC 7587 §4.1): a talkspurt starts at the tick's position on that clock with the
 * marker bit set (RFC 3551 §4.1), then advances 960 per frame.
 */
export class OutboundPacer implements AgentAudioSink {
  onDrained: (() => void) | undefined;
  private readonly tsBase = (Math.random() * 0x7fffffff) >>> 0;
  private readonly startTick: number;
  private talking = false;
  private nextTs = 0;
  /** Frames encoded here, and frames sent from a pre-encoded packet. */
  encodedFrames = 0;
  preEncodedFrames = 0;
  /** The queue `write` fills, unless a handler thread feeds the pacer (`useSource`). */
  private source: AgentFrameSource;

  constructor(
    private readonly queue: AgentAudioQueue,
    private readonly encoder: AgentFrameEncoder,
    private readonly transport: CallTransport,
    private readonly mark: (m: LatencyMark) => void,
    startTick: number,
  ) {
    this.startTick = startTick;
    this.source = queue;
  }

  /**
   * Takes frames from `source` instead of this pacer's queue: the handler runs in another
   * thread and writes its frames, encoded, into shared memory (handler-link.ts).
   */
  useSource(source: AgentFrameSource): void {
    this.queue.clear();
    this.source = source;
  }

  /** Sends this tick's frame, if any, and returns it (the native barge-in detector compares it with the caller's). */
  tick(tick: number): Int16Array | undefined {
    if (this.source.takeFlush?.()) this.stopTalking();
    const frame = this.source.shift();
    if (!frame) {
      if (this.talking) {
        this.talking = false;
        this.onDrained?.();
      }
      return undefined;
    }
    let marker = false;
    if (!this.talking) {
      this.talking = true;
      marker = true;
      this.nextTs = (this.tsBase + (tick - this.startTick) * RTP_TICKS_PER_FRAME) >>> 0;
      this.mark('first_agent_packet_out');
    }
    const packet = this.source.lastPacket;
    let payload: Buffer;
    if (packet) {
      payload = Buffer.isBuffer(packet) ? packet : Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
      this.preEncodedFrames++;
    } else {
      payload = this.encoder.encode(frame);
      this.encodedFrames++;
    }
    this.transport.send(payload, this.nextTs, marker);
    this.nextTs = (this.nextTs + RTP_TICKS_PER_FRAME) >>> 0;
    return frame;
  }

  /** The packet format this sink sends as is (`write`'s `encoded.format` must match it). */
  get encodedFormat(): string {
    return this.encoder.format;
  }

  write(pcm: Int16Array, encoded?: EncodedFrame): void {
    this.queue.push(pcm, encoded && encoded.format === this.encoder.format ? encoded.packet : undefined);
  }

  pending(): number {
    return this.queue.queued;
  }

  /** Barge-in: drop the queue at once; the next tick sends nothing. */
  flush(): number {
    const dropped = this.queue.clear();
    this.stopTalking();
    return dropped;
  }

  private stopTalking(): void {
    if (!this.talking) return;
    this.talking = false;
    this.mark('agent_audio_stopped');
  }
}
