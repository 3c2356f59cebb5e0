// The durable outbox on PostgreSQL, shared by every gateway node of one database: rows are inserted in
// the transaction that stores the summary (enqueueDeliveriesPg on that transaction's client), and any
// number of workers claim due rows concurrently without sending one twice (FOR UPDATE SKIP LOCKED).
import type pg from 'pg';
import type { CallSummary } from './summary-view.js';
import type { DeliveryTarget } from './targets.js';
import { toClaimed, toDeliveryRecord, type OutboxRow } from './outbox.js';
import { idempotencyKey, redactedPayload, type ClaimRef, type DeliveryOutbox } from './outbox-store.js';

/**
 * Inserts one pending row per target on `client`, inside the caller's open transaction, so the summary
 * and its notifications commit or roll back together. A target already enqueued for the call is
 * skipped (unique idempotency key). Returns the number of rows inserted.
 */
export async function enqueueDeliveriesPg(
  client: pg.ClientBase,
  summary: CallSummary,
  targets: readonly DeliveryTarget[],
  now: number = Date.now(),
): Promise<number> {
  const payload = JSON.stringify(summary);
  let inserted = 0;
  for (const t of targets) {
    const r = await client.query(`INSERT INTO delivery_outbox (call_id, tenant_id, target_kind, target_ref, target_label, idempotency_key,
        payload_json, status, attempts, next_attempt_at, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8, $8)
      ON CONFLICT (idempotency_key) DO NOTHING`,
    [summary.callId, summary.tenantId, t.kind, t.ref, t.label, idempotencyKey(summary.callId, t), payload, now]);
    inserted += r.rowCount ?? 0;
  }
  return inserted;
}

const FENCE = 'id = $1 AND status = \'sending\' AND attempts = $2 AND claimed_by IS NOT DISTINCT FROM $3';
const fence = (c: ClaimRef): [number, number, string | null] => [c.id, c.attempts, c.claimedBy];

/** The outbox table of the database behind `pool` (migrated by openPgStore). */
export function pgOutbox(pool: pg.Pool): DeliveryOutbox {
  return {
    kind: 'postgres',
    async claim(now, limit, worker) {
      // Several nodes claim from one table: FOR UPDATE SKIP LOCKED makes each worker skip the rows another
      // worker's claim has locked instead of waiting for them and claiming them again (PostgreSQL manual,
      // SELECT, "The Locking Clause": "With SKIP LOCKED, any selected rows that cannot be immediately locked
      // are skipped ... to avoid lock contention with multiple consumers accessing a queue-like table";
      // https://www.postgresql.org/docs/current/sql-select.html#SQL-FOR-UPDATE-SHARE). The row leaves
      // `pending` in the same statement, so once the claim commits no other worker selects it.
      const r = await pool.query<OutboxRow>(`UPDATE delivery_outbox o
          SET status = 'sending', attempts = o.attempts + 1, claimed_at = $1, claimed_by = $3, updated_at = $1
        FROM (SELECT id FROM delivery_outbox WHERE status = 'pending' AND next_attempt_at <= $1
              ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED) due
        WHERE o.id = due.id
        RETURNING o.*`, [now, limit, worker]);
      return r.rows.map(toClaimed).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id);
    },
    async markSent(c, now) {
      const r = await pool.query(`UPDATE delivery_outbox SET status = 'sent', sent_at = $4, last_error = NULL, updated_at = $4 WHERE ${FENCE}`, [...fence(c), now]);
      return r.rowCount === 1;
    },
    async markRetry(c, now, next, error) {
      const r = await pool.query(`UPDATE delivery_outbox SET status = 'pending', next_attempt_at = $5, last_error = $6, updated_at = $4 WHERE ${FENCE}`,
        [...fence(c), now, next, error]);
      return r.rowCount === 1;
    },
    async markDead(c, now, error) {
      const r = await pool.query(`UPDATE delivery_outbox SET status = 'dead', last_error = $5, updated_at = $4 WHERE ${FENCE}`, [...fence(c), now, error]);
      return r.rowCount === 1;
    },
    async saveProgress(c, progress, now) {
      await pool.query(`UPDATE delivery_outbox SET progress_json = $5, updated_at = $4 WHERE ${FENCE}`, [...fence(c), now, JSON.stringify(progress)]);
    },
    async recover(now, s) {
      const r = await pool.query<{ status: string }>(`UPDATE delivery_outbox SET
          status = CASE WHEN attempts >= $4 THEN 'dead' ELSE 'pending' END,
          next_attempt_at = CASE WHEN attempts >= $4 THEN next_attempt_at ELSE $1 END,
          last_error = CASE WHEN attempts >= $4
            THEN 'interrupted during its last attempt (process stopped while sending); ' || COALESCE(last_error, '') ELSE last_error END,
          updated_at = $1
        WHERE status = 'sending' AND (claimed_at <= $2 OR ($3::text IS NOT NULL AND (claimed_by IS NULL OR claimed_by = $3)))
        RETURNING status`, [now, s.claimedBefore, s.restartedWorker ?? null, s.maxAttempts]);
      return r.rows.filter((x) => x.status === 'pending').length;
    },
    async nextDueAt() {
      const r = await pool.query<{ due: string | null }>(`SELECT MIN(next_attempt_at) AS due FROM delivery_outbox WHERE status = 'pending'`);
      const due = r.rows[0]?.due;
      return due === null || due === undefined ? null : Number(due);
    },
    async list(filter = {}) {
      const where: string[] = [];
      const params: (string | number)[] = [];
      const add = (column: string, v: string): void => {
        params.push(v);
        where.push(`${column} = $${params.length}`);
      };
      if (filter.callId !== undefined) add('call_id', filter.callId);
      if (filter.tenantId !== undefined) add('tenant_id', filter.tenantId);
      if (filter.status !== undefined) add('status', filter.status);
      params.push(Math.min(Math.max(Math.trunc(filter.limit ?? 100), 1), 1000));
      const r = await pool.query<OutboxRow>(`SELECT * FROM delivery_outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY id DESC LIMIT $${params.length}`, params);
      return r.rows.map(toDeliveryRecord);
    },
    async redeliver(id, now = Date.now()) {
      const r = await pool.query(`UPDATE delivery_outbox SET status = 'pending', attempts = 0, next_attempt_at = $2, last_error = NULL, updated_at = $2
        WHERE id = $1 AND status IN ('dead','sent')`, [id, now]);
      return r.rowCount === 1;
    },
    async redactTranscripts(tenantId, beforeMs) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        // A cheap pre-filter (JSON.stringify writes an emptied transcript as exactly this); redactedPayload decides.
        const rows = await c.query<{ id: string; payload_json: string }>(`SELECT id, payload_json FROM delivery_outbox
          WHERE tenant_id = $1 AND payload_json NOT LIKE '%"transcript":[]%' FOR UPDATE`, [tenantId]);
        let redacted = 0;
        for (const row of rows.rows) {
          const payload = redactedPayload(row.payload_json, beforeMs);
          if (payload === null) continue;
          await c.query('UPDATE delivery_outbox SET payload_json = $1 WHERE id = $2', [payload, row.id]);
          redacted++;
        }
        await c.query('COMMIT');
        return redacted;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        c.release();
      }
    },
  };
}
