/**
 * Seeded network impairment generator for RTP tests: loss, jitter, reordering and
 * duplication applied to a regular 20 ms packet stream, reproducible from a seed.
 */

import { seededRandom as mulberry32 } from './seeded-random.js';

export { mulberry32 };

export interface RtpFields {
  sequence: number;
  timestamp: number;
  ssrc: number;
  payloadType?: number;
  marker?: boolean;
  payload: Uint8Array;
}

/** Builds an RTP packet (RFC 3550 §5.1 fixed header, no CSRC, no extension). */
export function buildRtp(f: RtpFields): Uint8Array {
  const p = new Uint8Array(12 + f.payload.length);
  const v = new DataView(p.buffer);
  p[0] = 0x80;
  p[1] = ((f.marker ? 0x80 : 0) | ((f.payloadType ?? 111) & 0x7f)) & 0xff;
  v.setUint16(2, f.sequence & 0xffff);
  v.setUint32(4, f.timestamp >>> 0);
  v.setUint32(8, f.ssrc >>> 0);
  p.set(f.payload, 12);
  return p;
}

export interface ImpairmentOptions {
  seed: number;
  /** Packets sent (one per frame). */
  packets: number;
  /** Probability that a packet is lost, 0..1. */
  loss?: number;
  /** Extra transit delay drawn uniformly from [0, jitterMs]. */
  jitterMs?: number;
  /** Probability that a packet is held back 1-3 frames (arrives after later ones). */
  reorder?: number;
  /** Probability that a packet is delivered twice. */
  duplicate?: number;
  frameMs?: number;
  clockRate?: number;
  firstSequence?: number;
  firstTimestamp?: number;
  ssrc?: number;
  /** Fixed network delay, ms. */
  baseDelayMs?: number;
  /** Send time of the first packet, ms. */
  startMs?: number;
  payloadBytes?: number;
}

export interface SentPacket {
  /** Index of the frame in the sent stream (0-based). */
  index: number;
  sequence: number;
  timestamp: number;
  sendMs: number;
}

export interface ArrivingPacket extends SentPacket {
  arrivalMs: number;
  bytes: Uint8Array;
  duplicate: boolean;
}

export interface ImpairedStream {
  sent: SentPacket[];
  /** Packets in arrival order (lost ones absent, duplicates present twice). */
  arrivals: ArrivingPacket[];
  /** Indices of frames that never arrive. */
  lostIndices: Set<number>;
}

/**
 * Generates a stream and its impaired arrival order. The payload's first 4 bytes hold
 * the frame index (big-endian) so a test can check what was played.
 */
export function impairedStream(o: ImpairmentOptions): ImpairedStream {
  const rnd = mulberry32(o.seed);
  const frameMs = o.frameMs ?? 20;
  const clockRate = o.clockRate ?? 48000;
  const spf = (clockRate * frameMs) / 1000;
  const seq0 = o.firstSequence ?? Math.floor(rnd() * 65536);
  const ts0 = o.firstTimestamp ?? Math.floor(rnd() * 4294967296);
  const ssrc = o.ssrc ?? 0x1234abcd;
  const base = o.baseDelayMs ?? 30;
  const start = o.startMs ?? 1000;
  const payloadBytes = Math.max(4, o.payloadBytes ?? 40);
  const sent: SentPacket[] = [];
  const arrivals: ArrivingPacket[] = [];
  const lostIndices = new Set<number>();
  for (let i = 0; i < o.packets; i++) {
    const sequence = (seq0 + i) & 0xffff;
    const timestamp = (ts0 + i * spf) >>> 0;
    const sendMs = start + i * frameMs;
    sent.push({ index: i, sequence, timestamp, sendMs });
    if (rnd() < (o.loss ?? 0)) {
      lostIndices.add(i);
      continue;
    }
    const payload = new Uint8Array(payloadBytes);
    new DataView(payload.buffer).setUint32(0, i);
    for (let k = 4; k < payloadBytes; k++) payload[k] = (i * 31 + k) & 0xff;
    const bytes = buildRtp({ sequence, timestamp, ssrc, payload });
    let arrivalMs = sendMs + base + rnd() * (o.jitterMs ?? 0);
    if (rnd() < (o.reorder ?? 0)) arrivalMs += frameMs * (1 + Math.floor(rnd() * 3));
    arrivals.push({ index: i, sequence, timestamp, sendMs, arrivalMs, bytes, duplicate: false });
    if (rnd() < (o.duplicate ?? 0)) {
      arrivals.push({ index: i, sequence, timestamp, sendMs, arrivalMs: arrivalMs + rnd() * 40, bytes, duplicate: true });
    }
  }
  arrivals.sort((a, b) => a.arrivalMs - b.arrivalMs);
  return { sent, arrivals, lostIndices };
}

/** Reads the frame index a generated payload carries. */
export function frameIndexOf(payload: Uint8Array): number {
  return new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0);
}
