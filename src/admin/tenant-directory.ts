// The live tenant registry: tenants from the config files, overridden and extended by the operator API
// and the dashboard (stored in admin_tenants), validated with the config file's zod schema, applied live.
import type { Tenant } from '../agent/tenant/schema.js';
import { parseTenant, TenantConfigError, type TenantRegistry } from '../agent/tenant/loader.js';
import type { AdminStore, TenantAdminRow, TenantLimits } from './admin-store.js';
import { canonicalNumber } from './phone-number.js';

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
  private readonly listeners = new Set<() => void>();
  private notifyQueued = false;

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

  /**
   * Calls `listener` after the tenants changed (any create, update, status, limits, numbers or
   * origins change, or a refresh); changes made in one synchronous run are reported once, in a
   * microtask, so a request's several writes reach the media workers as one update. Returns an unsubscribe.
   */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Origins assigned to a tenant with the operator API; undefined for a tenant this directory does not know. */
  assignedOrigins(id: string): readonly string[] | undefined {
    return this.cache.get(id)?.widgetOrigins;
  }

  /**
   * The active tenant a dialled number belongs to (SIP routing, a later issue), or null. `number` is
   * read by libphonenumber-js in international format (`+1 514 555 0123` and `+15145550123` match).
   */
  tenantForNumber(number: string): string | null {
    const e164 = canonicalNumber(number);
    const id = e164 ? this.admin.tenantForNumber(e164) : null;
    return id !== null && this.cache.get(id)?.status === 'active' ? id : null;
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

  /** Numbers are stored in canonical E.164; one that is not a valid number throws InvalidNumberError. */
  setPhoneNumbers(id: string, numbers: string[]): TenantEntry {
    this.require(id);
    this.admin.setPhoneNumbers(id, numbers.map((n) => {
      const e164 = canonicalNumber(n);
      if (!e164) throw new InvalidNumberError(n);
      return e164;
    }));
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

  /** Re-reads the stored tenants (edits written by another process on the same database); listeners hear of it. */
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
    this.changed();
  }

  private reloadOne(id: string): TenantEntry {
    const row = this.admin.tenant(id);
    const base = row?.config ? parseTenant(row.config, id) : this.files.get(id);
    if (!base) throw new UnknownTenantError(id);
    const e = this.toEntry(base, row);
    this.cache.set(id, e);
    this.changed();
    return e;
  }

  private changed(): void {
    if (this.notifyQueued || this.listeners.size === 0) return;
    this.notifyQueued = true;
    queueMicrotask(() => {
      this.notifyQueued = false;
      for (const l of this.listeners) l();
    });
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

export class InvalidNumberError extends Error {
  constructor(number: string) {
    super(`"${number}" is not a valid phone number in international format (E.164, like +15145550123)`);
    this.name = 'InvalidNumberError';
  }
}
