/**
 * Speech or silence of a received Opus packet: from its size, without decoding it, where
 * that suffices (SILK and hybrid packets); by its decoded level for CELT-only packets.
 *
 * Opus is variable-bitrate: a 20 ms frame of silence or a faint tail costs the encoder
 * few bytes (8–22 at the gateway's 24 kb/s SILK wideband, with in-band FEC), a frame of
 * speech many more (24–90). So the payload's bit rate says whether the frame carries
 * speech. The packet's duration comes from its TOC byte (RFC 6716 §3.1: configuration →
 * frame size; code → frame count), so packets of 10, 40 or 60 ms are judged at the same
 * rate. test/bench/opus-speech-classifier.test.ts checks the verdicts against decoded
 * levels (> -50 dBFS, the werift caller's speech threshold) of real agent audio from a
 * real call to a local gateway.
 *
 * CELT-only packets (TOC configurations 16–31) do not follow that rule: CELT's VBR spends
 * about as many bytes on a faint frame as on speech (the gateway's agent voice, CELT at
 * 32 kb/s: 62–105 bytes for speech, 64–81 for frames at -50 to -90 dBFS, 3 for digital
 * silence), so AgentSpeechDetector decodes a call's packets once its stream is CELT.
 */
import { OpusDecoder16k } from '../../src/media/opus-codec.js';
import { EnergyTurnDetector } from '../../src/media/webrtc-energy-detector.js';
import { SENT_SPEECH_DBFS } from './opus-frames.js';

/** Frame durations in tenths of a millisecond by TOC configuration 0–31 (RFC 6716 §3.1, Table 2). */
const FRAME_TENTHS_MS: readonly number[] = [
  // SILK-only NB, MB, WB: 10, 20, 40, 60 ms
  100, 200, 400, 600, 100, 200, 400, 600, 100, 200, 400, 600,
  // Hybrid SWB, FB: 10, 20 ms
  100, 200, 100, 200,
  // CELT-only NB, WB, SWB, FB: 2.5, 5, 10, 20 ms
  25, 50, 100, 200, 25, 50, 100, 200, 25, 50, 100, 200, 25, 50, 100, 200,
];

/** Bytes per 20 ms of audio at and above which a packet counts as speech (9.6 kb/s). */
export const SPEECH_BYTES_PER_20MS = 24;

/**
 * Duration of an Opus packet in tenths of a millisecond from its TOC byte (and, for code 3,
 * the frame count byte, RFC 6716 §3.2.5); 0 for a packet too short to say.
 */
export function opusPacketTenthsMs(payload: Uint8Array): number {
  const toc = payload[0];
  if (toc === undefined) return 0;
  const frame = FRAME_TENTHS_MS[toc >> 3] as number;
  switch (toc & 0x03) {
    case 0:
      return frame;
    case 1:
    case 2:
      return 2 * frame;
    default: {
      const count = payload[1];
      return count === undefined ? 0 : (count & 0x3f) * frame;
    }
  }
}

/**
 * True when the packet's bit rate is that of speech. Packets of one or two bytes (empty
 * frames, DTX: RFC 6716 §3.2.1 lets a frame be 0 bytes) and unparsable ones are silence.
 */
export function isSpeechPacket(payload: Uint8Array): boolean {
  if (payload.length <= 2) return false;
  const tenths = opusPacketTenthsMs(payload);
  if (tenths <= 0) return false;
  // bytes / duration ≥ threshold / 20 ms, in integers: bytes × 200 ≥ threshold × tenths.
  return payload.length * 200 >= SPEECH_BYTES_PER_20MS * tenths;
}

/** TOC configurations 16–31 are CELT-only (RFC 6716 §3.1). */
const FIRST_CELT_CONFIG = 16;

/**
 * One call's received agent audio, speech (decoded level above SENT_SPEECH_DBFS, as the werift
 * caller judges) or not per packet: by size (isSpeechPacket) until
 * the first CELT-only packet, then by decoded level, every packet from there on going
 * through one decoder in arrival order (its state follows the stream).
 */
export class AgentSpeechDetector {
  #decoder: OpusDecoder16k | undefined;

  /** True once the stream turned out CELT and packets are decoded. */
  get decoding(): boolean {
    return this.#decoder !== undefined;
  }

  isSpeech(payload: Buffer): boolean {
    const toc = payload[0];
    if (!this.#decoder) {
      if (toc === undefined || toc >> 3 < FIRST_CELT_CONFIG) return isSpeechPacket(payload);
      this.#decoder = new OpusDecoder16k();
    }
    const pcm = this.#decoder.decode(payload);
    return pcm !== undefined && pcm.length > 0 && EnergyTurnDetector.levelDbfs(pcm) > SENT_SPEECH_DBFS;
  }
}
