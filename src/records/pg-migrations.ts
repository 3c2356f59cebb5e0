// Versioned schema of the PostgreSQL records store; the same numbering as the SQLite migrations.
import type { PoolClient } from 'pg';

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'calls, turns, appointments',
    sql: `
      CREATE TABLE calls (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        channel TEXT NOT NULL CHECK (channel IN ('webrtc','sip','text')),
        caller_number TEXT,
        language TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','ended')),
        outcome TEXT,
        summary_json TEXT
      );
      CREATE TABLE turns (
        id BIGSERIAL PRIMARY KEY,
        call_id TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
        speaker TEXT NOT NULL CHECK (speaker IN ('caller','agent')),
        text TEXT NOT NULL,
        at TEXT NOT NULL,
        engine TEXT
      );
      CREATE INDEX turns_call ON turns (call_id, id);
      CREATE TABLE appointments (
        id BIGSERIAL PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        call_id TEXT NOT NULL REFERENCES calls(id),
        technician TEXT NOT NULL,
        start_at TEXT NOT NULL,
        end_at TEXT NOT NULL,
        start_ms BIGINT NOT NULL,
        end_ms BIGINT NOT NULL
      );
      CREATE INDEX appointments_tenant_tech ON appointments (tenant_id, technician, start_ms);
    `,
  },
  {
    version: 2,
    name: 'call end reason, transfer outcome, status abandoned, list columns, turn latency, transcript purge',
    sql: `
      ALTER TABLE calls DROP CONSTRAINT calls_status_check;
      ALTER TABLE calls ADD CONSTRAINT calls_status_check CHECK (status IN ('active','ended','abandoned'));
      ALTER TABLE calls ADD COLUMN started_ms BIGINT;
      UPDATE calls SET started_ms = (EXTRACT(EPOCH FROM started_at::timestamptz) * 1000)::BIGINT;
      ALTER TABLE calls ALTER COLUMN started_ms SET NOT NULL;
      ALTER TABLE calls ADD COLUMN ended_ms BIGINT;
      UPDATE calls SET ended_ms = (EXTRACT(EPOCH FROM ended_at::timestamptz) * 1000)::BIGINT WHERE ended_at IS NOT NULL;
      ALTER TABLE calls ADD COLUMN end_reason TEXT;
      ALTER TABLE calls ADD COLUMN urgency TEXT;
      ALTER TABLE calls ADD COLUMN trade TEXT;
      ALTER TABLE calls ADD COLUMN transfer_target TEXT;
      ALTER TABLE calls ADD COLUMN transfer_outcome TEXT CHECK (transfer_outcome IN ('requested','connected','failed'));
      ALTER TABLE calls ADD COLUMN transcript_purged_at TEXT;
      UPDATE calls SET urgency = summary_json::jsonb->>'urgency', trade = summary_json::jsonb->>'trade',
        transfer_target = summary_json::jsonb->>'transferTo' WHERE summary_json IS NOT NULL;
      CREATE INDEX calls_tenant_started ON calls (tenant_id, started_ms);
      CREATE INDEX calls_status ON calls (status);
      ALTER TABLE turns ADD COLUMN latency_json TEXT;
    `,
  },
  {
    version: 3,
    name: 'calls.node_id (the gateway node that took the call)',
    sql: `
      ALTER TABLE calls ADD COLUMN node_id TEXT;
      CREATE INDEX calls_status_node ON calls (status, node_id);
    `,
  },
];

/**
 * Applies the migrations not yet recorded in `table` under an advisory lock (several nodes may start
 * together); returns the resulting version. The delivery outbox's migrations use their own table
 * (`delivery_schema_migrations`, as on SQLite).
 */
export async function migratePg(client: PoolClient, migrations: readonly PgMigration[] = PG_MIGRATIONS, table = 'schema_migrations'): Promise<number> {
  if (!/^[a-z_]+$/.test(table)) throw new Error(`bad migrations table name ${table}`);
  await client.query('SELECT pg_advisory_lock(727274001)');
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS ${table} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${table}`);
    const applied = new Set(rows.map((r) => Number(r.version)));
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query(`INSERT INTO ${table} (version, name, applied_at) VALUES ($1, $2, $3)`, [m.version, m.name, new Date().toISOString()]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    }
    const max = await client.query<{ v: number | null }>(`SELECT MAX(version) AS v FROM ${table}`);
    return Number(max.rows[0]?.v ?? 0);
  } finally {
    await client.query('SELECT pg_advisory_unlock(727274001)');
  }
}
