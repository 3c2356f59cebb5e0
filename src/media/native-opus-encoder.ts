import { native } from './native.js';
import { FRAME_SAMPLES, opusFormat, type OpusEncoderOptions } from './opus-codec.js';

/** What the pacer needs from an agent-voice encoder (OpusEncoder16k and NativeOpusEncoder16k both are one). */
export interface AgentFrameEncoder {
  /** Names the packets made (codec, rate, bitrate, complexity, FEC): a cached packet of the same format may be sent instead. */
  readonly format: string;
  /** One 20 ms, 16 kHz frame to one Opus packet. */
  encode(frame: Int16Array): Buffer;
  /** The same, written into `out` (the packet is limited to its length); returns the packet's length. */
  encodeInto(frame: Int16Array, out: Uint8Array): number;
  /** Frees the codec state now (at the call's end) rather than at garbage collection; absent when there is nothing to free early. */
  close?(): void;
}

interface NativeEncoder {
  encode(pcm: Int16Array, out: Uint8Array): number;
  close(): void;
}
interface EncoderAddon {
  OpusFrameEncoder?: new (options: { bitrate?: number; complexity?: number; celtOnly?: boolean }) => NativeEncoder;
}
const addon = native as EncoderAddon;

/** True when the native core can encode Opus (libopus linked into the addon). */
export function hasNativeOpusEncoder(): boolean {
  return typeof addon.OpusFrameEncoder === 'function';
}

const MAX_PACKET = 1275; // RFC 6716 §3.2.1

/**
 * The agent voice's encoder on the native core's libopus: the same settings and, for the
 * same libopus version, the same bytes as `OpusEncoder16k`, but encoded into one buffer
 * reused for every frame, so a sent frame allocates no Buffer of its own. The returned
 * packet is a view of that buffer: valid until the next `encode()`, so the caller must
 * send or copy it first (the pacer hands it to `transport.send`, which copies it).
 */
export class NativeOpusEncoder16k implements AgentFrameEncoder {
  readonly format: string;
  private readonly impl: NativeEncoder;
  private readonly out = Buffer.alloc(MAX_PACKET);

  constructor(opts: OpusEncoderOptions = {}) {
    const Ctor = addon.OpusFrameEncoder;
    if (!Ctor) throw new Error('the native core has no Opus encoder (rebuild it with libopus: scripts/build-native.sh)');
    this.impl = new Ctor({ bitrate: opts.bitrate, complexity: opts.complexity, celtOnly: opts.mode === 'celt' });
    this.format = opusFormat(opts);
  }

  encode(frame: Int16Array): Buffer {
    if (frame.length !== FRAME_SAMPLES) throw new RangeError(`Opus frame must be ${FRAME_SAMPLES} samples, got ${frame.length}`);
    const n = this.impl.encode(frame, this.out);
    return this.out.subarray(0, n);
  }

  encodeInto(frame: Int16Array, out: Uint8Array): number {
    if (frame.length !== FRAME_SAMPLES) throw new RangeError(`Opus frame must be ${FRAME_SAMPLES} samples, got ${frame.length}`);
    return this.impl.encode(frame, out);
  }

  /** Frees libopus' state now; a later encode throws. */
  close(): void {
    this.impl.close();
  }
}

/**
 * An encoder made on the first frame it must encode, and freed at `close()`: the pacer of a call
 * whose handler thread sends encoded frames never makes one, so a call holds no idle libopus state.
 */
export class LazyAgentEncoder implements AgentFrameEncoder {
  private impl: AgentFrameEncoder | undefined;

  constructor(
    readonly format: string,
    private readonly make: () => AgentFrameEncoder,
  ) {}

  /** Whether an encoder was made (a frame had to be encoded here). */
  get made(): boolean {
    return this.impl !== undefined;
  }

  encode(frame: Int16Array): Buffer {
    return (this.impl ??= this.make()).encode(frame);
  }

  encodeInto(frame: Int16Array, out: Uint8Array): number {
    return (this.impl ??= this.make()).encodeInto(frame, out);
  }

  close(): void {
    this.impl?.close?.();
    this.impl = undefined;
  }
}
