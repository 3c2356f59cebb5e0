import type { SocketReceiveStats } from './media-engine.js';

/**
 * The "fraction lost" of RFC 3550 §6.4.1 over the interval since the previous take, in 1/256
 * (A.3), from the cumulative expected and received counts.
 */
class LossInterval {
  #expectedPrior = 0;
  #receivedPrior = 0;

  take(expected: number, received: number): number {
    const expectedInterval = expected - this.#expectedPrior;
    this.#expectedPrior = expected;
    const receivedInterval = received - this.#receivedPrior;
    this.#receivedPrior = received;
    const lost = expectedInterval - receivedInterval;
    return expectedInterval === 0 || lost <= 0 ? 0 : Math.floor((lost << 8) / expectedInterval);
  }
}

/**
 * Receiver statistics of one RTP stream received on the lean path (RFC 3550 §6.4.1 report
 * block fields, computed as in Appendix A.3 and A.8), shaped like werift 0.24.4's
 * `StreamStatistics` so werift's own receiver-report loop (`RTCRtpReceiver.runRtcp`, which
 * reads `fraction_lost`, `packets_lost`, `max_seq` and `jitter` from
 * `receiver.remoteStreams[ssrc]`) reports the stream werift no longer sees.
 * A few integer operations per packet, no allocation.
 */
export class LeanReceiveStats {
  /** packets received, duplicates included (RFC 3550 §6.4.1) */
  packets_received = 0;
  /** payload bytes received */
  bytesReceived = 0;
  #base = -1;
  #maxSeq = 0;
  #cycles = 0;
  /** interarrival jitter estimate in timestamp units (RFC 3550 §6.4.1, A.8) */
  #jitter = 0;
  #lastArrival = 0;
  #lastTimestamp = 0;
  readonly #interval = new LossInterval();

  constructor(private readonly clockRate: number) {}

  /** One authenticated packet: its sequence number, RTP timestamp, arrival (ms) and payload size. */
  add(sequenceNumber: number, timestamp: number, arrivalMs: number, payloadBytes: number): void {
    const arrival = (arrivalMs * this.clockRate) / 1000;
    this.packets_received++;
    this.bytesReceived += payloadBytes;
    if (this.#base < 0) {
      this.#base = sequenceNumber;
      this.#maxSeq = sequenceNumber;
    } else {
      // In order when ahead by less than half the sequence space; a smaller number then means a wrap (A.1).
      const delta = (sequenceNumber - this.#maxSeq) & 0xffff;
      if (delta !== 0 && delta < 0x8000) {
        if (sequenceNumber < this.#maxSeq) this.#cycles += 0x10000;
        this.#maxSeq = sequenceNumber;
      }
      // A.8: D(i-1,i) = (Rj - Ri) - (Sj - Si); J += (|D| - J) / 16. The timestamp difference is signed 32-bit.
      const d = Math.abs(arrival - this.#lastArrival - ((timestamp - this.#lastTimestamp) | 0));
      this.#jitter += (d - this.#jitter) / 16;
    }
    this.#lastArrival = arrival;
    this.#lastTimestamp = timestamp;
  }

  /** Extended highest sequence number received (cycles + highest, RFC 3550 §6.4.1). */
  get max_seq(): number {
    return (this.#cycles + this.#maxSeq) >>> 0;
  }

  get packets_expected(): number {
    return this.#base < 0 ? 0 : this.#cycles + this.#maxSeq - this.#base + 1;
  }

  /** Cumulative number of packets lost (A.3), never negative as werift reports it. */
  get packets_lost(): number {
    return Math.max(0, this.packets_expected - this.packets_received);
  }

  /**
   * Fraction lost since the previous read, in 1/256 (A.3). Reading it starts a new
   * interval, as werift's StreamStatistics does (its report loop reads it once per report).
   */
  get fraction_lost(): number {
    return this.#interval.take(this.packets_expected, this.packets_received);
  }

  /** Interarrival jitter in timestamp units. */
  get jitter(): number {
    return Math.floor(this.#jitter);
  }
}

/**
 * The same report-block fields for a stream the media engine reads natively
 * (MediaEngine.attachSocket), read from the engine when werift's receiver-report loop asks.
 */
export class EngineReceiveStats {
  readonly #interval = new LossInterval();

  constructor(private readonly read: () => SocketReceiveStats | undefined) {}

  get packets_received(): number {
    return this.read()?.packets ?? 0;
  }

  get max_seq(): number {
    return this.read()?.extendedMaxSeq ?? 0;
  }

  get packets_lost(): number {
    const s = this.read();
    return s ? Math.max(0, s.expected - s.packets) : 0;
  }

  get fraction_lost(): number {
    const s = this.read();
    return s ? this.#interval.take(s.expected, s.packets) : 0;
  }

  get jitter(): number {
    return Math.floor(this.read()?.jitter ?? 0);
  }
}
