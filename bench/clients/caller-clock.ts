/**
 * The 20 ms send clock of a caller process: one timer for every caller in it (not one
 * interval per caller), its callers spread over phases of the period, on the gateway's
 * MediaClock (src/media/pacer.ts): ticks at start + n·20 ms on the monotonic clock, so
 * timer lateness never accumulates. After a stall of the process the missed slots are
 * sent late, in order, as a browser sends the audio it captured meanwhile; only a stall
 * longer than CATCH_UP_MS re-anchors the schedule, and the frames of the slots it skipped
 * are lost (their sequence numbers and timestamps are not reused). Either way a caller's
 * RTP timestamps stay on real time: a sender whose timestamps fell behind would look to
 * the gateway like a slow sampling clock and grow its jitter buffer. The clock runs only
 * while at least one caller is sending.
 */
import { FRAME_MS } from '../../src/media/opus-codec.js';
import { MediaClock } from '../../src/media/pacer.js';

/** A caller sending one RTP packet per 20 ms slot. */
export interface PacedSender {
  /**
   * Sends this slot's packet; `now` is the tick's performance.now(), `frame` the 20 ms frame
   * number on the process clock (consecutive, except across slots skipped after a long stall). Must not throw.
   */
  onSlot(now: number, frame: number): void;
}

export interface CallerClockStats {
  ticks: number;
  /** Ticks whose callers' sends ran past the next deadline. */
  overruns: number;
  /** Slots skipped after a stall (nothing was sent for them). */
  skipped: number;
}

/**
 * Phases of the 20 ms period the callers of one process are spread over. Independent callers'
 * clocks have random phases, so their packets reach a gateway spread over the period; one
 * burst of every caller's packet per 20 ms would be a load no real population of callers makes.
 */
const PHASES = 10;
/** Longest stall whose missed slots are still sent (late, in order) rather than lost. */
const CATCH_UP_MS = 200;

export class CallerClock {
  readonly #phases = Array.from({ length: PHASES }, () => new Set<PacedSender>());
  readonly #phaseOf = new Map<PacedSender, number>();
  #assigned = 0;
  readonly #clock = new MediaClock(
    (slot, now) => {
      const frame = Math.floor(slot / PHASES);
      for (const s of this.#phases[slot % PHASES]!) s.onSlot(now, frame);
    },
    FRAME_MS / PHASES,
    CATCH_UP_MS,
  );

  get size(): number {
    return this.#phaseOf.size;
  }

  /** Ticks and overruns count slots of FRAME_MS / PHASES (one phase's callers each). */
  get stats(): CallerClockStats {
    // The clock's per-tick lateness and busy samples are not used here: drop them so they stay small.
    this.#clock.takeJitter();
    this.#clock.takeBusy();
    return { ticks: this.#clock.ticks, overruns: this.#clock.overruns, skipped: this.#clock.skipped };
  }

  /** Adds a caller on the next phase, round robin, so each phase holds an equal share. */
  add(s: PacedSender): void {
    if (this.#phaseOf.has(s)) return;
    const phase = this.#assigned++ % PHASES;
    this.#phases[phase]!.add(s);
    this.#phaseOf.set(s, phase);
    if (this.#phaseOf.size === 1) this.#clock.start();
  }

  remove(s: PacedSender): void {
    const phase = this.#phaseOf.get(s);
    if (phase === undefined) return;
    this.#phaseOf.delete(s);
    this.#phases[phase]!.delete(s);
    if (this.#phaseOf.size === 0) this.#clock.stop();
  }
}
