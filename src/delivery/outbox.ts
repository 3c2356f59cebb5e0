// The durable outbox on SQLite (better-sqlite3): rows written in the caller's transaction, claimed and
// settled by the worker. The functions are synchronous so they compose inside db.transaction();
// sqliteOutbox(db) is the same table behind the DeliveryOutbox interface (outbox-store.ts).
import type Database from 'better-sqlite3';
import type { CallSummary } from './summary-view.js';
import type { DeliveryTarget, TargetKind } from './targets.js';
import {
  idempotencyKey, parseProgress, redactedPayload,
  type ClaimRef, type ClaimedDelivery, type DeliveryFilter, type DeliveryOutbox, type DeliveryRecord, type DeliveryStatus,
} from './outbox-store.js';

export type { ClaimedDelivery, DeliveryFilter, DeliveryRecord, DeliveryStatus } from './outbox-store.js';
export { idempotencyKey } from './outbox-store.js';

/** A row as stored (both backends use these column names). */
export interface OutboxRow {
  id: number | string; call_id: string; tenant_id: string; target_kind: TargetKind; target_ref: string; target_label: string;
  idempotency_key: string; payload_json: string; status: DeliveryStatus; attempts: number; next_attempt_at: number | string;
  last_error: string | null; progress_json: string | null; claimed_at: number | string | null; claimed_by: string | null;
  sent_at: number | string | null; created_at: number | string; updated_at: number | string;
}

const num = (v: number | string): number => Number(v);
const numOrNull = (v: number | string | null): number | null => (v === null ? null : Number(v));

/** Maps a row of either backend (PostgreSQL returns BIGINT as text). */
export function toDeliveryRecord(r: OutboxRow): DeliveryRecord {
  return {
    id: num(r.id), callId: r.call_id, tenantId: r.tenant_id, targetKind: r.target_kind, targetRef: r.target_ref,
    targetLabel: r.target_label, idempotencyKey: r.idempotency_key, status: r.status, attempts: Number(r.attempts),
    nextAttemptAt: num(r.next_attempt_at), lastError: r.last_error, claimedAt: numOrNull(r.claimed_at), claimedBy: r.claimed_by,
    sentAt: numOrNull(r.sent_at), createdAt: num(r.created_at), updatedAt: num(r.updated_at),
  };
}

export function toClaimed(r: OutboxRow): ClaimedDelivery {
  return { ...toDeliveryRecord(r), payloadJson: r.payload_json, progress: parseProgress(r.progress_json) };
}

/**
 * Inserts one pending row per target for this call. Synchronous and safe inside the caller's
 * transaction on the same Database (it nests as a savepoint), so the summary and its notifications
 * commit or roll back together. A target already enqueued for the call is skipped (same idempotency
 * key). Returns the number of rows inserted.
 */
export function enqueueDeliveries(
  db: Database.Database,
  summary: CallSummary,
  targets: readonly DeliveryTarget[],
  now: number = Date.now(),
): number {
  const ins = db.prepare(`
    INSERT INTO delivery_outbox (call_id, tenant_id, target_kind, target_ref, target_label, idempotency_key, payload_json,
      status, attempts, next_attempt_at, created_at, updated_at)
    VALUES (@callId, @tenantId, @kind, @ref, @label, @key, @payload, 'pending', 0, @now, @now, @now)
    ON CONFLICT (idempotency_key) DO NOTHING`);
  const payload = JSON.stringify(summary);
  return db.transaction(() => {
    let inserted = 0;
    for (const t of targets) {
      inserted += ins.run({
        callId: summary.callId, tenantId: summary.tenantId, kind: t.kind, ref: t.ref, label: t.label,
        key: idempotencyKey(summary.callId, t), payload, now,
      }).changes;
    }
    return inserted;
  })();
}

/**
 * Retention: empties the transcript of the summary copies queued for the tenant's calls that started
 * before `beforeMs` (whatever their delivery status), as the call store does for the calls themselves.
 * Rows whose copy has no transcript left are not read again. Returns the number of rows redacted.
 */
export function redactOutboxTranscripts(db: Database.Database, tenantId: string, beforeMs: number): number {
  const rows = db.prepare(`SELECT id, payload_json FROM delivery_outbox
    WHERE tenant_id = ? AND json_valid(payload_json) AND json_array_length(payload_json, '$.transcript') > 0`).all(tenantId) as { id: number; payload_json: string }[];
  const update = db.prepare('UPDATE delivery_outbox SET payload_json = ? WHERE id = ?');
  return db.transaction(() => {
    let redacted = 0;
    for (const r of rows) {
      const payload = redactedPayload(r.payload_json, beforeMs);
      if (payload === null) continue;
      update.run(payload, r.id);
      redacted++;
    }
    return redacted;
  })();
}

