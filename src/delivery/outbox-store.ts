// The outbox as the delivery worker, the dashboard and the retention sweeper use it, whatever the
// database: SQLite (outbox.ts, the node's file) or PostgreSQL (outbox-pg.ts, shared by every node).
import type { TargetKind } from './targets.js';

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
  /** The worker (node id) that claimed the row last. */
  claimedBy: string | null;
  sentAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A claimed row with what the adapter needs. */
export interface ClaimedDelivery extends DeliveryRecord {
  payloadJson: string;
  progress: Record<string, string>;
}

/**
 * One claim of a row: its id, the attempt number the claim counted and the claiming worker. Settling
 * matches all three, so a worker whose claim was requeued (lease expired) and taken by another worker
 * cannot overwrite the newer attempt's outcome.
 */
export type ClaimRef = Pick<ClaimedDelivery, 'id' | 'attempts' | 'claimedBy'>;

export interface DeliveryFilter {
  callId?: string;
  tenantId?: string;
  status?: DeliveryStatus;
  /** Newest first; default 100, at most 1000. */
  limit?: number;
}

export interface RecoverScope {
  /** Rows in `sending` claimed at or before this time (epoch ms) are presumed orphaned. */
  claimedBefore: number;
  /**
   * Also every row in `sending` claimed by this worker (it restarted, so none of its attempts is in
   * flight) or by no worker (claimed before claims were attributed). Only at a worker's start.
   */
  restartedWorker?: string;
  /** A requeued row that already had this many attempts becomes `dead` instead. */
  maxAttempts: number;
}

export interface DeliveryOutbox {
  readonly kind: 'sqlite' | 'postgres';
  /** Atomically moves up to `limit` due rows to `sending` for `worker`, counting the attempt; oldest due first. */
  claim(now: number, limit: number, worker: string): Promise<ClaimedDelivery[]>;
  /** Each returns false when the claim is no longer current (the row was requeued and claimed again). */
  markSent(claim: ClaimRef, now: number): Promise<boolean>;
  markRetry(claim: ClaimRef, now: number, nextAttemptAt: number, error: string): Promise<boolean>;
  markDead(claim: ClaimRef, now: number, error: string): Promise<boolean>;
  saveProgress(claim: ClaimRef, progress: Record<string, string>, now: number): Promise<void>;
  /** Puts orphaned `sending` rows back to `pending` (those on their last attempt become `dead`); returns how many were requeued. */
  recover(now: number, scope: RecoverScope): Promise<number>;
  /** When the earliest pending row is due, or null. */
  nextDueAt(): Promise<number | null>;
  /** Rows for the dashboard, newest first. */
  list(filter?: DeliveryFilter): Promise<DeliveryRecord[]>;
  /** Puts a dead (or sent) row back in the queue, e.g. after the tenant fixed its config. */
  redeliver(id: number, now?: number): Promise<boolean>;
  /**
   * Retention: empties the transcript of the summary copies queued for the tenant's calls that started
   * before `beforeMs`, whatever their status. Returns the number of rows redacted.
   */
  redactTranscripts(tenantId: string, beforeMs: number): Promise<number>;
}

/** Idempotency key of one notification: the call id and the target (kind and ref). */
export function idempotencyKey(callId: string, target: { kind: TargetKind; ref: string }): string {
  return `${callId}/${target.kind}:${target.ref}`;
}

export function parseProgress(json: string | null): Record<string, string> {
  if (!json) return {};
  try {
    const v: unknown = JSON.parse(json);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** The summary copy without its transcript, or null when it has none left (or is not a summary of a call started before `beforeMs`). */
export function redactedPayload(payloadJson: string, beforeMs: number): string | null {
  let payload: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(payloadJson);
    if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
    payload = v as Record<string, unknown>;
  } catch {
    return null;
  }
  if (!Array.isArray(payload.transcript) || payload.transcript.length === 0) return null;
  const started = typeof payload.startedAt === 'string' ? Date.parse(payload.startedAt) : Number.NaN;
  if (!(started < beforeMs)) return null;
  return JSON.stringify({ ...payload, transcript: [] });
}
