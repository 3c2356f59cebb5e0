// Per-tenant admission limits: concurrent calls and calls started per minute (sliding 60 s window).
import type { TenantLimits } from './admin-store.js';

export type Admission = { ok: true; release: () => void } | { ok: false; reason: 'tenant_concurrent_limit' | 'tenant_rate_limit' };

export class TenantLimiter {
  private readonly active = new Map<string, number>();
  private readonly starts = new Map<string, number[]>();

  constructor(private readonly limitsOf: (tenantId: string) => TenantLimits | undefined) {}

  /** Admits a new call or says which limit refuses it; call release() when the call ends. */
  admit(tenantId: string, now = Date.now()): Admission {
    const l = this.limitsOf(tenantId);
    const active = this.active.get(tenantId) ?? 0;
    if (l?.maxConcurrentCalls != null && active >= l.maxConcurrentCalls) return { ok: false, reason: 'tenant_concurrent_limit' };
    const recent = (this.starts.get(tenantId) ?? []).filter((t) => t > now - 60_000);
    if (l?.callsPerMinute != null && recent.length >= l.callsPerMinute) {
      this.starts.set(tenantId, recent);
      return { ok: false, reason: 'tenant_rate_limit' };
    }
    recent.push(now);
    this.starts.set(tenantId, recent);
    this.active.set(tenantId, active + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.active.set(tenantId, Math.max(0, (this.active.get(tenantId) ?? 1) - 1));
      },
    };
  }
}
