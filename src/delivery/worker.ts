// The delivery worker: claims due outbox rows, sends them, and settles each as sent, retried later
// (exponential backoff with jitter) or dead. It never throws out of its loop: every failure,
// including a bad target config or a corrupt row, ends up in last_error. It runs against either
// outbox (DeliveryOutbox: the node's SQLite file, or PostgreSQL shared by several nodes, each with
// its own worker and a distinct workerId).
import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { DEFAULT_BACKOFF, backoffDelay, type BackoffPolicy } from './backoff.js';
import { dispatchTarget, type Dispatch } from './dispatch.js';
import { TargetConfigError, describeError, isRetryable } from './errors.js';
import { sqliteOutbox } from './outbox.js';
import { migrateDeliveryOutbox } from './outbox-migrations.js';
import type { ClaimedDelivery, DeliveryOutbox } from './outbox-store.js';
import type { CallSummary } from './summary-view.js';
import { parseNotificationTargets, parseOperatorConfig, resolveTarget } from './targets.js';

/** The tenant's current `notifications` config (unvalidated: the worker validates it), or undefined. */
export type TenantTargetsLookup = (tenantId: string) => unknown;

export interface DeliveryWorkerOptions {
  /** The outbox to deliver from: `pgOutbox(pool)` / the PostgreSQL store's `outbox`, or `sqliteOutbox(db)`. */
  outbox?: DeliveryOutbox;
  /** Shorthand for `outbox: sqliteOutbox(db)` (the outbox table is migrated first). One of `outbox` and `db` is required. */
  db?: Database.Database;
  /**
   * This worker's name in `claimed_by` (the node id). Rows it left in `sending` are requeued when a
   * worker of the same id starts, so it must be stable across restarts and unique among the workers
   * running on one database. Default: the host name.
   */
  workerId?: string;
  /** Looks up a tenant's notification targets at send time. */
  tenantTargets: TenantTargetsLookup;
  /** Operator-wide SMTP and SMS provider (DeliveryOperatorSchema), used when a tenant has none. */
  operator?: unknown;
  logger: Logger;
  backoff?: Partial<BackoffPolicy>;
  /** How often to look for due rows when idle (ms). Default 1000. */
  pollIntervalMs?: number;
  /** Rows claimed per round. Default 10. */
  batchSize?: number;
  /** Deadline of one attempt (ms). Default 15000. */
  sendTimeoutMs?: number;
  /** A row in `sending` longer than this is presumed orphaned and requeued (ms). Default 5 min. */
  leaseMs?: number;
  clock?: () => number;
  random?: () => number;
  /** Replaces the adapters (tests of the worker's own logic). */
  dispatch?: Dispatch;
  /** Called after each attempt is settled, e.g. to count deliveries by kind and outcome in Prometheus. */
  onSettled?: (event: SettledEvent) => void;
}

export type AttemptOutcome = 'sent' | 'retried' | 'dead';

export interface SettledEvent {
  deliveryId: number;
  tenantId: string;
  kind: string;
  outcome: AttemptOutcome;
  attempts: number;
}

export interface RoundResult {
  claimed: number;
  sent: number;
  retried: number;
  dead: number;
}

export class DeliveryWorker {
  private readonly outbox: DeliveryOutbox;
  private readonly workerId: string;
  private readonly policy: BackoffPolicy;
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly dispatch: Dispatch;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly sendTimeoutMs: number;
  private readonly leaseMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private current: Promise<RoundResult> | null = null;
  private lastLeaseCheck = 0;
  /** Set by start(): the next round first requeues what this worker left in `sending` before it restarted. */
  private recoverOwn = false;

