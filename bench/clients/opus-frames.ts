/**
 * Caller audio encoded once: the bench's callers say the same few utterances over and
 * over, so each is encoded to 20 ms Opus frames the first time it is said and the frames
 * are shared by every caller of the process (no encoding per sent frame). Silence between
 * utterances is one pre-encoded packet of digital silence, sent as is every 20 ms, like a
 * browser's continuous stream without DTX.
 */
import { FRAME_SAMPLES, OpusEncoder16k } from '../../src/media/opus-codec.js';
import { EnergyTurnDetector } from '../../src/media/webrtc-energy-detector.js';

/** A sent frame louder than this (dBFS) is caller speech (the werift caller's threshold). */
export const SENT_SPEECH_DBFS = -50;

/** Opus settings of the caller's encoder: a browser's voice encoder, any complexity (it runs once). */
const ENCODER = { bitrate: 24_000, complexity: 10 } as const;

export interface EncodedUtterance {
  /** One Opus packet per 20 ms frame (the last frame zero-padded). */
  readonly frames: readonly Buffer[];
  /** 1 where the frame's PCM is louder than SENT_SPEECH_DBFS: sending it updates "last speech sent". */
  readonly speech: Uint8Array;
}

/** Encodes 16 kHz mono PCM into 20 ms Opus packets with a fresh encoder. */
export function encodeUtterance(pcm: Int16Array): EncodedUtterance {
  const encoder = new OpusEncoder16k(ENCODER);
  const count = Math.ceil(pcm.length / FRAME_SAMPLES);
  const frames: Buffer[] = [];
  const speech = new Uint8Array(count);
  for (let k = 0; k < count; k++) {
    const frame = new Int16Array(FRAME_SAMPLES);
    frame.set(pcm.subarray(k * FRAME_SAMPLES, Math.min(pcm.length, (k + 1) * FRAME_SAMPLES)));
    speech[k] = EnergyTurnDetector.levelDbfs(frame) > SENT_SPEECH_DBFS ? 1 : 0;
    frames.push(encoder.encode(frame));
  }
  return { frames, speech };
}

/** One Opus packet of 20 ms of digital silence, as an encoder settled on silence emits it. */
export function encodeSilencePacket(): Buffer {
  const encoder = new OpusEncoder16k(ENCODER);
  const zero = new Int16Array(FRAME_SAMPLES);
  let packet = encoder.encode(zero);
  for (let i = 0; i < 10; i++) packet = encoder.encode(zero);
  return packet;
}

/**
 * The process's encoded audio: utterances by PCM identity (the worker loads its utterances
 * once and says the same arrays again and again), and the silence packet.
 */
export class PreEncodedAudio {
  readonly silence: Buffer = encodeSilencePacket();
  readonly #byPcm = new WeakMap<Int16Array, EncodedUtterance>();

  utterance(pcm: Int16Array): EncodedUtterance {
    let u = this.#byPcm.get(pcm);
    if (!u) {
      u = encodeUtterance(pcm);
      this.#byPcm.set(pcm, u);
    }
    return u;
  }
}
