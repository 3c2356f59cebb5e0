// Operator-managed data on the records database (SQLite): tenant status, config overrides, limits,
// retention, phone numbers, widget origins, API keys, staff accounts, sessions and magic links.
import type Database from 'better-sqlite3';
import { migrate, type Migration } from '../records/migrations.js';
import { hashPassword, newId, newToken, sha256, verifyPassword } from './credentials.js';

const ADMIN_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tenants, numbers, origins, api keys, staff',
    sql: `
      CREATE TABLE admin_tenants (
        tenant_id TEXT PRIMARY KEY,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','suspended')),
        config_json TEXT,
        retention_days INTEGER,
        max_concurrent_calls INTEGER,
        calls_per_minute INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE admin_phone_numbers (number TEXT PRIMARY KEY, tenant_id TEXT NOT NULL);
      CREATE TABLE admin_widget_origins (tenant_id TEXT NOT NULL, origin TEXT NOT NULL, PRIMARY KEY (tenant_id, origin));
      CREATE TABLE admin_api_keys (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('operator','tenant')),
        tenant_id TEXT,
        secret_sha256 TEXT NOT NULL,
        label TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        revoked_at TEXT
      );
      CREATE TABLE staff_users (
        tenant_id TEXT NOT NULL, email TEXT NOT NULL, password_hash TEXT, created_at TEXT NOT NULL, PRIMARY KEY (tenant_id, email)
      );
      CREATE TABLE staff_sessions (token_sha256 TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, email TEXT NOT NULL, expires_ms INTEGER NOT NULL);
      CREATE TABLE staff_magic_links (token_sha256 TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, email TEXT NOT NULL, expires_ms INTEGER NOT NULL, used_ms INTEGER);
    `,
  },
];

export interface TenantAdminRow {
  tenantId: string;
  status: 'active' | 'suspended';
  config: unknown | null;
  retentionDays: number | null;
  limits: TenantLimits;
  phoneNumbers: string[];
  widgetOrigins: string[];
}

export interface TenantLimits {
  maxConcurrentCalls: number | null;
  callsPerMinute: number | null;
}

export type ApiPrincipal = { kind: 'operator'; keyId: string } | { kind: 'tenant'; keyId: string; tenantId: string };
export interface StaffSession { tenantId: string; email: string }

export class NumberTakenError extends Error {
  constructor(number: string) {
    super(`phone number ${number} is already assigned to another tenant`);
    this.name = 'NumberTakenError';
  }
}

const SESSION_MS = 12 * 3_600_000;

export class AdminStore {
  constructor(private readonly db: Database.Database) {
    migrate(db, ADMIN_MIGRATIONS, 'admin_schema_migrations');
  }

  tenant(id: string): TenantAdminRow | null {
    const r = this.db.prepare('SELECT * FROM admin_tenants WHERE tenant_id = ?').get(id) as Record<string, unknown> | undefined;
    return r ? this.toRow(r) : null;
  }

  tenants(): TenantAdminRow[] {
    return (this.db.prepare('SELECT * FROM admin_tenants ORDER BY tenant_id').all() as Record<string, unknown>[]).map((r) => this.toRow(r));
  }

  /** Creates the row when absent and applies the given fields. */
  upsertTenant(id: string, f: { status?: 'active' | 'suspended'; config?: unknown; retentionDays?: number | null; limits?: Partial<TenantLimits> }): void {
    const now = new Date().toISOString();
    this.db.transaction(() => {
      this.db.prepare('INSERT OR IGNORE INTO admin_tenants (tenant_id, created_at, updated_at) VALUES (?, ?, ?)').run(id, now, now);
      const set: string[] = ['updated_at = @now'];
      const p: Record<string, unknown> = { id, now };
      if (f.status !== undefined) { set.push('status = @status'); p.status = f.status; }
      if (f.config !== undefined) { set.push('config_json = @config'); p.config = JSON.stringify(f.config); }
      if (f.retentionDays !== undefined) { set.push('retention_days = @retention'); p.retention = f.retentionDays; }
      if (f.limits?.maxConcurrentCalls !== undefined) { set.push('max_concurrent_calls = @mcc'); p.mcc = f.limits.maxConcurrentCalls; }
      if (f.limits?.callsPerMinute !== undefined) { set.push('calls_per_minute = @cpm'); p.cpm = f.limits.callsPerMinute; }
      this.db.prepare(`UPDATE admin_tenants SET ${set.join(', ')} WHERE tenant_id = @id`).run(p);
    })();
  }

  /** Replaces the tenant's numbers; a number held by another tenant is refused (nothing changes). */
  setPhoneNumbers(id: string, numbers: string[]): void {
    this.db.transaction(() => {
      for (const n of numbers) {
        const owner = this.db.prepare('SELECT tenant_id FROM admin_phone_numbers WHERE number = ?').pluck().get(n) as string | undefined;
        if (owner !== undefined && owner !== id) throw new NumberTakenError(n);
      }
      this.db.prepare('DELETE FROM admin_phone_numbers WHERE tenant_id = ?').run(id);
      const ins = this.db.prepare('INSERT INTO admin_phone_numbers (number, tenant_id) VALUES (?, ?)');
      for (const n of new Set(numbers)) ins.run(n, id);
    })();
  }

