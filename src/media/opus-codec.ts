import opus from '@discordjs/opus';

/** 20 ms at 16 kHz mono: the frame every layer above media exchanges. */
export const FRAME_SAMPLES = 320;
export const FRAME_MS = 20;
export const SAMPLE_RATE = 16_000;
/** Opus always runs its RTP clock at 48 kHz (RFC 7587 §4.1): 960 ticks per 20 ms. */
export const RTP_TICKS_PER_FRAME = 960;

// libopus CTL request numbers (opus_defines.h).
const OPUS_SET_COMPLEXITY = 4010;
const OPUS_SET_SIGNAL = 4024;
const OPUS_SIGNAL_VOICE = 3001;
const OPUS_SET_INBAND_FEC = 4012;
// OPUS_SET_FORCE_MODE and MODE_CELT_ONLY (opus_private.h; the native encoder sets the same).
const OPUS_SET_FORCE_MODE = 11002;
const OPUS_MODE_CELT_ONLY = 1002;

/** Decodes caller Opus straight to 16 kHz mono (libopus resamples internally). */
export class OpusDecoder16k {
  private readonly codec = new opus.OpusEncoder(SAMPLE_RATE, 1);

  /** Returns the decoded 16-bit samples, or undefined for a packet libopus rejects. */
  decode(payload: Buffer): Int16Array | undefined {
    try {
      const pcm = this.codec.decode(payload);
      return new Int16Array(pcm.buffer, pcm.byteOffset, pcm.byteLength >> 1);
    } catch {
      return undefined;
    }
  }
}

export interface OpusEncoderOptions {
  bitrate?: number;
  /** 0–10; lower is cheaper. */
  complexity?: number;
  /**
   * `voice` (default): Opus picks SILK for wideband speech, with in-band FEC. `celt`: every frame
   * in CELT mode (RFC 6716 §2), about a third of SILK's encoding CPU, no in-band FEC
   * (bench/webrtc-path/opus-complexity.ts).
   */
  mode?: 'voice' | 'celt';
}

const DEFAULT_BITRATE = 24_000;
const DEFAULT_COMPLEXITY = 5;

/** The format name of `OpusEncoder16k` packets made with `opts`. */
export function opusFormat(opts: OpusEncoderOptions = {}): string {
  const mode = opts.mode === 'celt' ? 'mode=celt;fec=0' : 'fec=1;signal=voice';
  return `opus/${SAMPLE_RATE}/1;bitrate=${opts.bitrate ?? DEFAULT_BITRATE};complexity=${opts.complexity ?? DEFAULT_COMPLEXITY};${mode}`;
}

/**
 * The agent voice's encoder settings: the pacer's, the handler thread's and the phrase cache's
 * (cached phrases must match what the pacer would send). CELT only at 32 kbit/s, complexity 0:
 * about a third of the CPU of SILK at 24 kbit/s complexity 1, and a higher decoded SNR
 * (bench/webrtc-path/opus-complexity.ts); the cost is 8 kbit/s more and no in-band FEC (the
 * browser conceals a lost frame instead of recovering it from the next packet).
 */
export const AGENT_VOICE_OPUS: Readonly<OpusEncoderOptions> = { bitrate: 32_000, complexity: 0, mode: 'celt' };

/** Encodes 20 ms 16 kHz mono frames for the agent's voice. */
export class OpusEncoder16k {
  private readonly codec = new opus.OpusEncoder(SAMPLE_RATE, 1);
  /**
   * Names the packets this encoder makes (codec, rate, channels, bitrate, complexity, FEC):
   * a packet encoded elsewhere with the same name may be sent in place of this encoder's.
   */
  readonly format: string;

  constructor(opts: OpusEncoderOptions = {}) {
    this.codec.setBitrate(opts.bitrate ?? DEFAULT_BITRATE);
    this.codec.applyEncoderCTL(OPUS_SET_COMPLEXITY, opts.complexity ?? DEFAULT_COMPLEXITY);
    this.codec.applyEncoderCTL(OPUS_SET_SIGNAL, OPUS_SIGNAL_VOICE);
    this.codec.applyEncoderCTL(OPUS_SET_INBAND_FEC, opts.mode === 'celt' ? 0 : 1);
    if (opts.mode === 'celt') this.codec.applyEncoderCTL(OPUS_SET_FORCE_MODE, OPUS_MODE_CELT_ONLY);
    this.format = opusFormat(opts);
  }

  encode(frame: Int16Array): Buffer {
    if (frame.length !== FRAME_SAMPLES) throw new RangeError(`Opus frame must be ${FRAME_SAMPLES} samples, got ${frame.length}`);
    return this.codec.encode(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength));
  }

  encodeInto(frame: Int16Array, out: Uint8Array): number {
    const packet = this.encode(frame);
    if (packet.length > out.length) throw new RangeError(`Opus packet of ${packet.length} bytes does not fit ${out.length}`);
    out.set(packet);
    return packet.length;
  }
}

/**
 * The encoder port the phrase cache takes (`FrameEncoders`, src/providers/tts/phrase-cache.ts):
 * one entry named by the pacer's format, encoding a whole phrase once with a fresh encoder
 * (each phrase starts from a clean codec state, like a talkspurt).
 */
export function phraseEncoders(opts: OpusEncoderOptions = AGENT_VOICE_OPUS): Record<string, (pcm16k: readonly Int16Array[]) => Uint8Array[]> {
  return {
    [opusFormat(opts)]: (frames) => {
      const enc = new OpusEncoder16k(opts);
      return frames.map((f) => enc.encode(f));
    },
  };
}
