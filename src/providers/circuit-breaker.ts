/**
 * When a provider is skipped for its fallback: after `failuresToOpen` failures in a row
 * (budget misses or errors), for `cooldownMs`. One slow answer during a load spike costs
 * that one request its fallback, not every call on the worker for the cool-down (the
 * fallbacks are the offline engines, which cost the gateway more CPU than the cloud ones).
 */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit (default 3). */
  failuresToOpen?: number;
  /** How long an open circuit skips the primary (default 30 s). */
  cooldownMs?: number;
}

export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;

  constructor(private readonly opts: CircuitBreakerOptions = {}) {}

  /** True while the primary is skipped. */
  get open(): boolean {
    return Date.now() < this.openUntil;
  }

  success(): void {
    this.failures = 0;
  }

  /** Counts a failure; true when it opened the circuit. */
  failure(): boolean {
    this.failures++;
    if (this.failures < (this.opts.failuresToOpen ?? 3)) return false;
    this.failures = 0;
    this.openUntil = Date.now() + (this.opts.cooldownMs ?? 30_000);
    return true;
  }
}