  constructor(private readonly opts: DeliveryWorkerOptions) {
    if (opts.outbox) this.outbox = opts.outbox;
    else if (opts.db) {
      migrateDeliveryOutbox(opts.db);
      this.outbox = sqliteOutbox(opts.db);
    } else throw new TypeError('DeliveryWorker needs an outbox (or a SQLite db)');
    this.workerId = opts.workerId ?? hostname();
    if (this.workerId === '') throw new RangeError('workerId must not be empty');
    this.policy = { ...DEFAULT_BACKOFF, ...opts.backoff };
    if (!(this.policy.maxAttempts >= 1) || !(this.policy.baseMs >= 0) || !(this.policy.maxMs >= this.policy.baseMs)) {
      throw new RangeError('backoff needs maxAttempts >= 1 and 0 <= baseMs <= maxMs');
    }
    this.clock = opts.clock ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.dispatch = opts.dispatch ?? dispatchTarget;
    this.pollIntervalMs = opts.pollIntervalMs ?? 1000;
    this.batchSize = opts.batchSize ?? 10;
    this.sendTimeoutMs = opts.sendTimeoutMs ?? 15_000;
    this.leaseMs = opts.leaseMs ?? 5 * 60_000;
    if (this.leaseMs <= this.sendTimeoutMs) throw new RangeError('leaseMs must exceed sendTimeoutMs, or a slow attempt could be sent twice');
  }

