// The media worker's CallLog over a records port, served by the main thread's records writer on a real
// SQLite file: order kept per call, barge-in text on the right turn, the summary answered only once stored
// with its notifications, bookings refused atomically across two callers, what was said kept by a crash,
// and the media worker's code never reaching the SQLite driver.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { SlotTakenError } from '../../src/agent/call-log.js';
import { createDialogSession } from '../../src/agent/session.js';
import { listDeliveries } from '../../src/delivery/index.js';
import { createWorkerCallLog } from '../../src/media/worker-call-log.js';
import { callRecords } from '../../src/records/call-records.js';
import { asyncStore, type RecordsStore } from '../../src/records/records-store.js';
import { openStore, type CallStore } from '../../src/records/store.js';
import { startRecordsWriter, type RecordsWriter } from '../../src/wiring/records-writer.js';
import { loadTestTenant } from '../agent/support/scenarios.js';
import { summaryFor } from './support/contract.js';

const dir = mkdtempSync(join(tmpdir(), 'firstring-records-port-'));
const log = pino({ level: 'silent' });
const closers: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

/** A SQLite store with delivery wired (the demo tenant: one SMS, one email), its writer, and `ops` seen by the store. */
function setUp(name: string): { store: CallStore; writer: RecordsWriter; ops: string[] } {
  const tenant = loadTestTenant('demo');
  const store = openStore(join(dir, `${name}.db`), { delivery: { notifications: (id) => (id === tenant.id ? tenant.notifications : undefined) } });
  const ops: string[] = [];
  const base = asyncStore(store);
  // Records which operations reached the store (and in which order), through the writer only.
  const seen: RecordsStore = Object.fromEntries(Object.entries(base).map(([k, v]) => [k, typeof v === 'function'
    ? (...a: unknown[]) => {
      ops.push(k);
      return (v as (...x: unknown[]) => unknown)(...a);
    }
    : v])) as unknown as RecordsStore;
  const writer = startRecordsWriter(callRecords(seen), log);
  closers.push(() => store.close(), () => writer.close());
  return { store, writer, ops };
}

