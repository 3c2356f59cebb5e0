// Exponential backoff with jitter between delivery attempts.

export interface BackoffPolicy {
  /** Delay after the first failed attempt. */
  baseMs: number;
  /** Ceiling of any delay. */
  maxMs: number;
  /** Attempts in all, the first included; after the last failure the row is dead. */
  maxAttempts: number;
  /** Fraction of the delay that is randomised (0: none, 1: "full jitter"). */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 5_000, maxMs: 30 * 60_000, maxAttempts: 10, jitter: 0.5 };

/** Delay before attempt `failedAttempts + 1`: min(max, base·2^(n−1)), the top `jitter` share randomised. */
export function backoffDelay(policy: BackoffPolicy, failedAttempts: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failedAttempts - 1));
  const jitter = Math.min(Math.max(policy.jitter, 0), 1);
  return Math.round(exp * (1 - jitter * random()));
}
