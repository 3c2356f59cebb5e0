// The call store: SQLite (better-sqlite3, WAL), written as the call progresses.
// PostgreSQL implements the same operations asynchronously (pg-store.ts); asyncStore (records-store.ts) adapts this one.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from './migrations.js';
import { abandonedSummary } from './abandoned-summary.js';
import { STALE_CALL_MS, resolveNodeId } from './node-id.js';
import { enqueueCallNotifications, migrateDeliveryOutbox } from '../delivery/index.js';
import type { CallSummary, TranscriptEntry } from '../agent/types.js';
import {
  SlotTakenError, UnknownCallError,
  type CallFilter, type CallListItem, type CallRecord, type CallStatus, type EndCallInput, type NewCall, type SaveSummaryOptions,
  type StoredAppointment, type StoredTurn, type SummaryDelivery, type TransferInput, type TransferOutcome, type TurnLatencyFigures, type UsageRow,
} from './types.js';

export type {
  NewCall, StoredTurn, CallRecord, StoredAppointment, CallStatus, CallFilter, CallListItem, EndCallInput, SaveSummaryOptions,
  SummaryDelivery, TransferInput, TransferOutcome, TurnLatencyFigures, UsageRow,
} from './types.js';
export { SlotTakenError, UnknownCallError } from './types.js';

export interface CallStore {
  /** Creates the call row; idempotent, so a row already opened by the media layer for this id is reused. */
  createCall(call: NewCall): void;
  appendTurn(callId: string, entry: TranscriptEntry, engine?: string): number;
  /** Barge-in: the agent's turn was only heard up to here. */
  updateTurnText(turnId: number, text: string): void;
  /** Stores one turn's latency figures (merged into those already stored). */
  recordTurnLatency(turnId: number, figures: TurnLatencyFigures): void;
  /** Marks the call ended (no summary); a later saveSummary keeps this end reason. */
  endCall(callId: string, end: EndCallInput): void;
  recordTransfer(callId: string, transfer: TransferInput): void;
  /** Stores the summary and marks the call ended, in one transaction (with its notifications when delivery is wired). */
  saveSummary(summary: CallSummary, opts?: SaveSummaryOptions): void;
  getCall(id: string): CallRecord | null;
  /** Newest first. */
  listCalls(filter: CallFilter): CallListItem[];
  /** Calls started in [from, to), per tenant (all tenants when tenantId is absent). */
  usage(range: { from: string; to: string; tenantId?: string }): UsageRow[];
  /**
   * Marks this node's calls still active (left open by a crash) abandoned, each with a minimal summary, and
   * any node's call started more than STALE_CALL_MS before `endedAt` or without a node id; returns their ids.
   */
  abandonOpenCalls(endedAt: string): string[];
  /** Deletes the transcripts of the tenant's calls started before `beforeIso` (turns and the summary's transcript). */
  purgeTranscripts(tenantId: string, beforeIso: string, nowIso: string): number;
  appointments(tenantId: string, fromIso: string, toIso: string): StoredAppointment[];
  /** Inserts an appointment unless it overlaps one of the same technician (checked in the same transaction). */
  bookAppointment(tenantId: string, callId: string, appt: StoredAppointment): void;
  /** The underlying database, for the delivery outbox worker and the admin tables on the same file. */
  readonly database: Database.Database;
  close(): void;
}

export interface StoreOptions {
  /** This gateway node's id, stored on the calls it creates (default: resolveNodeId(process.env, path)). */
  nodeId?: string;
  /**
   * Summary delivery: the outbox is migrated after the store, and every saved summary enqueues the
   * tenant's notifications in the same transaction; `afterCommit` runs after (wake the worker there).
   */
  delivery?: SummaryDelivery;
}

interface CallRow {
  id: string; tenant_id: string; channel: CallRecord['channel']; caller_number: string | null; language: CallRecord['language'];
  started_at: string; ended_at: string | null; status: CallStatus; end_reason: string | null; outcome: string | null;
  urgency: string | null; trade: string | null; transfer_target: string | null; transfer_outcome: TransferOutcome | null;
  summary_json: string | null; transcript_purged_at: string | null; node_id: string | null;
}
interface TurnRow { id: number; speaker: 'caller' | 'agent'; text: string; at: string; engine: string | null; latency_json: string | null }

export function toCallRecord(row: CallRow, turns: TurnRow[]): CallRecord {
  return {
    id: row.id, tenantId: row.tenant_id, channel: row.channel, callerNumber: row.caller_number, language: row.language,
    startedAt: row.started_at, endedAt: row.ended_at, status: row.status, endReason: row.end_reason, outcome: row.outcome,
    transferTarget: row.transfer_target, transferOutcome: row.transfer_outcome, transcriptPurgedAt: row.transcript_purged_at,
    nodeId: row.node_id,
    turns: turns.map((t) => ({
      id: Number(t.id), speaker: t.speaker, text: t.text, at: t.at, engine: t.engine,
      latency: t.latency_json ? (JSON.parse(t.latency_json) as TurnLatencyFigures) : null,
    })),
    summary: row.summary_json ? (JSON.parse(row.summary_json) as CallSummary) : null,
  };
}

