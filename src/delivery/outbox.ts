// The durable outbox: rows written in the caller's transaction, claimed and settled by the worker.
// All functions are synchronous better-sqlite3 calls so they compose inside db.transaction().
import type Database from 'better-sqlite3';
import type { CallSummary } from './summary-view.js';
import type { DeliveryTarget, TargetKind } from './targets.js';

export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'dead';

/** A row as the dashboard and the worker see it (times as epoch milliseconds). */
export interface DeliveryRecord {
  id: number;
  callId: string;
  tenantId: string;
  targetKind: TargetKind;
  targetRef: string;
  targetLabel: string;
  idempotencyKey: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  claimedAt: number | null;
  sentAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A claimed row with what the adapter needs. */
export interface ClaimedDelivery extends DeliveryRecord {
  payloadJson: string;
  progress: Record<string, string>;
}

interface OutboxRow {
  id: number; call_id: string; tenant_id: string; target_kind: TargetKind; target_ref: string; target_label: string;
  idempotency_key: string; payload_json: string; status: DeliveryStatus; attempts: number; next_attempt_at: number;
  last_error: string | null; progress_json: string | null; claimed_at: number | null; sent_at: number | null;
  created_at: number; updated_at: number;
}

function toRecord(r: OutboxRow): DeliveryRecord {
  return {
    id: r.id, callId: r.call_id, tenantId: r.tenant_id, targetKind: r.target_kind, targetRef: r.target_ref,
    targetLabel: r.target_label, idempotencyKey: r.idempotency_key, status: r.status, attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at, lastError: r.last_error, claimedAt: r.claimed_at, sentAt: r.sent_at,
    createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

function parseProgress(json: string | null): Record<string, string> {
  if (!json) return {};
  try {
    const v: unknown = JSON.parse(json);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** Idempotency key of one notification: the call id and the target (kind and ref). */
export function idempotencyKey(callId: string, target: Pick<DeliveryTarget, 'kind' | 'ref'>): string {
  return `${callId}/${target.kind}:${target.ref}`;
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

export interface DeliveryFilter {
  callId?: string;
  tenantId?: string;
  status?: DeliveryStatus;
  /** Newest first; default 100, at most 1000. */
  limit?: number;
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
  return (db.prepare(sql).all(params) as OutboxRow[]).map(toRecord);
}

/** Puts a dead (or sent) row back in the queue, e.g. after the tenant fixed its config. */
export function redeliver(db: Database.Database, id: number, now: number = Date.now()): boolean {
  return db.prepare(`UPDATE delivery_outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL, updated_at = ?
    WHERE id = ? AND status IN ('dead','sent')`).run(now, now, id).changes === 1;
}

/** Worker-side statements, prepared once. */
export class OutboxQueue {
  private readonly claimStmt: Database.Statement;
  private readonly sentStmt: Database.Statement;
  private readonly retryStmt: Database.Statement;
  private readonly deadStmt: Database.Statement;
  private readonly progressStmt: Database.Statement;
  private readonly recoverStmt: Database.Statement;
  private readonly recoverExhaustedStmt: Database.Statement;
  private readonly nextDueStmt: Database.Statement;

  constructor(db: Database.Database) {
    this.claimStmt = db.prepare(`
      UPDATE delivery_outbox SET status = 'sending', attempts = attempts + 1, claimed_at = @now, updated_at = @now
      WHERE id IN (SELECT id FROM delivery_outbox WHERE status = 'pending' AND next_attempt_at <= @now
                   ORDER BY next_attempt_at, id LIMIT @limit)
      RETURNING *`);
    this.sentStmt = db.prepare(`UPDATE delivery_outbox SET status = 'sent', sent_at = @now, last_error = NULL, updated_at = @now
      WHERE id = @id AND status = 'sending'`);
    this.retryStmt = db.prepare(`UPDATE delivery_outbox SET status = 'pending', next_attempt_at = @next, last_error = @error, updated_at = @now
      WHERE id = @id AND status = 'sending'`);
    this.deadStmt = db.prepare(`UPDATE delivery_outbox SET status = 'dead', last_error = @error, updated_at = @now
      WHERE id = @id AND status = 'sending'`);
    this.progressStmt = db.prepare('UPDATE delivery_outbox SET progress_json = ?, updated_at = ? WHERE id = ?');
    this.recoverExhaustedStmt = db.prepare(`UPDATE delivery_outbox SET status = 'dead', updated_at = @now,
        last_error = 'interrupted during its last attempt (process stopped while sending); ' || COALESCE(last_error, '')
      WHERE status = 'sending' AND claimed_at <= @before AND attempts >= @maxAttempts`);
    this.recoverStmt = db.prepare(`UPDATE delivery_outbox SET status = 'pending', next_attempt_at = @now, updated_at = @now
      WHERE status = 'sending' AND claimed_at <= @before`);
    this.nextDueStmt = db.prepare(`SELECT MIN(next_attempt_at) FROM delivery_outbox WHERE status = 'pending'`).pluck();
  }

  /** Atomically moves up to `limit` due rows to `sending`, counting the attempt. */
  claim(now: number, limit: number): ClaimedDelivery[] {
    return (this.claimStmt.all({ now, limit }) as OutboxRow[])
      .sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.id - b.id)
      .map((r) => ({ ...toRecord(r), payloadJson: r.payload_json, progress: parseProgress(r.progress_json) }));
  }

  markSent(id: number, now: number): void { this.sentStmt.run({ id, now }); }
  markRetry(id: number, now: number, next: number, error: string): void { this.retryStmt.run({ id, now, next, error }); }
  markDead(id: number, now: number, error: string): void { this.deadStmt.run({ id, now, error }); }
  saveProgress(id: number, progress: Record<string, string>, now: number): void {
    this.progressStmt.run(JSON.stringify(progress), now, id);
  }

  /**
   * Rows left in `sending` (claimed at or before `before`) by a crash go back to `pending`; those that
   * were on their last attempt become `dead`. Returns how many rows were requeued.
   */
  recover(now: number, before: number, maxAttempts: number): number {
    this.recoverExhaustedStmt.run({ now, before, maxAttempts });
    return this.recoverStmt.run({ now, before }).changes;
  }

  nextDueAt(): number | null {
    return (this.nextDueStmt.get() as number | null) ?? null;
  }
}
