// Retention: each tenant keeps call transcripts for a number of days; a sweeper deletes older ones.
import type { Logger } from 'pino';
import type { RecordsStore } from './records-store.js';

export interface RetentionPolicy {
  /** Tenants to sweep and their retention in days (undefined: keep forever). */
  tenants(): { tenantId: string; retentionDays: number | undefined }[];
  /**
   * Purges the other copies of those transcripts: the summaries queued in the delivery outbox
   * (`redactOutboxTranscripts`) of the tenant's calls started before `beforeIso`. Returns how many.
   */
  purgeCopies?(tenantId: string, beforeIso: string): number | Promise<number>;
}

/**
 * One pass: deletes transcripts of calls started more than `retentionDays` before `now`, and their
 * copies (policy.purgeCopies). Returns purged call counts per tenant.
 */
export async function sweepTranscripts(store: RecordsStore, policy: RetentionPolicy, now: Date = new Date()): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const { tenantId, retentionDays } of policy.tenants()) {
    if (retentionDays === undefined || !Number.isFinite(retentionDays) || retentionDays < 0) continue;
    const before = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
    out[tenantId] = await store.purgeTranscripts(tenantId, before, now.toISOString());
    await policy.purgeCopies?.(tenantId, before);
  }
  return out;
}

/** Runs sweepTranscripts now and every `intervalMs` (hourly by default); returns a stop function. */
export function startRetentionSweeper(store: RecordsStore, policy: RetentionPolicy, log: Logger, intervalMs = 3_600_000): () => void {
  let running = false;
  const tick = (): void => {
    if (running) return;
    running = true;
    sweepTranscripts(store, policy)
      .then((n) => {
        const total = Object.values(n).reduce((a, b) => a + b, 0);
        if (total > 0) log.info({ purged: n }, 'transcripts past retention deleted');
      })
      .catch((err: unknown) => log.error({ err }, 'retention sweep failed'))
      .finally(() => { running = false; });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
