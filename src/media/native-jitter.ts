import { native } from './native.js';

/** Fields of an RTP fixed header (RFC 3550 §5.1) and where the payload lies. */
export interface RtpHeader {
  version: number;
  padding: boolean;
  extension: boolean;
  csrcCount: number;
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  /** First payload byte, after CSRCs and the header extension. */
  payloadOffset: number;
  /** Payload bytes, padding excluded. */
  payloadLength: number;
}

/** Jitter-buffer configuration (all optional; defaults in brackets). */
export interface JitterConfig {
  /** RTP clock rate in Hz [48000]. */
  clockRate?: number;
  /** Media duration of one packet [20]. */
  frameMs?: number;
  /** Lower bound of the adaptive playout delay [20]. */
  minDelayMs?: number;
  /** Upper bound of the adaptive playout delay [200]. */
  maxDelayMs?: number;
  /** Largest payload accepted, bytes [1500]. */
  maxPayload?: number;
}

/** Per-stream counters and delay figures. */
export interface JitterStats {
  /** Packets pushed for the stream (duplicates and late ones included). */
  received: number;
  /** Frames that never arrived in time (reported as lost, or skipped while catching up). */
  lost: number;
  /** Packets that arrived after their playout slot had passed (dropped). */
  late: number;
  /** Packets already held (dropped). */
  duplicate: number;
  /** Packets that arrived after a higher sequence number. */
  reordered: number;
  /** Buffered frames skipped to cut the delay, on overflow or on an SSRC change. */
  discarded: number;
  /** Oversize payloads and stray sequence jumps (RFC 3550 §A.1). */
  rejected: number;
  ssrcChanges: number;
  resyncs: number;
  /** RFC 3550 §A.8 interarrival jitter, ms. */
  jitterMs: number;
  targetDelayMs: number;
  /** Playout delay of the last frame over the fastest transit seen, ms. */
  currentDelayMs: number;
}

export type PushOutcome = 'accepted' | 'duplicate' | 'late' | 'rejected';
const PUSH_OUTCOMES: readonly PushOutcome[] = ['accepted', 'duplicate', 'late', 'rejected'];

export type PullStatus = 'none' | 'frame' | 'lost';
const PULL_STATUSES: readonly PullStatus[] = ['none', 'frame', 'lost'];

/** One pull: a frame (payload in `payload`), a lost frame, or nothing due. */
export interface PulledFrame {
  status: PullStatus;
  /** Payload bytes (a view of the buffer reused by the next pull); empty unless 'frame'. */
  payload: Uint8Array;
  /** Extended (unwrapped) sequence number. */
  seq: number;
  /** RTP timestamp (estimated when lost). */
  timestamp: number;
  /** Continuous media clock of the frame, ms. */
  mediaMs: number;
  marker: boolean;
}

interface NativePull {
  status: number;
  length: number;
  seq: number;
  timestamp: number;
  mediaMs: number;
  marker: boolean;
}

interface NativeJitterBuffer {
  push(packet: Uint8Array, arrivalMs: number): number;
  pull(nowMs: number, out: Uint8Array): NativePull;
  stats(): JitterStats;
  reset(): void;
  capacity(): number;
}

interface JitterAddon {
  parseRtpHeader(packet: Uint8Array): RtpHeader;
  JitterBuffer: new (config?: JitterConfig) => NativeJitterBuffer;
}

const addon = native as unknown as JitterAddon;

/** Parses an RTP header with every length bounds-checked; throws on a malformed packet. */
export function parseRtpHeader(packet: Uint8Array): RtpHeader {
  return addon.parseRtpHeader(packet);
}

/**
 * Adaptive jitter buffer for one RTP stream (standalone form; the MediaEngine holds one
 * per call natively). Reorders by extended sequence number, drops duplicates and late
 * packets, adapts its delay to the RFC 3550 interarrival jitter within [min, max].
 */
export class JitterBuffer {
  private readonly impl: NativeJitterBuffer;
  private readonly out: Uint8Array;

  constructor(config: JitterConfig = {}) {
    this.impl = new addon.JitterBuffer(config);
    this.out = new Uint8Array(config.maxPayload ?? 1500);
  }

  /** Queues one RTP packet (full packet, header included) received at `arrivalMs`. */
  push(packet: Uint8Array, arrivalMs: number): PushOutcome {
    return PUSH_OUTCOMES[this.impl.push(packet, arrivalMs)] ?? 'rejected';
  }

  /** Plays out at most one frame due at `nowMs`. */
  pull(nowMs: number): PulledFrame {
    const r = this.impl.pull(nowMs, this.out);
    return {
      status: PULL_STATUSES[r.status] ?? 'none',
      payload: this.out.subarray(0, r.length),
      seq: r.seq,
      timestamp: r.timestamp,
      mediaMs: r.mediaMs,
      marker: r.marker,
    };
  }

  stats(): JitterStats {
    return this.impl.stats();
  }

  /** Ring size (slots). */
  get capacity(): number {
    return this.impl.capacity();
  }

  /** Forgets the stream and its stats. */
  reset(): void {
    this.impl.reset();
  }
}
