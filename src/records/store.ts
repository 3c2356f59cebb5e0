// The call store: SQLite (better-sqlite3, WAL), written as the call progresses.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from './migrations.js';
import type { CallSummary, Channel, Language, TranscriptEntry } from '../agent/types.js';

export interface NewCall {
  id: string;
  tenantId: string;
  channel: Channel;
  callerNumber: string | null;
  language: Language;
  startedAt: string;
}

export interface StoredTurn extends TranscriptEntry {
  id: number;
  engine: string | null;
}

export interface CallRecord {
  id: string;
  tenantId: string;
  channel: Channel;
  callerNumber: string | null;
  language: Language;
  startedAt: string;
  endedAt: string | null;
  status: 'active' | 'ended';
  outcome: string | null;
  turns: StoredTurn[];
  summary: CallSummary | null;
}

export interface StoredAppointment {
  technician: string;
  start: string;
  end: string;
}

export class SlotTakenError extends Error {
  constructor(technician: string, start: string) {
    super(`slot ${start} with ${technician} is already booked`);
    this.name = 'SlotTakenError';
  }
}

export interface CallStore {
  /** Creates the call row; idempotent, so a row already opened by the media layer for this id is reused. */
  createCall(call: NewCall): void;
  appendTurn(callId: string, entry: TranscriptEntry, engine?: string): number;
  /** Barge-in: the agent's turn was only heard up to here. */
  updateTurnText(turnId: number, text: string): void;
  /** Stores the summary and marks the call ended, in one transaction. */
  saveSummary(summary: CallSummary): void;
  getCall(id: string): CallRecord | null;
  appointments(tenantId: string, fromIso: string, toIso: string): StoredAppointment[];
  /** Inserts an appointment unless it overlaps one of the same technician (checked in the same transaction). */
  bookAppointment(tenantId: string, callId: string, appt: StoredAppointment): void;
  close(): void;
}

interface CallRow {
  id: string; tenant_id: string; channel: Channel; caller_number: string | null; language: Language; started_at: string;
  ended_at: string | null; status: 'active' | 'ended'; outcome: string | null; summary_json: string | null;
}

/** Opens (creating if needed) the store at `path` ('data/firstring.db' by default, or ':memory:'). */
export function openStore(path = 'data/firstring.db'): CallStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  if (path !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);

  const insCall = db.prepare(`INSERT OR IGNORE INTO calls (id, tenant_id, channel, caller_number, language, started_at) VALUES (@id, @tenantId, @channel, @callerNumber, @language, @startedAt)`);
  const insTurn = db.prepare('INSERT INTO turns (call_id, speaker, text, at, engine) VALUES (?, ?, ?, ?, ?)');
  const updTurn = db.prepare('UPDATE turns SET text = ? WHERE id = ?');
  const endCall = db.prepare(`UPDATE calls SET ended_at = ?, status = 'ended', outcome = ?, summary_json = ?, language = ? WHERE id = ?`);
  const getCall = db.prepare('SELECT * FROM calls WHERE id = ?');
  const getTurns = db.prepare('SELECT id, speaker, text, at, engine FROM turns WHERE call_id = ? ORDER BY id');
  const listAppts = db.prepare('SELECT technician, start_at AS start, end_at AS end FROM appointments WHERE tenant_id = ? AND end_ms > ? AND start_ms < ? ORDER BY start_ms');
  const overlap = db.prepare('SELECT COUNT(*) FROM appointments WHERE tenant_id = ? AND technician = ? AND start_ms < ? AND end_ms > ?').pluck();
  const insAppt = db.prepare('INSERT INTO appointments (tenant_id, call_id, technician, start_at, end_at, start_ms, end_ms) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const book = db.transaction((tenantId: string, callId: string, a: StoredAppointment) => {
    const s = Date.parse(a.start);
    const e = Date.parse(a.end);
    if ((overlap.get(tenantId, a.technician, e, s) as number) > 0) throw new SlotTakenError(a.technician, a.start);
    insAppt.run(tenantId, callId, a.technician, a.start, a.end, s, e);
  });
  const save = db.transaction((s: CallSummary) => {
    const r = endCall.run(s.endedAt, s.outcome, JSON.stringify(s), s.language, s.callId);
    if (r.changes !== 1) throw new Error(`unknown call ${s.callId}`);
  });

  return {
    createCall: (c) => void insCall.run(c),
    appendTurn: (callId, e, engine) => Number(insTurn.run(callId, e.speaker, e.text, e.at, engine ?? null).lastInsertRowid),
    updateTurnText: (id, text) => void updTurn.run(text, id),
    saveSummary: (s) => save(s),
    getCall(id) {
      const row = getCall.get(id) as CallRow | undefined;
      if (!row) return null;
      return {
        id: row.id, tenantId: row.tenant_id, channel: row.channel, callerNumber: row.caller_number, language: row.language,
        startedAt: row.started_at, endedAt: row.ended_at, status: row.status, outcome: row.outcome,
        turns: getTurns.all(id) as StoredTurn[],
        summary: row.summary_json ? (JSON.parse(row.summary_json) as CallSummary) : null,
      };
    },
    appointments: (tenantId, from, to) => listAppts.all(tenantId, Date.parse(from), Date.parse(to)) as StoredAppointment[],
    bookAppointment: (tenantId, callId, a) => book(tenantId, callId, a),
    close: () => db.close(),
  };
}
