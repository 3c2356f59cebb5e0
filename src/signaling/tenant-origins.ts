/**
 * Per-tenant origin allowlist for call tokens. An entry is an exact origin
 * (`https://acme-plumbing.com`), `*` (any origin, for development only), or `self`
 * (the origin of the gateway itself, i.e. its own demo page).
 */
export interface TenantOrigins {
  /** Whether `origin` may place calls for `tenant`; `host` is the request's Host header. */
  allows(tenant: string, origin: string, host: string): boolean;
  has(tenant: string): boolean;
}

/** Parses `demo=self,https://a.example;acme=https://acme.example`. */
export function parseTenantOrigins(spec: string): TenantOrigins {
  const table = new Map<string, string[]>();
  for (const entry of spec.split(';').map((s) => s.trim()).filter(Boolean)) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new Error(`tenant origins: expected tenant=origin[,origin] in "${entry}"`);
    const tenant = entry.slice(0, eq).trim();
    const origins = entry.slice(eq + 1).split(',').map((s) => s.trim()).filter(Boolean);
    for (const o of origins) {
      if (o !== '*' && o !== 'self' && !/^https?:\/\/[^/\s]+$/.test(o)) throw new Error(`tenant origins: bad origin "${o}" for ${tenant}`);
    }
    table.set(tenant, origins);
  }
  return {
    has: (tenant) => table.has(tenant),
    allows(tenant, origin, host) {
      const list = table.get(tenant);
      if (!list || !origin) return false;
      return list.some((o) => o === '*' || o === origin || (o === 'self' && (origin === `http://${host}` || origin === `https://${host}`)));
    },
  };
}

/**
 * `base` (TENANT_ORIGINS, the bootstrap default) widened by the origins assigned to each tenant
 * through the operator API. `assigned(tenant)` is undefined for a tenant the administration does
 * not know; a known tenant exists for `has` even before any origin is assigned.
 */
export function withAssignedOrigins(base: TenantOrigins, assigned: (tenant: string) => readonly string[] | undefined): TenantOrigins {
  return {
    has: (tenant) => base.has(tenant) || assigned(tenant) !== undefined,
    allows: (tenant, origin, host) => base.allows(tenant, origin, host) || (origin !== '' && (assigned(tenant)?.includes(origin) ?? false)),
  };
}
