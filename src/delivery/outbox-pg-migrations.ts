// Versioned schema of the delivery outbox on PostgreSQL: the same table, columns and version numbers
// as on SQLite (outbox-migrations.ts), recorded in delivery_schema_migrations. openPgStore applies
// them with the records store's migration runner (src/records/pg-migrations.ts), under its lock.
import type { OutboxMigration } from './outbox-migrations.js';

export const PG_OUTBOX_MIGRATIONS: readonly OutboxMigration[] = [
  {
    version: 1,
    name: 'delivery_outbox',
    sql: `
      CREATE TABLE delivery_outbox (
        id BIGSERIAL PRIMARY KEY,
        call_id TEXT NOT NULL,
        tenant_id TEXT NOT NULL,
        target_kind TEXT NOT NULL CHECK (target_kind IN ('email','sms','webhook','crm')),
        target_ref TEXT NOT NULL,
        target_label TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        payload_json TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sending','sent','dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        last_error TEXT,
        progress_json TEXT,
        claimed_at BIGINT,
        sent_at BIGINT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
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
