// Admission of new voice calls for signaling's CallAdmission port (src/signaling/call-admission.ts):
// the tenant must be known and active, and under its limits (limits.ts).
import { TenantLimiter, type LimitReason } from './limits.js';
import type { TenantDirectory } from './tenant-directory.js';

export type AdmissionCode = 'unknown_tenant' | 'tenant_suspended' | LimitReason;

export interface Refusal {
  code: AdmissionCode;
  message: string;
  retryAfterS?: number;
}

const LIMIT_MESSAGE: Record<LimitReason, string> = {
  tenant_concurrent_limit: 'this line is taking as many calls as it may at once; try again shortly',
  tenant_rate_limit: 'this line has started as many calls as it may this minute; try again shortly',
};

export class TenantCallAdmission {
  private readonly limiter: TenantLimiter;

  /** `activeOf`: the tenant's voice calls in progress (the media worker pool counts them). */
  constructor(private readonly directory: TenantDirectory, activeOf: (tenantId: string) => number, private readonly now: () => number = Date.now) {
    this.limiter = new TenantLimiter((id) => directory.entry(id)?.limits, activeOf);
  }

  check(tenant: string): Refusal | null {
    const e = this.directory.entry(tenant);
    if (!e) return { code: 'unknown_tenant', message: `unknown tenant "${tenant}"` };
    if (e.status !== 'active') return { code: 'tenant_suspended', message: 'this line is not taking calls' };
    const r = this.limiter.check(tenant, this.now());
    return r ? { code: r.reason, message: LIMIT_MESSAGE[r.reason], retryAfterS: r.retryAfterS } : null;
  }

  started(tenant: string): void {
    this.limiter.started(tenant, this.now());
  }
}
