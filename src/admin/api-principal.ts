// Who an `Authorization: Bearer <key>` header belongs to: a bootstrap operator key from the
// environment, or a stored operator or tenant key.
import type { AdminStore, ApiPrincipal } from './admin-store.js';
import { sameSecret } from './credentials.js';

/** Bootstrap keys shorter than this are ignored (too weak to accept). */
const MIN_BOOTSTRAP_KEY = 24;

export type PrincipalResolver = (authorization: string) => ApiPrincipal | null;

export function principalResolver(admin: AdminStore, operatorKeys: readonly string[]): PrincipalResolver {
  const bootstrap = operatorKeys.filter((k) => k.length >= MIN_BOOTSTRAP_KEY);
  return (authorization) => {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!m) return null;
    const key = m[1]!;
    if (bootstrap.some((k) => sameSecret(k, key))) return { kind: 'operator', keyId: 'bootstrap' };
    return admin.authenticateKey(key);
  };
}

/** True when the principal may read a record of `tenantId`: an operator, or that tenant itself. */
export function mayReadTenant(p: ApiPrincipal | null, tenantId: string): boolean {
  return p !== null && (p.kind === 'operator' || p.tenantId === tenantId);
}
