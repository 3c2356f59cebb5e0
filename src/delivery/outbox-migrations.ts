// Versioned schema of the delivery outbox. Recorded in its own table (delivery_schema_migrations)
// so it can share a database file with the call store without colliding with its versions.
import type Database from 'better-sqlite3';

export interface OutboxMigration {
  version: number;
  name: string;
  sql: string;
}

const OUTBOX_MIGRATIONS: readonly OutboxMigration[] = [
  {
    version: 1,
    name: 'delivery_outbox',
    sql: `
      CREATE TABLE delivery_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        call_id TEXT NOT NULL,
        tenant_id TEXT NOT NULL,
        target_kind TEXT NOT NULL CHECK (target_kind IN ('email','sms','webhook','crm')),
        target_ref TEXT NOT NULL,
        target_label TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        payload_json TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sending','sent','dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT,
        progress_json TEXT,
        claimed_at INTEGER,
        sent_at INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX delivery_outbox_due ON delivery_outbox (status, next_attempt_at);
      CREATE INDEX delivery_outbox_call ON delivery_outbox (call_id);
      CREATE INDEX delivery_outbox_tenant ON delivery_outbox (tenant_id, created_at);
    `,
  },
  {
    version: 2,
    name: 'delivery_outbox.claimed_by (the worker that claimed a row; fences its settlement)',
    sql: 'ALTER TABLE delivery_outbox ADD COLUMN claimed_by TEXT;',
  },
];

/** Applies the outbox migrations not yet recorded; returns the resulting outbox schema version. */
export function migrateDeliveryOutbox(db: Database.Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS delivery_schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set(db.prepare('SELECT version FROM delivery_schema_migrations').pluck().all() as number[]);
  const record = db.prepare('INSERT INTO delivery_schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of OUTBOX_MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
    })();
  }
  return (db.prepare('SELECT MAX(version) FROM delivery_schema_migrations').pluck().get() as number | null) ?? 0;
}
