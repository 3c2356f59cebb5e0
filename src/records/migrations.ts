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
];

/** Applies the migrations not yet recorded in schema_migrations; returns the resulting version. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
    })();
  }
  return (db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get() as number | null) ?? 0;
}
