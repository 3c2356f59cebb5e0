// Real SQLite database files in a temporary directory, and a clock tests move by hand.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { migrateDeliveryOutbox } from '../../../src/delivery/outbox-migrations.js';

export interface TempDb {
  path: string;
  open(): Database.Database;
  cleanup(): void;
}

export function tempDb(): TempDb {
  const dir = mkdtempSync(join(tmpdir(), 'firstring-delivery-'));
  const path = join(dir, 'firstring.db');
  const opened: Database.Database[] = [];
  return {
    path,
    open() {
      const db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      migrateDeliveryOutbox(db);
      opened.push(db);
      return db;
    },
    cleanup() {
      for (const db of opened) if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export class FakeClock {
  constructor(public ms: number = Date.parse('2026-12-01T15:00:00Z')) {}
  now = (): number => this.ms;
  advance(ms: number): void { this.ms += ms; }
}

/** A pino logger whose output the test can read back. */
export function capturedLogger(): { logger: Logger; text: () => string } {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  return { logger: pino({ level: 'debug' }, stream), text: () => lines.join('') };
}
