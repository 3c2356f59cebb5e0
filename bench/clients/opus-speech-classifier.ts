/**
 * Speech or silence of a received Opus packet from its size, without decoding it.
 *
 * Opus is variable-bitrate: a 20 ms frame of silence or a faint tail costs the encoder
 * few bytes (8–22 at the gateway's 24 kb/s SILK wideband, with in-band FEC), a frame of
 * speech many more (24–90). So the payload's bit rate says whether the frame carries
 * speech. The packet's duration comes from its TOC byte (RFC 6716 §3.1: configuration →
 * frame size; code → frame count), so packets of 10, 40 or 60 ms are judged at the same
 * rate. test/bench/opus-speech-classifier.test.ts checks the verdicts against decoded
 * levels (> -50 dBFS, the werift caller's speech threshold) of real agent audio from a
 * real call to a local gateway.
 */

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
