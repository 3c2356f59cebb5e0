// The records store on PostgreSQL (the `pg` driver), for operators running several gateway nodes.
// Same operations and semantics as the SQLite store (store.ts), asynchronous. The delivery outbox
// lives in the same database: a summary's notifications are inserted in the summary's transaction.
import pg from 'pg';
import type { Logger } from 'pino';
import type { CallSummary } from '../agent/types.js';
import { PG_OUTBOX_MIGRATIONS, enqueueCallNotificationsPg, pgOutbox, type DeliveryOutbox, type EnqueueResult } from '../delivery/index.js';
import { abandonedSummary } from './abandoned-summary.js';
import { STALE_CALL_MS } from './node-id.js';
import { migratePg } from './pg-migrations.js';
import type { RecordsStore } from './records-store.js';
import { cleanFigures, toCallRecord, toListItem } from './store.js';
import {
  SlotTakenError, UnknownCallError, type SaveSummaryOptions, type StoredAppointment, type SummaryDelivery, type TurnLatencyFigures, type UsageRow,
} from './types.js';

export interface PgStoreOptions {
  /** A libpq connection string or pool settings. */
  connection: string | pg.PoolConfig;
  /** This gateway node's id (resolveNodeId): stored on the calls it creates; abandonOpenCalls closes only its own. */
  nodeId: string;
  /** Enqueue the tenant's notifications in each summary's transaction (or later, with withDelivery). */
  delivery?: SummaryDelivery;
  /** Where an idle connection's failure (e.g. the server restarted) is logged; the pool replaces the connection. */
  log?: Logger;
}

/** The PostgreSQL store, with the delivery outbox of the same database. */
export interface PgRecordsStore extends RecordsStore {
  readonly kind: 'postgres';
  readonly nodeId: string;
  /** The outbox table of this database, for the delivery worker, the dashboard and retention. */
  readonly outbox: DeliveryOutbox;
  /** The same store (same pool) whose saveSummary also enqueues notifications; close() on either ends the pool. */
  withDelivery(delivery: SummaryDelivery): PgRecordsStore;
}

function ms(iso: string): number {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) throw new Error(`not an ISO 8601 time: ${iso}`);
  return t;
}