export function toListItem(row: CallRow): CallListItem {
  const s = row.summary_json ? (JSON.parse(row.summary_json) as CallSummary) : null;
  return {
    id: row.id, tenantId: row.tenant_id, channel: row.channel, callerNumber: row.caller_number, startedAt: row.started_at,
    endedAt: row.ended_at, status: row.status, endReason: row.end_reason, outcome: row.outcome, urgency: row.urgency, trade: row.trade,
    callerName: s?.caller.name ?? null, problem: s?.problem ?? null,
  };
}

/** Drops figures that are not finite numbers, so a bad mark never poisons the stored JSON. */
export function cleanFigures(f: TurnLatencyFigures): TurnLatencyFigures {
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(f)) {
    if (v === null) out[k] = null;
    else if (typeof v === 'number' && Number.isFinite(v)) out[k] = Math.round(v * 10) / 10;
  }
  return out as TurnLatencyFigures;
}

function ms(iso: string): number {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) throw new Error(`not an ISO 8601 time: ${iso}`);
  return t;
}

/** Opens (creating if needed) the store at `path` ('data/firstring.db' by default, or ':memory:'). */
export function openStore(path = 'data/firstring.db', opts: StoreOptions = {}): CallStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  if (path !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  const delivery = opts.delivery;
  if (delivery) migrateDeliveryOutbox(db);
  const nodeId = opts.nodeId ?? resolveNodeId(process.env, path);

  const insCall = db.prepare(`INSERT OR IGNORE INTO calls (id, tenant_id, channel, caller_number, language, started_at, started_ms, node_id)
    VALUES (@id, @tenantId, @channel, @callerNumber, @language, @startedAt, @startedMs, @nodeId)`);
  const insTurn = db.prepare('INSERT INTO turns (call_id, speaker, text, at, engine) VALUES (?, ?, ?, ?, ?)');
  const updTurn = db.prepare('UPDATE turns SET text = ? WHERE id = ?');
  const getLatency = db.prepare('SELECT latency_json FROM turns WHERE id = ?').pluck();
  const setLatency = db.prepare('UPDATE turns SET latency_json = ? WHERE id = ?');
  const endOnly = db.prepare(`UPDATE calls SET ended_at = ?, ended_ms = ?, end_reason = ?, status = 'ended' WHERE id = ? AND status = 'active'`);
  const transfer = db.prepare('UPDATE calls SET transfer_target = ?, transfer_outcome = ? WHERE id = ?');
  const endWithSummary = db.prepare(`UPDATE calls SET ended_at = @endedAt, ended_ms = @endedMs,
      status = CASE WHEN @crashed = 1 OR status = 'abandoned' THEN 'abandoned' ELSE 'ended' END,
      end_reason = COALESCE(end_reason, @endReason), outcome = @outcome, urgency = @urgency, trade = @trade,
      transfer_target = COALESCE(transfer_target, @transferTo),
      transfer_outcome = COALESCE(transfer_outcome, CASE WHEN @transferTo IS NULL THEN NULL ELSE 'requested' END),
      summary_json = @json, language = @language
    WHERE id = @callId`);
  const getCall = db.prepare('SELECT * FROM calls WHERE id = ?');
  const getTurns = db.prepare('SELECT id, speaker, text, at, engine, latency_json FROM turns WHERE call_id = ? ORDER BY id');
  const openCalls = db.prepare(`SELECT id FROM calls WHERE status = 'active' AND (node_id = ? OR node_id IS NULL OR started_ms < ?)
    ORDER BY started_ms`).pluck();
  const listAppts = db.prepare('SELECT technician, start_at AS start, end_at AS end FROM appointments WHERE tenant_id = ? AND end_ms > ? AND start_ms < ? ORDER BY start_ms');
  const overlap = db.prepare('SELECT COUNT(*) FROM appointments WHERE tenant_id = ? AND technician = ? AND start_ms < ? AND end_ms > ?').pluck();
  const insAppt = db.prepare('INSERT INTO appointments (tenant_id, call_id, technician, start_at, end_at, start_ms, end_ms) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const oldCalls = db.prepare(`SELECT id, summary_json FROM calls WHERE tenant_id = ? AND started_ms < ? AND status != 'active' AND transcript_purged_at IS NULL`);
  const delTurns = db.prepare('DELETE FROM turns WHERE call_id = ?');
  const markPurged = db.prepare('UPDATE calls SET transcript_purged_at = ?, summary_json = ? WHERE id = ?');

  const book = db.transaction((tenantId: string, callId: string, a: StoredAppointment) => {
    const s = ms(a.start);
    const e = ms(a.end);
    if ((overlap.get(tenantId, a.technician, e, s) as number) > 0) throw new SlotTakenError(a.technician, a.start);
    insAppt.run(tenantId, callId, a.technician, a.start, a.end, s, e);
  });
  const save = db.transaction((s: CallSummary, o: SaveSummaryOptions) => {
    const r = endWithSummary.run({
      callId: s.callId, endedAt: s.endedAt, endedMs: ms(s.endedAt), endReason: o.endReason ?? null, crashed: o.crashed ? 1 : 0, outcome: s.outcome,
      urgency: s.urgency, trade: s.trade, transferTo: s.transferTo ?? null, json: JSON.stringify(s), language: s.language,
    });
    if (r.changes !== 1) throw new UnknownCallError(s.callId);
    return delivery ? enqueueCallNotifications(db, s, delivery.notifications(s.tenantId)) : null;
  });
  const mergeLatency = db.transaction((turnId: number, f: TurnLatencyFigures) => {
    const prev = getLatency.get(turnId) as string | null | undefined;
    if (prev === undefined) throw new Error(`unknown turn ${turnId}`);
    setLatency.run(JSON.stringify({ ...(prev ? (JSON.parse(prev) as TurnLatencyFigures) : {}), ...cleanFigures(f) }), turnId);
  });
  const purge = db.transaction((tenantId: string, before: number, now: string) => {
    const rows = oldCalls.all(tenantId, before) as { id: string; summary_json: string | null }[];
    for (const r of rows) {
      delTurns.run(r.id);
      const summary = r.summary_json ? { ...(JSON.parse(r.summary_json) as CallSummary), transcript: [] } : null;
      markPurged.run(now, summary ? JSON.stringify(summary) : null, r.id);
    }
    return rows.length;
  });

  const readCall = (id: string): CallRecord | null => {
    const row = getCall.get(id) as CallRow | undefined;
    return row ? toCallRecord(row, getTurns.all(id) as TurnRow[]) : null;
  };
  const saveSummary = (s: CallSummary, o: SaveSummaryOptions = {}): void => {
    const r = save(s, o);
    if (r && delivery?.afterCommit) delivery.afterCommit(s.callId, r.enqueued, r.configError);
  };

  return {
    database: db,
    createCall: (c) => void insCall.run({ ...c, startedMs: ms(c.startedAt), nodeId }),
    appendTurn: (callId, e, engine) => Number(insTurn.run(callId, e.speaker, e.text, e.at, engine ?? null).lastInsertRowid),
    updateTurnText: (id, text) => void updTurn.run(text, id),
    recordTurnLatency: (turnId, f) => mergeLatency(turnId, f),
    endCall(callId, end) {
      if (endOnly.run(end.endedAt, ms(end.endedAt), end.reason, callId).changes === 1) return;
      if (!getCall.get(callId)) throw new UnknownCallError(callId);
    },
    recordTransfer(callId, t) {
      if (transfer.run(t.target, t.outcome, callId).changes !== 1) throw new UnknownCallError(callId);
    },
    saveSummary,
    getCall: readCall,
    listCalls(f) {
      const where = ['tenant_id = @tenantId'];
      const p: Record<string, string | number> = { tenantId: f.tenantId, limit: Math.min(Math.max(f.limit ?? 200, 1), 1000) };
      if (f.from) { where.push('started_ms >= @from'); p.from = ms(f.from); }
      if (f.to) { where.push('started_ms < @to'); p.to = ms(f.to); }
      for (const k of ['urgency', 'outcome', 'trade'] as const) {
        if (f[k]) { where.push(`${k} = @${k}`); p[k] = f[k]!; }
      }
      const rows = db.prepare(`SELECT * FROM calls WHERE ${where.join(' AND ')} ORDER BY started_ms DESC, id LIMIT @limit`).all(p) as CallRow[];
      return rows.map(toListItem);
    },
    usage(range) {
      const p: Record<string, string | number> = { from: ms(range.from), to: ms(range.to) };
      if (range.tenantId) p.tenantId = range.tenantId;
      return db.prepare(`SELECT c.tenant_id AS tenantId, COUNT(*) AS calls,
          COALESCE(SUM(CASE WHEN c.ended_ms IS NULL THEN 0 ELSE c.ended_ms - c.started_ms END), 0) / 1000.0 AS seconds,
          COALESCE(SUM((SELECT COUNT(*) FROM turns t WHERE t.call_id = c.id AND t.speaker = 'agent')), 0) AS agentTurns,
          COALESCE(SUM((SELECT COUNT(*) FROM turns t WHERE t.call_id = c.id AND t.speaker = 'caller')), 0) AS callerTurns
        FROM calls c WHERE c.started_ms >= @from AND c.started_ms < @to ${range.tenantId ? 'AND c.tenant_id = @tenantId' : ''}
        GROUP BY c.tenant_id ORDER BY c.tenant_id`).all(p) as UsageRow[];
    },
    abandonOpenCalls(endedAt) {
      const ids = openCalls.all(nodeId, ms(endedAt) - STALE_CALL_MS) as string[];
      for (const id of ids) {
        const call = readCall(id);
        if (call) saveSummary(abandonedSummary(call, endedAt), { endReason: 'abandoned', crashed: true });
      }
      return ids;
    },
    purgeTranscripts: (tenantId, before, now) => purge(tenantId, ms(before), now),
    appointments: (tenantId, from, to) => listAppts.all(tenantId, ms(from), ms(to)) as StoredAppointment[],
    bookAppointment: (tenantId, callId, a) => book(tenantId, callId, a),
    close: () => db.close(),
  };
}
