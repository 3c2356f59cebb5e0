import { afterEach, describe, expect, it, vi } from 'vitest';
import { CircuitBreaker } from '../../src/providers/circuit-breaker.js';

describe('provider circuit breaker', () => {
  afterEach(() => vi.useRealTimers());

  it('opens after the configured failures in a row, for the cool-down only; a success in between resets the count', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const b = new CircuitBreaker({ failuresToOpen: 3, cooldownMs: 10_000 });
    expect(b.failure()).toBe(false);
    expect(b.failure()).toBe(false);
    b.success();
    expect(b.failure()).toBe(false);
    expect(b.failure()).toBe(false);
    expect(b.open).toBe(false);
    expect(b.failure()).toBe(true);
    expect(b.open).toBe(true);
    vi.advanceTimersByTime(9_999);
    expect(b.open).toBe(true);
    vi.advanceTimersByTime(1);
    expect(b.open).toBe(false);
    // Closed again: it takes three new failures to reopen.
    expect(b.failure()).toBe(false);
    expect(b.open).toBe(false);
  });

  it('defaults to three failures and 30 s', () => {
    vi.useFakeTimers({ now: 0 });
    const b = new CircuitBreaker();
    b.failure();
    b.failure();
    expect(b.failure()).toBe(true);
    vi.advanceTimersByTime(29_999);
    expect(b.open).toBe(true);
    vi.advanceTimersByTime(1);
    expect(b.open).toBe(false);
  });
});