  /**
   * Polls; the first round requeues the rows this worker id left in `sending` (a crash or a stop
   * mid-attempt) and those whose lease expired. Other workers' fresh claims are left alone.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.recoverOwn = true;
    this.lastLeaseCheck = this.clock();
    this.opts.logger.info({ workerId: this.workerId, outbox: this.outbox.kind }, 'delivery worker started');
    this.schedule(0);
  }

  /** Stops polling and waits for the round in flight. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.current) await this.current.catch(() => undefined);
  }

  /** Runs a round now instead of at the next poll (e.g. right after a summary was committed). */
  wake(): void {
    if (this.running && !this.current) this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.loop();
    }, delayMs);
    this.timer.unref?.();
  }

  private async loop(): Promise<void> {
    let result: RoundResult = { claimed: 0, sent: 0, retried: 0, dead: 0 };
    try {
      result = await this.runOnce();
    } catch (err) {
      this.opts.logger.error({ err: describeError(err) }, 'delivery round failed');
    }
    if (!this.running) return;
    if (result.claimed >= this.batchSize) { this.schedule(0); return; }
    const nextDue = await this.safeNextDue();
    const wait = nextDue === null ? this.pollIntervalMs : Math.min(this.pollIntervalMs, Math.max(0, nextDue - this.clock()));
    this.schedule(wait);
  }

  private async safeNextDue(): Promise<number | null> {
    try { return await this.outbox.nextDueAt(); } catch { return null; }
  }

  /** One round: claim due rows and settle each. Tests call this directly with a fake clock. */
  async runOnce(): Promise<RoundResult> {
    if (this.current) return this.current;
    this.current = this.round();
    try {
      return await this.current;
    } finally {
      this.current = null;
    }
  }

  private async round(): Promise<RoundResult> {
    const now = this.clock();
    const scope = { claimedBefore: now - this.leaseMs, maxAttempts: this.policy.maxAttempts };
    if (this.recoverOwn) {
      const requeued = await this.outbox.recover(now, { ...scope, restartedWorker: this.workerId });
      this.recoverOwn = false;
      this.lastLeaseCheck = now;
      if (requeued) this.opts.logger.info({ requeued }, 'requeued deliveries interrupted by the previous run');
    } else if (now - this.lastLeaseCheck >= this.leaseMs) {
      this.lastLeaseCheck = now;
      const requeued = await this.outbox.recover(now, scope);
      if (requeued) this.opts.logger.warn({ requeued }, 'requeued deliveries whose attempt outlived the lease');
    }
    const rows = await this.outbox.claim(now, this.batchSize, this.workerId);
    const result: RoundResult = { claimed: rows.length, sent: 0, retried: 0, dead: 0 };
    const outcomes = await Promise.all(rows.map((r) => this.attempt(r)));
    outcomes.forEach((outcome, i) => {
      result[outcome] += 1;
      const row = rows[i] as ClaimedDelivery;
      try {
        this.opts.onSettled?.({ deliveryId: row.id, tenantId: row.tenantId, kind: row.targetKind, outcome, attempts: row.attempts });
      } catch (err) {
        this.opts.logger.warn({ err: describeError(err) }, 'delivery onSettled hook failed');
      }
    });
    return result;
  }

  private async attempt(row: ClaimedDelivery): Promise<AttemptOutcome> {
    const log = this.opts.logger.child({ deliveryId: row.id, callId: row.callId, tenantId: row.tenantId, target: row.targetKind, attempt: row.attempts });
    const progress = { ...row.progress };
    const signal = AbortSignal.timeout(this.sendTimeoutMs);
    // Progress writes are chained and awaited before the attempt is settled.
    let progressSaved: Promise<void> = Promise.resolve();
    let failure: { err: unknown } | null = null;
    try {
      const summary = this.parsePayload(row.payloadJson);
      const targets = parseNotificationTargets(this.opts.tenantTargets(row.tenantId));
      const resolved = resolveTarget(row.targetKind, row.targetRef, targets, parseOperatorConfig(this.opts.operator));
      await this.dispatch(resolved, {
        idempotencyKey: row.idempotencyKey,
        summary,
        payloadJson: row.payloadJson,
        signal,
        timeoutMs: this.sendTimeoutMs,
        now: this.clock,
        progress,
        saveProgress: (step, value) => {
          progress[step] = value;
          const snapshot = { ...progress };
          progressSaved = progressSaved.then(() => this.outbox.saveProgress(row, snapshot, this.clock()));
        },
      });
    } catch (err) {
      failure = { err };
    }
    await progressSaved.catch((e: unknown) => log.warn({ err: describeError(e) }, 'delivery progress not saved'));
    if (failure) return this.settleFailure(row, failure.err, log);
    try {
      if (await this.outbox.markSent(row, this.clock())) log.info('delivery sent');
      else log.warn('delivery sent, but its claim had expired and was taken over');
    } catch (dbErr) {
      // Sent, not recorded: the lease requeues it and the receiver deduplicates on the idempotency key.
      log.error({ err: describeError(dbErr) }, 'delivery sent, outcome not saved');
    }
    return 'sent';
  }

  private async settleFailure(row: ClaimedDelivery, err: unknown, log: Logger): Promise<AttemptOutcome> {
    try {
      const message = describeError(err);
      const now = this.clock();
      if (!isRetryable(err) || row.attempts >= this.policy.maxAttempts) {
        const why = isRetryable(err) ? `gave up after ${row.attempts} attempts: ${message}` : message;
        await this.outbox.markDead(row, now, why);
        log.warn({ error: why }, 'delivery dead');
        return 'dead';
      }
      const delay = backoffDelay(this.policy, row.attempts, this.random);
      await this.outbox.markRetry(row, now, now + delay, message);
      log.info({ error: message, retryInMs: delay }, 'delivery will be retried');
      return 'retried';
    } catch (dbErr) {
      // The row stays in `sending`; the lease (or this worker's next start) requeues it.
      log.error({ err: describeError(dbErr) }, 'delivery outcome not saved');
      return 'retried';
    }
  }

  private parsePayload(json: string): CallSummary {
    let v: unknown;
    try { v = JSON.parse(json); } catch { throw new TargetConfigError('outbox payload is not valid JSON'); }
    const s = v as Partial<CallSummary> | null;
    if (!s || typeof s !== 'object' || typeof s.callId !== 'string' || !s.caller || !s.serviceAddress || !Array.isArray(s.followUps) || (s.language !== 'en' && s.language !== 'fr')) {
      throw new TargetConfigError('outbox payload is not a call summary');
    }
    return s as CallSummary;
  }
}
