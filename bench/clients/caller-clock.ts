/**
 * The 20 ms send clock of a caller process: one timer for every caller in it (not one
 * interval per caller), on the gateway's MediaClock (src/media/pacer.ts): ticks at
 * start + n·20 ms on the monotonic clock, so timer lateness never accumulates, and a
 * stall longer than a frame re-anchors the schedule (the slots are skipped, not sent in
 * a burst). The clock runs only while at least one caller is sending.
 */
import { MediaClock } from '../../src/media/pacer.js';

/** A caller sending one RTP packet per 20 ms slot. */
export interface PacedSender {
  /** Sends this slot's packet; `now` is the tick's performance.now(). Must not throw. */
  onSlot(now: number): void;
}

export interface CallerClockStats {
  ticks: number;
  /** Ticks whose callers' sends ran past the next deadline. */
  overruns: number;
  /** Slots skipped after a stall (nothing was sent for them). */
  skipped: number;
}

export class CallerClock {
  readonly #senders = new Set<PacedSender>();
  readonly #clock = new MediaClock((_tick, now) => {
    for (const s of this.#senders) s.onSlot(now);
  });

  get size(): number {
    return this.#senders.size;
  }

  get stats(): CallerClockStats {
    // The clock's per-tick lateness and busy samples are not used here: drop them so they stay small.
    this.#clock.takeJitter();
    this.#clock.takeBusy();
    return { ticks: this.#clock.ticks, overruns: this.#clock.overruns, skipped: this.#clock.skipped };
  }

  add(s: PacedSender): void {
    this.#senders.add(s);
    if (this.#senders.size === 1) this.#clock.start();
  }

  remove(s: PacedSender): void {
    if (!this.#senders.delete(s)) return;
    if (this.#senders.size === 0) this.#clock.stop();
  }
}
