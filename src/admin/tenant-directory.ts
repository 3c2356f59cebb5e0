// The live tenant registry: tenants from the config files, overridden and extended by the operator API
// and the dashboard (stored in admin_tenants), validated with the config file's zod schema, applied live.
import type { Tenant } from '../agent/tenant/schema.js';
import { parseTenant, TenantConfigError, type TenantRegistry } from '../agent/tenant/loader.js';
import type { AdminStore, TenantAdminRow, TenantLimits } from './admin-store.js';

export interface TenantEntry {
  tenant: Tenant;
  status: 'active' | 'suspended';
  retentionDays: number | null;
  limits: TenantLimits;
  phoneNumbers: string[];
  widgetOrigins: string[];
  /** 'file' when only the config file defines it. */
  source: 'file' | 'operator';
}

export class TenantExistsError extends Error {
  constructor(id: string) {
    super(`tenant "${id}" already exists`);
    this.name = 'TenantExistsError';
  }
}

/** The settings a tenant's staff may edit in the dashboard. */
export interface EditableSettings {
  hours: unknown;
  holidays?: unknown;
  serviceArea: unknown;
  onCall: unknown;
  notifications: unknown;
}

export class TenantDirectory implements TenantRegistry {
  private readonly files: Map<string, Tenant>;
  private cache = new Map<string, TenantEntry>();

  constructor(private readonly admin: AdminStore, fileTenants: Tenant[]) {
    this.files = new Map(fileTenants.map((t) => [t.id, t]));
    this.reload();
  }

  /** Active tenants only: a suspended tenant is unknown to the conversation API and the gateway. */
  get(id: string): Tenant | undefined {
    const e = this.cache.get(id);
    return e && e.status === 'active' ? e.tenant : undefined;
  }

  list(): Tenant[] {
    return [...this.cache.values()].filter((e) => e.status === 'active').map((e) => e.tenant);
  }

  entry(id: string): TenantEntry | undefined {
    return this.cache.get(id);
  }

  entries(): TenantEntry[] {
    return [...this.cache.values()].sort((a, b) => a.tenant.id.localeCompare(b.tenant.id));
  }

  /** Creates a tenant from a full config (validated as a config file is). */
  create(config: unknown): TenantEntry {
    const tenant = parseTenant(config, 'tenant');
    if (this.cache.has(tenant.id)) throw new TenantExistsError(tenant.id);
    this.admin.upsertTenant(tenant.id, { config: tenant, status: 'active' });
    return this.reloadOne(tenant.id);
  }

  /** Replaces the config (the id cannot change). */
  replaceConfig(id: string, config: unknown): TenantEntry {
    this.require(id);
    const tenant = parseTenant(config, id);
    if (tenant.id !== id) throw new TenantConfigError(id, [`id: cannot change from "${id}" to "${tenant.id}"`]);
    this.admin.upsertTenant(id, { config: tenant });
    return this.reloadOne(id);
  }

  /** Applies the dashboard's editable settings onto the current config, validated as a whole. */
  updateSettings(id: string, s: EditableSettings): TenantEntry {
    const cur = this.require(id).tenant;
    const next = {
      ...cur,
      hours: s.hours,
      ...(s.holidays !== undefined ? { holidays: s.holidays } : {}),
      serviceArea: s.serviceArea,
      routing: { ...cur.routing, onCall: s.onCall },
      notifications: s.notifications,
    };
    return this.replaceConfig(id, next);
  }

  setStatus(id: string, status: 'active' | 'suspended'): TenantEntry {
    this.require(id);
    this.admin.upsertTenant(id, { status });
    return this.reloadOne(id);
  }

  setLimits(id: string, limits: Partial<TenantLimits>, retentionDays?: number | null): TenantEntry {
    this.require(id);
    this.admin.upsertTenant(id, { limits, ...(retentionDays !== undefined ? { retentionDays } : {}) });
    return this.reloadOne(id);
  }

  setPhoneNumbers(id: string, numbers: string[]): TenantEntry {
    this.require(id);
    this.admin.setPhoneNumbers(id, numbers);
    this.admin.upsertTenant(id, {});
    return this.reloadOne(id);
  }

  setWidgetOrigins(id: string, origins: string[]): TenantEntry {
    this.require(id);
    this.admin.setWidgetOrigins(id, origins);
    this.admin.upsertTenant(id, {});
    return this.reloadOne(id);
  }

  private require(id: string): TenantEntry {
    const e = this.cache.get(id);
    if (!e) throw new UnknownTenantError(id);
    return e;
  }

  /** Re-reads the stored tenants (another process, e.g. a media worker thread, picks up dashboard edits this way). */
  refresh(): void {
    this.reload();
  }

  private reload(): void {
    const next = new Map<string, TenantEntry>();
    for (const t of this.files.values()) next.set(t.id, this.toEntry(t, null));
    for (const row of this.admin.tenants()) {
      const base = row.config ? parseTenant(row.config, row.tenantId) : this.files.get(row.tenantId);
      if (base) next.set(row.tenantId, this.toEntry(base, row));
    }
    this.cache = next;
  }

  private reloadOne(id: string): TenantEntry {
    const row = this.admin.tenant(id);
    const base = row?.config ? parseTenant(row.config, id) : this.files.get(id);
    if (!base) throw new UnknownTenantError(id);
    const e = this.toEntry(base, row);
    this.cache.set(id, e);
    return e;
  }

  private toEntry(tenant: Tenant, row: TenantAdminRow | null): TenantEntry {
    return {
      tenant,
      status: row?.status ?? 'active',
      retentionDays: row?.retentionDays ?? null,
      limits: row?.limits ?? { maxConcurrentCalls: null, callsPerMinute: null },
      phoneNumbers: row?.phoneNumbers ?? [],
      widgetOrigins: row?.widgetOrigins ?? [],
      source: row?.config ? 'operator' : 'file',
    };
  }
}

export class UnknownTenantError extends Error {
  constructor(id: string) {
    super(`unknown tenant "${id}"`);
    this.name = 'UnknownTenantError';
  }
}