/** Rows for the dashboard, newest first, filtered by call, tenant and/or status. */
export function listDeliveries(db: Database.Database, filter: DeliveryFilter = {}): DeliveryRecord[] {
  const where: string[] = [];
  const params: Record<string, string | number> = {};
  if (filter.callId !== undefined) { where.push('call_id = @callId'); params.callId = filter.callId; }
  if (filter.tenantId !== undefined) { where.push('tenant_id = @tenantId'); params.tenantId = filter.tenantId; }
  if (filter.status !== undefined) { where.push('status = @status'); params.status = filter.status; }
  params.limit = Math.min(Math.max(Math.trunc(filter.limit ?? 100), 1), 1000);
  const sql = `SELECT * FROM delivery_outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
  return (db.prepare(sql).all(params) as OutboxRow[]).map(toDeliveryRecord);
}

/** Puts a dead (or sent) row back in the queue, e.g. after the tenant fixed its config. */
export function redeliver(db: Database.Database, id: number, now: number = Date.now()): boolean {
  return db.prepare(`UPDATE delivery_outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL, updated_at = ?
    WHERE id = ? AND status IN ('dead','sent')`).run(now, now, id).changes === 1;
}

/** The SQLite outbox behind the DeliveryOutbox interface (statements prepared once; one database connection). */
export function sqliteOutbox(db: Database.Database): DeliveryOutbox {
  // SQLite runs one writer at a time, so the UPDATE ... RETURNING claim is atomic across connections to the file.
  const claimStmt = db.prepare(`
    UPDATE delivery_outbox SET status = 'sending', attempts = attempts + 1, claimed_at = @now, claimed_by = @worker, updated_at = @now
    WHERE id IN (SELECT id FROM delivery_outbox WHERE status = 'pending' AND next_attempt_at <= @now
                 ORDER BY next_attempt_at, id LIMIT @limit)
    RETURNING *`);
  const fence = `id = @id AND status = 'sending' AND attempts = @attempts AND claimed_by IS @claimedBy`;
  const sentStmt = db.prepare(`UPDATE delivery_outbox SET status = 'sent', sent_at = @now, last_error = NULL, updated_at = @now WHERE ${fence}`);
  const retryStmt = db.prepare(`UPDATE delivery_outbox SET status = 'pending', next_attempt_at = @next, last_error = @error, updated_at = @now WHERE ${fence}`);
  const deadStmt = db.prepare(`UPDATE delivery_outbox SET status = 'dead', last_error = @error, updated_at = @now WHERE ${fence}`);
  const progressStmt = db.prepare(`UPDATE delivery_outbox SET progress_json = @progress, updated_at = @now WHERE ${fence}`);
  const orphaned = `status = 'sending' AND (claimed_at <= @before OR (@worker IS NOT NULL AND (claimed_by IS NULL OR claimed_by = @worker)))`;
  const recoverExhaustedStmt = db.prepare(`UPDATE delivery_outbox SET status = 'dead', updated_at = @now,
      last_error = 'interrupted during its last attempt (process stopped while sending); ' || COALESCE(last_error, '')
    WHERE ${orphaned} AND attempts >= @maxAttempts`);
  const recoverStmt = db.prepare(`UPDATE delivery_outbox SET status = 'pending', next_attempt_at = @now, updated_at = @now WHERE ${orphaned}`);
  const nextDueStmt = db.prepare(`SELECT MIN(next_attempt_at) FROM delivery_outbox WHERE status = 'pending'`).pluck();
  const recover = db.transaction((now: number, before: number, worker: string | null, maxAttempts: number) => {
    recoverExhaustedStmt.run({ now, before, worker, maxAttempts });
    return recoverStmt.run({ now, before, worker }).changes;
  });
  const ref = (c: ClaimRef) => ({ id: c.id, attempts: c.attempts, claimedBy: c.claimedBy });

  return {
    kind: 'sqlite',
    claim: async (now, limit, worker) => (claimStmt.all({ now, limit, worker }) as OutboxRow[])
      .map(toClaimed)
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id),
    markSent: async (c, now) => sentStmt.run({ ...ref(c), now }).changes === 1,
    markRetry: async (c, now, next, error) => retryStmt.run({ ...ref(c), now, next, error }).changes === 1,
    markDead: async (c, now, error) => deadStmt.run({ ...ref(c), now, error }).changes === 1,
    saveProgress: async (c, progress, now) => void progressStmt.run({ ...ref(c), progress: JSON.stringify(progress), now }),
    recover: async (now, s) => recover(now, s.claimedBefore, s.restartedWorker ?? null, s.maxAttempts),
    nextDueAt: async () => (nextDueStmt.get() as number | null) ?? null,
    list: async (filter) => listDeliveries(db, filter),
    redeliver: async (id, now) => redeliver(db, id, now),
    redactTranscripts: async (tenantId, beforeMs) => redactOutboxTranscripts(db, tenantId, beforeMs),
  };
}
