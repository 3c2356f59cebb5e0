// Retention reaches the delivery outbox: a purged call's summary copies queued for delivery lose their
// transcript too, whatever their status; newer calls and other tenants keep theirs.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { redactOutboxTranscripts } from '../../src/delivery/index.js';
import { asyncStore } from '../../src/records/records-store.js';
import { sweepTranscripts } from '../../src/records/retention.js';
import { openStore } from '../../src/records/store.js';
import { summaryFor } from './support/contract.js';

const dir = mkdtempSync(join(tmpdir(), 'firstring-retention-'));

describe('retention and the delivery outbox', () => {
  const notifications = { sms: [], email: [], webhook: { url: 'http://127.0.0.1:9/hook', secret: 'a-very-long-webhook-secret' } };
  const store = openStore(join(dir, 'records.db'), { delivery: { notifications: () => notifications } });
  afterAll(() => store.close());

  const payloads = (callId: string): { transcript: unknown[]; problem: string | null }[] =>
    (store.database.prepare('SELECT payload_json FROM delivery_outbox WHERE call_id = ?').pluck().all(callId) as string[]).map((p) => JSON.parse(p));

  const call = (id: string, tenantId: string, startedAt: string): void => {
    store.createCall({ id, tenantId, channel: 'text', callerNumber: null, language: 'en', startedAt });
    store.appendTurn(id, { speaker: 'caller', text: 'my address is 12 Elm', at: startedAt });
    store.saveSummary(summaryFor(id, tenantId, {
      startedAt, endedAt: startedAt, transcript: [{ speaker: 'caller', text: 'my address is 12 Elm', at: startedAt }],
    }));
  };

  it('empties the transcript of the purged calls\' queued summaries, sent or pending', async () => {
    call('old-sent', 'short', '2026-11-01T10:00:00-04:00');
    call('old-pending', 'short', '2026-11-02T10:00:00-04:00');
    call('recent', 'short', '2026-11-30T10:00:00-05:00');
    call('other-tenant-old', 'long', '2026-11-01T10:00:00-04:00');
    store.database.prepare(`UPDATE delivery_outbox SET status = 'sent' WHERE call_id = 'old-sent'`).run();
    for (const id of ['old-sent', 'old-pending', 'recent', 'other-tenant-old']) expect(payloads(id)[0]?.transcript).toHaveLength(1);

    const purged = await sweepTranscripts(asyncStore(store), {
      tenants: () => [{ tenantId: 'short', retentionDays: 7 }, { tenantId: 'long', retentionDays: 365 }],
      purgeCopies: (tenantId, before) => redactOutboxTranscripts(store.database, tenantId, Date.parse(before)),
    }, new Date('2026-12-01T00:00:00Z'));

    expect(purged).toEqual({ short: 2, long: 0 });
    for (const id of ['old-sent', 'old-pending']) {
      expect(store.getCall(id)!.turns).toEqual([]);
      expect(payloads(id)).toEqual([expect.objectContaining({ transcript: [], problem: 'Water heater leaking.' })]);
    }
    expect(payloads('recent')[0]?.transcript).toHaveLength(1);
    expect(payloads('other-tenant-old')[0]?.transcript).toHaveLength(1);
    // A second pass finds nothing left to redact.
    expect(redactOutboxTranscripts(store.database, 'short', Date.parse('2026-11-24T00:00:00Z'))).toBe(0);
  });
});