  setWidgetOrigins(id: string, origins: string[]): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM admin_widget_origins WHERE tenant_id = ?').run(id);
      const ins = this.db.prepare('INSERT INTO admin_widget_origins (tenant_id, origin) VALUES (?, ?)');
      for (const o of new Set(origins)) ins.run(id, o);
    })();
  }

  /** The tenant a dialled number belongs to (SIP routing). */
  tenantForNumber(number: string): string | null {
    return (this.db.prepare('SELECT tenant_id FROM admin_phone_numbers WHERE number = ?').pluck().get(number) as string | undefined) ?? null;
  }

  /** Returns the full key once (`frk_<id>.<secret>`); only its SHA-256 is stored. */
  createApiKey(kind: 'operator' | 'tenant', tenantId: string | null, label = ''): { id: string; key: string } {
    const id = newId();
    const secret = newToken();
    this.db.prepare('INSERT INTO admin_api_keys (id, kind, tenant_id, secret_sha256, label, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, kind, tenantId, sha256(secret), label, new Date().toISOString());
    return { id, key: `frk_${id}.${secret}` };
  }

  revokeApiKey(id: string): boolean {
    return this.db.prepare('UPDATE admin_api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(new Date().toISOString(), id).changes === 1;
  }

  authenticateKey(key: string): ApiPrincipal | null {
    const m = /^frk_([0-9a-f]{12})\.([A-Za-z0-9_-]{20,})$/.exec(key);
    if (!m) return null;
    const row = this.db.prepare('SELECT id, kind, tenant_id, secret_sha256 FROM admin_api_keys WHERE id = ? AND revoked_at IS NULL').get(m[1]) as
      { id: string; kind: 'operator' | 'tenant'; tenant_id: string | null; secret_sha256: string } | undefined;
    if (!row || !timingSafeHexEqual(row.secret_sha256, sha256(m[2]!))) return null;
    return row.kind === 'operator' ? { kind: 'operator', keyId: row.id } : { kind: 'tenant', keyId: row.id, tenantId: row.tenant_id ?? '' };
  }

  setStaffPassword(tenantId: string, email: string, password: string): void {
    const hash = hashPassword(password);
    this.db.prepare(`INSERT INTO staff_users (tenant_id, email, password_hash, created_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (tenant_id, email) DO UPDATE SET password_hash = excluded.password_hash`).run(tenantId, email.toLowerCase(), hash, new Date().toISOString());
  }

  /** A one-time sign-in token for a staff member (created if needed), valid `ttlMs`. */
  createMagicLink(tenantId: string, email: string, ttlMs = 15 * 60_000, now = Date.now()): string {
    const token = newToken();
    this.db.transaction(() => {
      this.db.prepare('INSERT OR IGNORE INTO staff_users (tenant_id, email, password_hash, created_at) VALUES (?, ?, NULL, ?)').run(tenantId, email.toLowerCase(), new Date(now).toISOString());
      this.db.prepare('INSERT INTO staff_magic_links (token_sha256, tenant_id, email, expires_ms) VALUES (?, ?, ?, ?)').run(sha256(token), tenantId, email.toLowerCase(), now + ttlMs);
    })();
    return token;
  }

  /** Checks a password and opens a session; returns the session token, or null. */
  signInWithPassword(tenantId: string, email: string, password: string, now = Date.now()): string | null {
    const hash = this.db.prepare('SELECT password_hash FROM staff_users WHERE tenant_id = ? AND email = ?').pluck().get(tenantId, email.toLowerCase()) as string | null | undefined;
    if (!hash || !verifyPassword(password, hash)) return null;
    return this.openSession(tenantId, email.toLowerCase(), now);
  }

  /** Consumes a magic-link token (once) and opens a session. */
  signInWithMagicLink(token: string, now = Date.now()): { token: string; session: StaffSession } | null {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT tenant_id, email, expires_ms, used_ms FROM staff_magic_links WHERE token_sha256 = ?').get(sha256(token)) as
        { tenant_id: string; email: string; expires_ms: number; used_ms: number | null } | undefined;
      if (!row || row.used_ms !== null || row.expires_ms < now) return null;
      this.db.prepare('UPDATE staff_magic_links SET used_ms = ? WHERE token_sha256 = ?').run(now, sha256(token));
      return { token: this.openSession(row.tenant_id, row.email, now), session: { tenantId: row.tenant_id, email: row.email } };
    })();
  }

  session(token: string, now = Date.now()): StaffSession | null {
    const row = this.db.prepare('SELECT tenant_id, email FROM staff_sessions WHERE token_sha256 = ? AND expires_ms > ?').get(sha256(token), now) as
      { tenant_id: string; email: string } | undefined;
    return row ? { tenantId: row.tenant_id, email: row.email } : null;
  }

  endSession(token: string): void {
    this.db.prepare('DELETE FROM staff_sessions WHERE token_sha256 = ?').run(sha256(token));
  }

  private openSession(tenantId: string, email: string, now: number): string {
    const token = newToken();
    this.db.prepare('DELETE FROM staff_sessions WHERE expires_ms <= ?').run(now);
    this.db.prepare('INSERT INTO staff_sessions (token_sha256, tenant_id, email, expires_ms) VALUES (?, ?, ?, ?)').run(sha256(token), tenantId, email, now + SESSION_MS);
    return token;
  }

  private toRow(r: Record<string, unknown>): TenantAdminRow {
    const id = String(r.tenant_id);
    return {
      tenantId: id,
      status: r.status as 'active' | 'suspended',
      config: typeof r.config_json === 'string' ? (JSON.parse(r.config_json) as unknown) : null,
      retentionDays: (r.retention_days as number | null) ?? null,
      limits: { maxConcurrentCalls: (r.max_concurrent_calls as number | null) ?? null, callsPerMinute: (r.calls_per_minute as number | null) ?? null },
      phoneNumbers: this.db.prepare('SELECT number FROM admin_phone_numbers WHERE tenant_id = ? ORDER BY number').pluck().all(id) as string[],
      widgetOrigins: this.db.prepare('SELECT origin FROM admin_widget_origins WHERE tenant_id = ? ORDER BY origin').pluck().all(id) as string[],
    };
  }
}

function timingSafeHexEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
