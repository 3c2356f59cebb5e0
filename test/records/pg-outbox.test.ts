// The delivery outbox on a real PostgreSQL server (Debian's postgresql package, a temp cluster per run):
// notifications commit with the summary (or not at all), the worker delivers from PostgreSQL with
// backoff and dead-letter, two nodes' workers never send one notification twice, a restarted node
// resumes its interrupted deliveries without touching another node's, and retention reaches the copies.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryWorker, type DeliveryRecord } from '../../src/delivery/index.js';
import { openPgStore, type PgRecordsStore } from '../../src/records/pg-store.js';
import { sweepTranscripts } from '../../src/records/retention.js';
import type { SummaryDelivery } from '../../src/records/types.js';
import { FakeClock } from '../delivery/support/db.js';
import { startRecordingServer, type RecordingServer } from '../delivery/support/recording-server.js';
import { summaryFor } from './support/contract.js';
import { postgresBinDir, startPostgres, type TestPostgres } from './support/postgres.js';

const bin = postgresBinDir();
const silent = pino({ level: 'silent' });
const SECRET = 'whsec-0123456789abcdef';
const hook = (url: string) => ({ sms: [], email: [], webhook: { url, secret: SECRET } });

describe.skipIf(!bin)('delivery outbox on PostgreSQL', () => {
  let server: TestPostgres;
  /** One connection for the test's own SQL (Client.end resolves once the socket is closed, before the server stops). */
  let admin: pg.Client;
  const opened: PgRecordsStore[] = [];
  let servers: RecordingServer[] = [];
  let workers: DeliveryWorker[] = [];

  const open = async (nodeId: string, delivery?: SummaryDelivery): Promise<PgRecordsStore> => {
    const s = await openPgStore({ connection: server.connection, nodeId, ...(delivery ? { delivery } : {}) });
    opened.push(s);
    return s;
  };
  /** A tenant of its own per test, so tests sharing the database do not see each other's rows. */
  const tenant = (): string => `t-${randomUUID().slice(0, 8)}`;
  const newCall = async (s: PgRecordsStore, tenantId: string, startedAt = '2026-12-01T10:00:00-05:00'): Promise<string> => {
    const id = randomUUID();
    await s.createCall({ id, tenantId, channel: 'text', callerNumber: '+15145550123', language: 'en', startedAt });
    return id;
  };
  const rowsOf = async (s: PgRecordsStore, tenantId: string): Promise<DeliveryRecord[]> => s.outbox.list({ tenantId, limit: 1000 });

  beforeAll(async () => {
    server = await startPostgres(bin!);
    admin = new pg.Client(server.connection);
    await admin.connect();
  }, 90_000);

  afterEach(async () => {
    for (const w of workers) await w.stop();
    for (const s of servers) await s.close();
    workers = [];
    servers = [];
    // Workers claim every due row of the database: leave nothing claimable to the next test.
    await admin.query(`UPDATE delivery_outbox SET status = 'dead', last_error = 'test over' WHERE status IN ('pending','sending')`);
  });

  afterAll(async () => {
    for (const s of opened) await s.close().catch(() => undefined);
    await admin?.end();
    server?.stop();
  });

  it('commits a summary and its notifications in one transaction, and neither when the transaction fails', async () => {
    const t = tenant();
    const woken: [string, number, string | undefined][] = [];
    const configs: Record<string, unknown> = { [t]: { sms: ['+15145550100'], email: ['office@example.com'] }, bad: { sms: ['514-555'] } };
    const s = await open('node-tx', { notifications: (id) => configs[id], afterCommit: (callId, n, err) => woken.push([callId, n, err]) });

    const ok = await newCall(s, t);
    await s.saveSummary(summaryFor(ok, t));
    expect((await s.getCall(ok))!.summary?.callId).toBe(ok);
    const rows = await s.outbox.list({ callId: ok });
    expect(rows.map((r) => [r.targetKind, r.status, r.attempts, r.idempotencyKey]).sort()).toEqual([
      ['email', 'pending', 0, `${ok}/email:office@example.com`],
      ['sms', 'pending', 0, `${ok}/sms:+15145550100`],
    ]);
    expect(woken).toEqual([[ok, 2, undefined]]);
    // Saving again (e.g. a retried request) queues nothing twice: the idempotency key is unique.
    await s.saveSummary(summaryFor(ok, t));
    expect(await s.outbox.list({ callId: ok })).toHaveLength(2);

    // The outbox insert fails inside the transaction (a trigger stands in for a disk or constraint error):
    // the summary's UPDATE, already executed in that transaction, is rolled back with it.
    const doomed = await newCall(s, t);
    await admin.query(`CREATE FUNCTION refuse_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'outbox write refused'; END $$`);
    await admin.query(`CREATE TRIGGER refuse_outbox BEFORE INSERT ON delivery_outbox FOR EACH ROW
      WHEN (NEW.call_id = '${doomed}') EXECUTE FUNCTION refuse_outbox()`);
    try {
      await expect(s.saveSummary(summaryFor(doomed, t))).rejects.toThrow(/outbox write refused/);
    } finally {
      await admin.query('DROP TRIGGER refuse_outbox ON delivery_outbox; DROP FUNCTION refuse_outbox()');
    }
    expect(await s.getCall(doomed)).toMatchObject({ status: 'active', summary: null, outcome: null, endedAt: null });
    expect(await s.outbox.list({ callId: doomed })).toEqual([]);
    expect(woken).toHaveLength(2);

    // A summary for an unknown call fails before anything is queued.
    await expect(s.saveSummary(summaryFor('no-such-call', t))).rejects.toThrow(/unknown call/);
    expect(await s.outbox.list({ callId: 'no-such-call' })).toEqual([]);

    // An invalid notification config is reported, never rolls the summary back.
    const badCall = await newCall(s, 'bad');
    await s.saveSummary(summaryFor(badCall, 'bad'));
    expect((await s.getCall(badCall))!.summary).not.toBeNull();
    expect(woken.at(-1)).toEqual([badCall, 0, expect.stringContaining('sms.0: must be a valid phone number')]);
  });

  it('the worker delivers from PostgreSQL: retry with backoff and the same idempotency key, then dead-letter; redeliver requeues', async () => {
    const t = tenant();
    const clock = new FakeClock();
    // /hooks fails once then accepts; /down refuses until the office's receiver is back up.
    let hooksSeen = 0;
    let downIsUp = false;
    const flaky = await startRecordingServer((req) => (req.url.startsWith('/hooks') ? { status: hooksSeen++ === 0 ? 503 : 200 } : { status: downIsUp ? 200 : 502 }));
    servers.push(flaky);
    const configs: Record<string, unknown> = { [t]: hook(`${flaky.url}/hooks`), [`${t}-dead`]: hook(`${flaky.url}/down`) };
    const s = await open('node-retry', { notifications: (id) => configs[id] });
    const good = await newCall(s, t);
    await s.saveSummary(summaryFor(good, t));
    const doomed = await newCall(s, `${t}-dead`);
    await s.saveSummary(summaryFor(doomed, `${t}-dead`));
    // Rows created now are due at the wall clock's now; the fake clock starts later than that.
    await admin.query('UPDATE delivery_outbox SET next_attempt_at = $1 WHERE call_id = ANY($2)', [clock.now(), [good, doomed]]);

    const settled: string[] = [];
    const worker = new DeliveryWorker({
      outbox: s.outbox, workerId: 'node-retry', tenantTargets: (id) => configs[id], logger: silent, clock: clock.now, random: () => 0,
      backoff: { baseMs: 1000, maxMs: 60_000, maxAttempts: 2 }, onSettled: (e) => settled.push(`${e.outcome}:${e.attempts}`),
    });
    expect(await worker.runOnce()).toMatchObject({ claimed: 2, retried: 2 });
    for (const id of [good, doomed]) {
      const [row] = await s.outbox.list({ callId: id });
      expect(row).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: clock.now() + 1000, claimedBy: 'node-retry' });
    }
    expect((await s.outbox.list({ callId: good }))[0]!.lastError).toContain('answered 503');
    expect(await s.outbox.nextDueAt()).toBe(clock.now() + 1000);
    expect(await worker.runOnce()).toMatchObject({ claimed: 0 }); // not due yet
    clock.advance(1000);
    expect(await worker.runOnce()).toMatchObject({ claimed: 2, sent: 1, dead: 1 });
    expect((await s.outbox.list({ callId: good }))[0]).toMatchObject({ status: 'sent', attempts: 2, lastError: null, sentAt: clock.now() });
    const dead = await s.outbox.list({ tenantId: `${t}-dead`, status: 'dead' });
    expect(dead).toHaveLength(1);
    expect(dead[0]!.lastError).toMatch(/^gave up after 2 attempts: POST http:\/\/127\.0\.0\.1:\d+\/down answered 502/);
    const toHooks = flaky.requests.filter((r) => r.url === '/hooks');
    expect(toHooks).toHaveLength(2);
    expect(toHooks[1]!.headers['idempotency-key']).toBe(`${good}/webhook:${(await s.outbox.list({ callId: good }))[0]!.targetRef}`);
    expect(toHooks[0]!.headers['idempotency-key']).toBe(toHooks[1]!.headers['idempotency-key']);
    expect(settled.sort()).toEqual(['dead:2', 'retried:1', 'retried:1', 'sent:2']);

    // The dead letter goes back to the queue once the receiver is fixed, and is sent.
    downIsUp = true;
    expect(await s.outbox.redeliver(dead[0]!.id, clock.now())).toBe(true);
    expect(await s.outbox.redeliver(dead[0]!.id, clock.now())).toBe(false);
    expect(await worker.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    expect(await s.outbox.list({ callId: doomed })).toEqual([expect.objectContaining({ status: 'sent', attempts: 1 })]);
  });

  it('two nodes\' workers on one database never send the same notification twice', async () => {
    const t = tenant();
    const slow = await startRecordingServer(() => new Promise((r) => setTimeout(() => r({ status: 204 }), 5)));
    servers.push(slow);
    const config = hook(`${slow.url}/race`);
    const a = await open('node-a', { notifications: () => config });
    const b = await open('node-b', { notifications: () => config });
    const calls: string[] = [];
    for (let i = 0; i < 40; i++) {
      const id = await newCall(i % 2 ? a : b, t);
      await (i % 2 ? a : b).saveSummary(summaryFor(id, t));
      calls.push(id);
    }
    const byWorker: Record<string, number> = { 'node-a': 0, 'node-b': 0 };
    const worker = (s: PgRecordsStore) => new DeliveryWorker({
      outbox: s.outbox, workerId: s.nodeId, tenantTargets: () => config, logger: silent, batchSize: 3,
      onSettled: (e) => { if (e.outcome === 'sent') byWorker[s.nodeId]! += 1; },
    });
    const [wa, wb] = [worker(a), worker(b)];
    const drain = async (w: DeliveryWorker): Promise<void> => {
      while ((await w.runOnce()).claimed > 0) { /* next batch */ }
    };
    await Promise.all([drain(wa), drain(wb)]);

    const keys = slow.requests.map((r) => String(r.headers['idempotency-key']));
    expect(keys).toHaveLength(40);
    expect(new Set(keys).size).toBe(40);
    expect(new Set(slow.requests.map((r) => JSON.parse(r.body).summary.callId))).toEqual(new Set(calls));
    const rows = await rowsOf(a, t);
    expect(rows).toHaveLength(40);
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
    expect(byWorker['node-a']! + byWorker['node-b']!).toBe(40);
    expect(byWorker['node-a']).toBeGreaterThan(0);
    expect(byWorker['node-b']).toBeGreaterThan(0);
    expect(rows.filter((r) => r.claimedBy === 'node-a')).toHaveLength(byWorker['node-a']!);

    // The claim itself, raced head-on: 8 concurrent claims from two pools over 30 due rows take each row once.
    const t2 = tenant();
    for (let i = 0; i < 30; i++) {
      const id = await newCall(a, t2);
      await a.saveSummary(summaryFor(id, t2));
    }
    const now = Date.now() + 1000;
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).outbox.claim(now, 5, i % 2 ? 'node-a' : 'node-b')));
    const ids = claims.flat().filter((r) => r.tenantId === t2).map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const sending = (await rowsOf(a, t2)).filter((r) => r.status === 'sending');
    expect(sending.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(sending.every((r) => r.attempts === 1)).toBe(true);
  });

  it('a restarted node resumes its pending and interrupted deliveries and leaves another node\'s claim alone', async () => {
    const t = tenant();
    const srv = await startRecordingServer(() => ({ status: 200 }));
    servers.push(srv);
    const config = hook(`${srv.url}/resume`);
    const a = await open('node-resume-a', { notifications: () => config });
    const b = await open('node-resume-b', { notifications: () => config });
    const interrupted = await newCall(a, t);
    const neverTried = await newCall(a, t);
    const otherNode = await newCall(b, t);
    for (const id of [interrupted, neverTried]) await a.saveSummary(summaryFor(id, t));
    await b.saveSummary(summaryFor(otherNode, t));
    await admin.query('UPDATE delivery_outbox SET next_attempt_at = 0 WHERE call_id = $1', [interrupted]);
    await admin.query('UPDATE delivery_outbox SET next_attempt_at = 1 WHERE call_id = $1', [otherNode]);

    // Node A claims one row and dies mid-send; node B is alive and sending its own.
    const [aClaim] = await a.outbox.claim(Date.now(), 1, 'node-resume-a');
    expect(aClaim?.callId).toBe(interrupted);
    const [bClaim] = await b.outbox.claim(Date.now(), 1, 'node-resume-b');
    expect(bClaim?.callId).toBe(otherNode);
    await a.close();

    const restarted = await open('node-resume-a', { notifications: () => config });
    const worker = new DeliveryWorker({ outbox: restarted.outbox, workerId: restarted.nodeId, tenantTargets: () => config, logger: silent, pollIntervalMs: 20 });
    workers.push(worker);
    worker.start();
    await expect.poll(async () => (await restarted.outbox.list({ callId: neverTried }))[0]?.status, { timeout: 10_000, interval: 25 }).toBe('sent');
    await expect.poll(async () => (await restarted.outbox.list({ callId: interrupted }))[0]?.status, { timeout: 10_000, interval: 25 }).toBe('sent');
    expect((await restarted.outbox.list({ callId: interrupted }))[0]).toMatchObject({ attempts: 2, claimedBy: 'node-resume-a' });
    // Node B's in-flight claim was not requeued (it would have been sent a second time).
    expect((await b.outbox.list({ callId: otherNode }))[0]).toMatchObject({ status: 'sending', attempts: 1, claimedBy: 'node-resume-b' });
    expect(srv.requests.map((r) => JSON.parse(r.body).summary.callId).sort()).toEqual([interrupted, neverTried].sort());
    // The dead node's stale claim can no longer settle the row; B's current claim can.
    expect(await restarted.outbox.markRetry(aClaim!, Date.now(), Date.now(), 'late')).toBe(false);
    expect(await b.outbox.markSent(bClaim!, Date.now())).toBe(true);
  });

  it('retention empties the transcript of the queued copies of purged calls, whatever their status', async () => {
    const t = tenant();
    const s = await open('node-retention', { notifications: () => ({ sms: ['+15145550100'], email: [] }) });
    const old = await newCall(s, t, '2026-11-01T10:00:00-04:00');
    const recent = await newCall(s, t, '2026-11-30T10:00:00-05:00');
    for (const [id, startedAt] of [[old, '2026-11-01T10:00:00-04:00'], [recent, '2026-11-30T10:00:00-05:00']] as const) {
      await s.appendTurn(id, { speaker: 'caller', text: 'my address is 12 Elm', at: startedAt });
      await s.saveSummary(summaryFor(id, t, { startedAt, endedAt: startedAt }));
    }
    await admin.query(`UPDATE delivery_outbox SET status = 'sent' WHERE call_id = $1`, [old]);
    const payload = async (id: string) => JSON.parse((await admin.query('SELECT payload_json FROM delivery_outbox WHERE call_id = $1', [id])).rows[0].payload_json);
    expect((await payload(old)).transcript).toHaveLength(1);

    const purged = await sweepTranscripts(s, {
      tenants: () => [{ tenantId: t, retentionDays: 7 }],
      purgeCopies: (tenantId, before) => s.outbox.redactTranscripts(tenantId, Date.parse(before)),
    }, new Date('2026-12-01T00:00:00Z'));
    expect(purged).toEqual({ [t]: 1 });
    expect(await payload(old)).toMatchObject({ transcript: [], problem: 'Water heater leaking.', callId: old });
    expect((await payload(recent)).transcript).toHaveLength(1);
    expect(await s.outbox.redactTranscripts(t, Date.parse('2026-11-24T00:00:00Z'))).toBe(0);
  });
});
