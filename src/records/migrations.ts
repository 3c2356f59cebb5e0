// Versioned schema migrations for the call store; each runs once, in order, inside a transaction.
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
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
      CREATE INDEX calls_tenant_started ON calls (tenant_id, started_at);
      CREATE TABLE turns (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        call_id TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
        speaker TEXT NOT NULL CHECK (speaker IN ('caller','agent')),
        text TEXT NOT NULL,
        at TEXT NOT NULL,
        engine TEXT
      );
      CREATE INDEX turns_call ON turns (call_id, id);
      CREATE TABLE appointments (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant_id TEXT NOT NULL,
        call_id TEXT NOT NULL REFERENCES calls(id),
        technician TEXT NOT NULL,
        start_at TEXT NOT NULL,
        end_at TEXT NOT NULL,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER NOT NULL
      );
      CREATE INDEX appointments_tenant_tech ON appointments (tenant_id, technician, start_ms);
    `,
  },
  {
    version: 2,
    name: 'call end reason, transfer outcome, status abandoned, list columns, turn latency, transcript purge',
    // SQLite cannot alter a CHECK constraint: the calls table is rebuilt (migrate() turns foreign keys off
    // around it, as https://www.sqlite.org/lang_altertable.html section 7 prescribes, so turns are kept).
    sql: `
      CREATE TABLE calls_v2 (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        channel TEXT NOT NULL CHECK (channel IN ('webrtc','sip','text')),
        caller_number TEXT,
        language TEXT NOT NULL,
        started_at TEXT NOT NULL,
        started_ms INTEGER NOT NULL,
        ended_at TEXT,
        ended_ms INTEGER,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','ended','abandoned')),
        end_reason TEXT,
        outcome TEXT,
        urgency TEXT,
        trade TEXT,
        transfer_target TEXT,
        transfer_outcome TEXT CHECK (transfer_outcome IN ('requested','connected','failed')),
        summary_json TEXT,
        transcript_purged_at TEXT
      );
      INSERT INTO calls_v2 (id, tenant_id, channel, caller_number, language, started_at, started_ms, ended_at, ended_ms, status,
                            end_reason, outcome, urgency, trade, transfer_target, summary_json)
        SELECT id, tenant_id, channel, caller_number, language, started_at,
               CAST(strftime('%s', started_at) AS INTEGER) * 1000, ended_at,
               CASE WHEN ended_at IS NULL THEN NULL ELSE CAST(strftime('%s', ended_at) AS INTEGER) * 1000 END, status,
               NULL, outcome, json_extract(summary_json, '$.urgency'), json_extract(summary_json, '$.trade'),
               json_extract(summary_json, '$.transferTo'), summary_json
        FROM calls;
      DROP TABLE calls;
      ALTER TABLE calls_v2 RENAME TO calls;
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
 * Applies the migrations not yet recorded in `table`; returns the resulting version.
 * Foreign keys are off while migrating (a table rebuild must not cascade) and checked before each commit.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS, table = 'schema_migrations'): number {
  if (!/^[a-z_]+$/.test(table)) throw new Error(`bad migrations table name ${table}`);
  db.exec(`CREATE TABLE IF NOT EXISTS ${table} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied = new Set(db.prepare(`SELECT version FROM ${table}`).pluck().all() as number[]);
  const record = db.prepare(`INSERT INTO ${table} (version, name, applied_at) VALUES (?, ?, ?)`);
  const pending = [...migrations].sort((a, b) => a.version - b.version).filter((m) => !applied.has(m.version));
  if (pending.length > 0) {
    const fk = db.pragma('foreign_keys', { simple: true }) as number;
    db.pragma('foreign_keys = OFF');
    try {
      for (const m of pending) {
        db.transaction(() => {
          db.exec(m.sql);
          const broken = db.pragma('foreign_key_check') as unknown[];
          if (broken.length > 0) throw new Error(`migration ${m.version} (${m.name}) broke ${broken.length} foreign key(s)`);
          record.run(m.version, m.name, new Date().toISOString());
        })();
      }
    } finally {
      db.pragma(`foreign_keys = ${fk ? 'ON' : 'OFF'}`);
    }
  }
  return (db.prepare(`SELECT MAX(version) FROM ${table}`).pluck().get() as number | null) ?? 0;
}
