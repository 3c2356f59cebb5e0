// The one call the call store makes when it saves a summary: plan the tenant's targets and
// enqueue them, inside the store's transaction (SQLite: synchronously on its Database;
// PostgreSQL: on the transaction's client).
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { targetsForCall } from './empty-call.js';
import { describeError } from './errors.js';
import { enqueueDeliveries } from './outbox.js';
import { enqueueDeliveriesPg } from './outbox-pg.js';
import type { CallSummary } from './summary-view.js';
import { parseNotificationTargets, planTargets, type DeliveryTarget } from './targets.js';
import type { EmptyCallPolicy } from './targets-schema.js';

export interface EnqueueResult {
  enqueued: number;
  /** Set when the tenant's notification config is invalid: nothing was enqueued, the summary still commits. */
  configError?: string;
}

type Plan = { targets: DeliveryTarget[]; emptyCalls: EmptyCallPolicy } | { configError: string };

/** Plans per config object: a tenant's config is validated once, not at every call's summary. */
const plans = new WeakMap<object, Plan>();

function plan(notifications: unknown): Plan {
  const cached = notifications !== null && typeof notifications === 'object' ? plans.get(notifications) : undefined;
  if (cached) return cached;
  let p: Plan;
  try {
    const parsed = parseNotificationTargets(notifications);
    p = { targets: planTargets(parsed), emptyCalls: parsed.emptyCalls };
  } catch (err) {
    p = { configError: describeError(err) };
  }
  if (notifications !== null && typeof notifications === 'object') plans.set(notifications, p);
  return p;
}

/**
 * Enqueues every notification of `summary` for the tenant's `notifications` config (unvalidated);
 * an empty call's go to webhooks only unless the config says otherwise (empty-call.ts).
 * A bad config does not throw (it would roll back the summary); it is reported in the result.
 * Database errors do throw, so the caller's transaction fails as a whole.
 */
export function enqueueCallNotifications(db: Database.Database, summary: CallSummary, notifications: unknown, now: number = Date.now()): EnqueueResult {
  const p = plan(notifications);
  return 'configError' in p ? { enqueued: 0, configError: p.configError } : { enqueued: enqueueDeliveries(db, summary, targetsForCall(p.targets, summary, p.emptyCalls), now) };
}

/** The same on PostgreSQL: `client` is in the transaction that stores the summary. */
export async function enqueueCallNotificationsPg(client: pg.ClientBase, summary: CallSummary, notifications: unknown, now: number = Date.now()): Promise<EnqueueResult> {
  const p = plan(notifications);
  return 'configError' in p ? { enqueued: 0, configError: p.configError } : { enqueued: await enqueueDeliveriesPg(client, summary, targetsForCall(p.targets, summary, p.emptyCalls), now) };
}
