// The one call the call store makes when it saves a summary: plan the tenant's targets and
// enqueue them, inside the store's transaction.
import type Database from 'better-sqlite3';
import { describeError } from './errors.js';
import { enqueueDeliveries } from './outbox.js';
import type { CallSummary } from './summary-view.js';
import { parseNotificationTargets, planTargets } from './targets.js';

export interface EnqueueResult {
  enqueued: number;
  /** Set when the tenant's notification config is invalid: nothing was enqueued, the summary still commits. */
  configError?: string;
}

/**
 * Enqueues every notification of `summary` for the tenant's `notifications` config (unvalidated).
 * A bad config does not throw (it would roll back the summary); it is reported in the result.
 * Database errors do throw, so the caller's transaction fails as a whole.
 */
export function enqueueCallNotifications(db: Database.Database, summary: CallSummary, notifications: unknown, now: number = Date.now()): EnqueueResult {
  let targets;
  try {
    targets = planTargets(parseNotificationTargets(notifications));
  } catch (err) {
    return { enqueued: 0, configError: describeError(err) };
  }
  return { enqueued: enqueueDeliveries(db, summary, targets, now) };
}