describe('records port (media worker CallLog → main-thread records writer)', () => {
  it('applies one call\'s writes in order, updates the heard text of the right turn, and answers the summary once stored with its notifications', async () => {
    const { store, writer, ops } = setUp('order');
    const worker = createWorkerCallLog(writer.connectWorker());
    const id = 'call-order';
    await worker.createCall({ id, tenantId: 'demo', channel: 'webrtc', callerNumber: null, language: 'en', startedAt: '2026-12-01T15:00:00Z' });
    await worker.appendTurn(id, { speaker: 'agent', text: 'Hello, how can I help?', at: '2026-12-01T15:00:01Z' });
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i}`);
    let lastAgent = 0;
    for (const [i, text] of lines.entries()) {
      const turn = await worker.appendTurn(id, { speaker: i % 2 ? 'agent' : 'caller', text, at: `2026-12-01T15:01:${String(i).padStart(2, '0')}Z` }, i % 2 ? 'rules' : undefined);
      if (i % 2) lastAgent = turn;
    }
    await worker.updateTurnText(lastAgent, 'line 39 (heard up to here)');
    // Nothing was awaited on the store: the writes were only posted. The summary waits for all of them.
    const summary = { ...summaryFor(id, 'demo'), channel: 'webrtc' as const, startedAt: '2026-12-01T15:00:00Z', endedAt: '2026-12-01T15:02:00Z' };
    await worker.saveSummary(summary, { endReason: 'caller_hangup' });
    const rec = store.getCall(id)!;
    expect(rec.turns.map((t) => t.text)).toEqual(['Hello, how can I help?', ...lines.slice(0, 39), 'line 39 (heard up to here)']);
    expect(rec.turns.filter((t) => t.speaker === 'agent' && t.text !== 'Hello, how can I help?').map((t) => t.engine)).toEqual(Array(20).fill('rules'));
    expect(rec).toMatchObject({ status: 'ended', endReason: 'caller_hangup', outcome: 'request_created' });
    expect(listDeliveries(store.database, { callId: id }).map((d) => d.targetKind).sort()).toEqual(['email', 'sms']);
    expect(ops.filter((o) => o !== 'appointments')).toEqual(['createCall', 'appendTurn', ...Array(40).fill('appendTurn'), 'updateTurnText', 'saveSummary']);
  });

  it('runs a whole dialog session through the port, the summary stored before the call is reported ended', async () => {
    const { store, writer } = setUp('session');
    const session = createDialogSession({
      tenant: loadTestTenant('demo'), channel: 'webrtc', callId: 'call-session', language: 'en', store: createWorkerCallLog(writer.connectWorker()),
      clock: () => new Date('2026-12-01T15:00:00Z'),
    });
    session.greeting();
    for await (const _ of session.respond('My kitchen sink is leaking')) { /* consume */ }
    session.commitHeard('Is water');
    const summary = await session.end('caller_hangup');
    const rec = store.getCall('call-session')!;
    expect(rec.summary).toEqual(summary);
    expect(rec.turns.map((t) => [t.speaker, t.text])).toEqual([
      ['agent', summary.transcript[0]!.text], ['caller', 'My kitchen sink is leaking'], ['agent', 'Is water'],
    ]);
    expect(summary.transcript.at(-1)?.text).toBe('Is water');
  });

  it('refuses a slot booked meanwhile by a call on another worker, as a SlotTakenError', async () => {
    const { store, writer } = setUp('booking');
    const a = createWorkerCallLog(writer.connectWorker());
    const b = createWorkerCallLog(writer.connectWorker());
    const slot = { technician: 'Marc', start: '2026-12-02T08:00:00-05:00', end: '2026-12-02T10:00:00-05:00' };
    for (const [log, id] of [[a, 'ca'], [b, 'cb']] as const) {
      await log.createCall({ id, tenantId: 'demo', channel: 'webrtc', callerNumber: null, language: 'en', startedAt: '2026-12-01T15:00:00Z' });
    }
    const both = await Promise.allSettled([a.bookAppointment('demo', 'ca', slot), b.bookAppointment('demo', 'cb', { ...slot, start: '2026-12-02T09:00:00-05:00', end: '2026-12-02T11:00:00-05:00' })]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = both.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
    expect(refused.reason).toBeInstanceOf(SlotTakenError);
    expect(await b.appointments('demo', '2026-12-02T00:00:00-05:00', '2026-12-03T00:00:00-05:00')).toHaveLength(1);
    expect(store.database.prepare('SELECT COUNT(*) FROM appointments').pluck().get()).toBe(1);
  });

  it('keeps what was said when the worker dies mid-call; the restart closes the call as abandoned', async () => {
    const path = join(dir, 'crash.db');
    const first = openStore(path);
    const writer = startRecordsWriter(callRecords(asyncStore(first)), log);
    const port = writer.connectWorker();
    const live = createWorkerCallLog(port);
    await live.createCall({ id: 'crashed', tenantId: 'demo', channel: 'webrtc', callerNumber: null, language: 'en', startedAt: '2026-12-01T15:00:00Z' });
    await live.appendTurn('crashed', { speaker: 'agent', text: 'Hello, how can I help?', at: '2026-12-01T15:00:01Z' });
    await live.appendTurn('crashed', { speaker: 'caller', text: 'My furnace stopped', at: '2026-12-01T15:00:04Z' });
    // Written as the call goes: on file before any end or summary.
    for (let i = 0; i < 100 && (first.getCall('crashed')?.turns.length ?? 0) < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(first.getCall('crashed')?.turns).toHaveLength(2);
    // The worker dies: its port closes; a pending request fails instead of hanging.
    port.close();
    await expect(live.saveSummary(summaryFor('crashed', 'demo'))).rejects.toThrow(/records port closed/);
    expect(first.getCall('crashed')?.status).toBe('active');
    await writer.close();
    first.close();

    const restarted = openStore(path);
    closers.push(() => restarted.close());
    expect(restarted.abandonOpenCalls('2026-12-01T16:00:00Z')).toEqual(['crashed']);
    const rec = restarted.getCall('crashed')!;
    expect(rec.status).toBe('abandoned');
    expect(rec.turns.map((t) => t.text)).toEqual(['Hello, how can I help?', 'My furnace stopped']);
    expect(rec.summary?.problem).toBe('My furnace stopped');
  });

  it('the media worker\'s call handler code never imports the SQLite driver or the store', () => {
    // Follows the relative imports from the pipeline call handler (what a media worker loads for a call).
    const src = resolve(import.meta.dirname, '../../src');
    const start = join(src, 'media/pipeline-call-handler.ts');
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s(?!type\s)[^'"]*?from\s+'([^']+)'/g)) {
        const spec = m[1]!;
        if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
        else packages.add(spec);
      }
    };
    visit(start);
    expect(seen.has(join(src, 'media/worker-call-log.ts'))).toBe(true);
    expect([...seen].filter((f) => f.startsWith(join(src, 'records')))).toEqual([]);
    expect(packages.has('better-sqlite3')).toBe(false);
    expect(packages.has('pg')).toBe(false);
  });
});
