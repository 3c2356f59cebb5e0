/**
 * What signaling asks before a call (declared here, implemented by the tenant
 * administration, src/admin/call-admission.ts): whether the tenant takes calls now
 * (known, not suspended, under its concurrent-call and per-minute limits).
 * Token issue asks `check`; a call start asks `check`, then reports `started`.
 */
export type AdmissionCode = 'unknown_tenant' | 'tenant_suspended' | 'tenant_concurrent_limit' | 'tenant_rate_limit';

export interface AdmissionRefusal {
  code: AdmissionCode;
  message: string;
  /** For the limits: seconds before a new call may be admitted (HTTP Retry-After, RFC 9110 §10.2.3). */
  retryAfterS?: number;
}

export interface CallAdmission {
  /** Why a new call for `tenant` would be refused now, or null. No side effect. */
  check(tenant: string): AdmissionRefusal | null;
  /** A call for `tenant` started (it counts toward the tenant's calls per minute). */
  started(tenant: string): void;
}