/** Connects, migrates (the records schema and the outbox's) and returns the store; close() ends the pool. */
export async function openPgStore(o: PgStoreOptions): Promise<PgRecordsStore> {
  const pool = new pg.Pool(typeof o.connection === 'string' ? { connectionString: o.connection } : o.connection);
  // An idle client's error (server restart, network cut) is emitted on the pool: without a listener it would crash the process.
  pool.on('error', (err) => o.log?.warn({ err: err.message }, 'PostgreSQL connection lost; the pool reconnects on next use'));
  try {
    const first = await pool.connect();
    try {
      await migratePg(first);
      await migratePg(first, PG_OUTBOX_MIGRATIONS, 'delivery_schema_migrations');
    } finally {
      first.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  return pgStore(pool, o.nodeId, pgOutbox(pool), o.delivery);
}

/** Ends the pool and resolves once every connection is closed (pool.end() resolves before the sockets close). */
async function endPool(pool: pg.Pool): Promise<void> {
  const open = pool.totalCount;
  let removed = 0;
  const closed = new Promise<void>((resolve) => {
    if (open === 0) resolve();
    pool.on('remove', () => {
      removed += 1;
      if (removed >= open) resolve();
    });
  });
  await pool.end();
  await closed;
}

function pgStore(pool: pg.Pool, nodeId: string, outbox: DeliveryOutbox, delivery: SummaryDelivery | undefined): PgRecordsStore {
  const tx = async <T>(f: (c: pg.PoolClient) => Promise<T>): Promise<T> => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      const r = await f(c);
      await c.query('COMMIT');
      return r;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  };

  const getCall = async (id: string, q: pg.Pool | pg.PoolClient = pool) => {
    const row = await q.query('SELECT * FROM calls WHERE id = $1', [id]);
    if (row.rowCount === 0) return null;
    const turns = await q.query('SELECT id, speaker, text, at, engine, latency_json FROM turns WHERE call_id = $1 ORDER BY id', [id]);
    return toCallRecord(row.rows[0], turns.rows);
  };

  const saveSummary = async (s: CallSummary, opts: SaveSummaryOptions = {}): Promise<void> => {
    const queued = await storeSummary(s, opts);
    if (queued && delivery?.afterCommit) delivery.afterCommit(s.callId, queued.enqueued, queued.configError);
  };
  const storeSummary = (s: CallSummary, opts: SaveSummaryOptions): Promise<EnqueueResult | null> => tx(async (c) => {
    const r = await c.query(`UPDATE calls SET ended_at = $2, ended_ms = $3,
        status = CASE WHEN $11::boolean OR status = 'abandoned' THEN 'abandoned' ELSE 'ended' END,
        end_reason = COALESCE(end_reason, $4::text), outcome = $5, urgency = $6, trade = $7,
        transfer_target = COALESCE(transfer_target, $8::text),
        transfer_outcome = COALESCE(transfer_outcome, CASE WHEN $8::text IS NULL THEN NULL ELSE 'requested' END),
        summary_json = $9, language = $10
      WHERE id = $1`,
    [s.callId, s.endedAt, ms(s.endedAt), opts.endReason ?? null, s.outcome, s.urgency, s.trade, s.transferTo ?? null, JSON.stringify(s), s.language, opts.crashed === true]);
    if (r.rowCount !== 1) throw new UnknownCallError(s.callId);
    return delivery ? enqueueCallNotificationsPg(c, s, delivery.notifications(s.tenantId)) : null;
  });

  return {
    kind: 'postgres',
    nodeId,
    outbox,
    withDelivery: (d) => pgStore(pool, nodeId, outbox, d),
    async createCall(c) {
      await pool.query(`INSERT INTO calls (id, tenant_id, channel, caller_number, language, started_at, started_ms, node_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
      [c.id, c.tenantId, c.channel, c.callerNumber, c.language, c.startedAt, ms(c.startedAt), nodeId]);
    },
    async appendTurn(callId, e, engine) {
      const r = await pool.query<{ id: string }>('INSERT INTO turns (call_id, speaker, text, at, engine) VALUES ($1, $2, $3, $4, $5) RETURNING id',
        [callId, e.speaker, e.text, e.at, engine ?? null]);
      return Number(r.rows[0]!.id);
    },
    async updateTurnText(id, text) {
      await pool.query('UPDATE turns SET text = $1 WHERE id = $2', [text, id]);
    },
    async recordTurnLatency(turnId, f) {
      await tx(async (c) => {
        const r = await c.query<{ latency_json: string | null }>('SELECT latency_json FROM turns WHERE id = $1 FOR UPDATE', [turnId]);
        if (r.rowCount === 0) throw new Error(`unknown turn ${turnId}`);
        const prev = r.rows[0]!.latency_json;
        const merged = { ...(prev ? (JSON.parse(prev) as TurnLatencyFigures) : {}), ...cleanFigures(f) };
        await c.query('UPDATE turns SET latency_json = $1 WHERE id = $2', [JSON.stringify(merged), turnId]);
      });
    },
    async endCall(callId, end) {
      const r = await pool.query(`UPDATE calls SET ended_at = $1, ended_ms = $2, end_reason = $3, status = 'ended' WHERE id = $4 AND status = 'active'`,
      [end.endedAt, ms(end.endedAt), end.reason, callId]);
      if (r.rowCount === 1) return;
      const exists = await pool.query('SELECT 1 FROM calls WHERE id = $1', [callId]);
      if (exists.rowCount === 0) throw new UnknownCallError(callId);
    },
    async recordTransfer(callId, t) {
      const r = await pool.query('UPDATE calls SET transfer_target = $1, transfer_outcome = $2 WHERE id = $3', [t.target, t.outcome, callId]);
      if (r.rowCount !== 1) throw new UnknownCallError(callId);
    },
    saveSummary,
    getCall: (id) => getCall(id),
    async listCalls(f) {
      const where = ['tenant_id = $1'];
      const params: (string | number)[] = [f.tenantId];
      const add = (sql: string, v: string | number): void => {
        params.push(v);
        where.push(sql.replace('?', `$${params.length}`));
      };
      if (f.from) add('started_ms >= ?', ms(f.from));
      if (f.to) add('started_ms < ?', ms(f.to));
      if (f.urgency) add('urgency = ?', f.urgency);
      if (f.outcome) add('outcome = ?', f.outcome);
      if (f.trade) add('trade = ?', f.trade);
      params.push(Math.min(Math.max(f.limit ?? 200, 1), 1000));
      const r = await pool.query(`SELECT * FROM calls WHERE ${where.join(' AND ')} ORDER BY started_ms DESC, id LIMIT $${params.length}`, params);
      return r.rows.map(toListItem);
    },
    async usage(range) {
      const params: (string | number)[] = [ms(range.from), ms(range.to)];
      if (range.tenantId) params.push(range.tenantId);
      const r = await pool.query(`SELECT c.tenant_id AS "tenantId", COUNT(*) AS calls,
          COALESCE(SUM(CASE WHEN c.ended_ms IS NULL THEN 0 ELSE c.ended_ms - c.started_ms END), 0) / 1000.0 AS seconds,
          COALESCE(SUM((SELECT COUNT(*) FROM turns t WHERE t.call_id = c.id AND t.speaker = 'agent')), 0) AS "agentTurns",
          COALESCE(SUM((SELECT COUNT(*) FROM turns t WHERE t.call_id = c.id AND t.speaker = 'caller')), 0) AS "callerTurns"
        FROM calls c WHERE c.started_ms >= $1 AND c.started_ms < $2 ${range.tenantId ? 'AND c.tenant_id = $3' : ''}
        GROUP BY c.tenant_id ORDER BY c.tenant_id`, params);
      return r.rows.map((x: Record<string, unknown>): UsageRow => ({
        tenantId: String(x.tenantId), calls: Number(x.calls), seconds: Number(x.seconds), agentTurns: Number(x.agentTurns), callerTurns: Number(x.callerTurns),
      }));
    },
    async abandonOpenCalls(endedAt) {
      // Only this node's calls (and those no live node can own: no node id, or open for longer than any call lasts).
      const r = await pool.query<{ id: string }>(`SELECT id FROM calls
        WHERE status = 'active' AND (node_id = $1 OR node_id IS NULL OR started_ms < $2) ORDER BY started_ms`, [nodeId, ms(endedAt) - STALE_CALL_MS]);
      const ids = r.rows.map((x) => x.id);
      for (const id of ids) {
        const call = await getCall(id);
        if (call) await saveSummary(abandonedSummary(call, endedAt), { endReason: 'abandoned', crashed: true });
      }
      return ids;
    },
    purgeTranscripts: (tenantId, before, now) => tx(async (c) => {
      const r = await c.query<{ id: string; summary_json: string | null }>(`SELECT id, summary_json FROM calls
        WHERE tenant_id = $1 AND started_ms < $2 AND status != 'active' AND transcript_purged_at IS NULL FOR UPDATE`, [tenantId, ms(before)]);
      for (const row of r.rows) {
        await c.query('DELETE FROM turns WHERE call_id = $1', [row.id]);
        const summary = row.summary_json ? JSON.stringify({ ...(JSON.parse(row.summary_json) as CallSummary), transcript: [] }) : null;
        await c.query('UPDATE calls SET transcript_purged_at = $1, summary_json = $2 WHERE id = $3', [now, summary, row.id]);
      }
      return r.rows.length;
    }),
    async appointments(tenantId, from, to) {
      const r = await pool.query<StoredAppointment>(`SELECT technician, start_at AS start, end_at AS "end" FROM appointments
        WHERE tenant_id = $1 AND end_ms > $2 AND start_ms < $3 ORDER BY start_ms`, [tenantId, ms(from), ms(to)]);
      return r.rows;
    },
    bookAppointment: (tenantId, callId, a) => tx(async (c) => {
      // Serialise bookings of one technician across nodes for the overlap check.
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${tenantId}/${a.technician}`]);
      const s = ms(a.start);
      const e = ms(a.end);
      const o = await c.query('SELECT 1 FROM appointments WHERE tenant_id = $1 AND technician = $2 AND start_ms < $3 AND end_ms > $4 LIMIT 1', [tenantId, a.technician, e, s]);
      if ((o.rowCount ?? 0) > 0) throw new SlotTakenError(a.technician, a.start);
      await c.query('INSERT INTO appointments (tenant_id, call_id, technician, start_at, end_at, start_ms, end_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [tenantId, callId, a.technician, a.start, a.end, s, e]);
    }),
    close: () => endPool(pool),
  };
}
