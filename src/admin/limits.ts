// Per-tenant admission limits on voice calls: concurrent calls and calls started per minute
// (sliding 60 s window). The active calls are counted by whoever hosts them (the media worker
// pool), so a call that ends any way at all stops counting at once.
import type { TenantLimits } from './admin-store.js';

export type LimitReason = 'tenant_concurrent_limit' | 'tenant_rate_limit';

export interface LimitRefusal {
  reason: LimitReason;
  /** Seconds after which a new call may be admitted (RFC 9110 §10.2.3 Retry-After). */
  retryAfterS: number;
}

const WINDOW_MS = 60_000;
/** When a concurrent call will end is unknown: the suggested wait before trying again. */
export const CONCURRENT_RETRY_S = 5;

export class TenantLimiter {
  private readonly starts = new Map<string, number[]>();

  constructor(
    private readonly limitsOf: (tenantId: string) => TenantLimits | undefined,
    /** The tenant's calls in progress now. */
    private readonly activeOf: (tenantId: string) => number,
  ) {}

  /** Why a new call for the tenant would be refused now, or null; changes nothing (token issue asks this). */
  check(tenantId: string, now = Date.now()): LimitRefusal | null {
    const l = this.limitsOf(tenantId);
    if (l?.maxConcurrentCalls != null && this.activeOf(tenantId) >= l.maxConcurrentCalls) {
      return { reason: 'tenant_concurrent_limit', retryAfterS: CONCURRENT_RETRY_S };
    }
    if (l?.callsPerMinute != null) {
      const recent = this.recent(tenantId, now);
      if (recent.length >= l.callsPerMinute) {
        const oldest = recent[recent.length - l.callsPerMinute] ?? now;
        return { reason: 'tenant_rate_limit', retryAfterS: Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000)) };
      }
    }
    return null;
  }

  /** Counts a call that started now toward the tenant's calls per minute (only kept while a rate limit is set). */
  started(tenantId: string, now = Date.now()): void {
    if (this.limitsOf(tenantId)?.callsPerMinute == null) {
      this.starts.delete(tenantId);
      return;
    }
    const recent = this.recent(tenantId, now);
    recent.push(now);
    this.starts.set(tenantId, recent);
  }

  private recent(tenantId: string, now: number): number[] {
    const recent = (this.starts.get(tenantId) ?? []).filter((t) => t > now - WINDOW_MS);
    this.starts.set(tenantId, recent);
    return recent;
  }
}
