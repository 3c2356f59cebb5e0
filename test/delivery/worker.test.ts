// The worker against real local HTTP servers and real SQLite files: retries with the same
// idempotency key, backoff then dead-letter, resumption after a restart, bad configs.
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import { enqueueDeliveries, listDeliveries, sqliteOutbox } from '../../src/delivery/outbox.js';
import { planTargets, parseNotificationTargets } from '../../src/delivery/targets.js';
import { verifyWebhookSignature } from '../../src/delivery/webhook-signature.js';
import { FakeClock, capturedLogger, tempDb, type TempDb } from './support/db.js';
import { closedPort, startRecordingServer, type RecordingServer } from './support/recording-server.js';
import { englishBooking, frenchEmergency } from './support/summaries.js';

const SECRET = 'whsec-0123456789abcdef';
const silent = pino({ level: 'silent' });
let t: TempDb;
let servers: RecordingServer[] = [];
let workers: DeliveryWorker[] = [];

afterEach(async () => {
  for (const w of workers) await w.stop();
  for (const s of servers) await s.close();
  workers = [];
  servers = [];
  t.cleanup();
});

function hookConfig(url: string) {
  return { webhook: { url, secret: SECRET } };
}

describe('delivery worker', () => {
  it('retries after a 500 with the same idempotency key, and the receiver processes it once', async () => {
    t = tempDb();
    const db = t.open();
    const clock = new FakeClock();
    const processed = new Set<string>();
    let processedCount = 0;
    const srv = await startRecordingServer((req, i) => {
      const key = String(req.headers['idempotency-key']);
      if (i === 0) return { status: 500, body: { error: 'db down' } }; // lost before processing
      if (!processed.has(key)) { processed.add(key); processedCount += 1; }
      return { status: 200, body: { ok: true } };
    });
    servers.push(srv);
    const config = hookConfig(`${srv.url}/hooks/calls`);
    enqueueDeliveries(db, frenchEmergency(), planTargets(parseNotificationTargets(config)), clock.now());
    const settled: string[] = [];
    const worker = new DeliveryWorker({
      db, tenantTargets: () => config, logger: silent, clock: clock.now, random: () => 0, backoff: { baseMs: 1000, maxMs: 60_000, maxAttempts: 5 },
      onSettled: (e) => settled.push(`${e.kind}:${e.outcome}:${e.attempts}`),
    });

    expect(await worker.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
    let row = listDeliveries(db)[0]!;
    expect(row).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: clock.now() + 1000 });
    expect(row.lastError).toContain('answered 500');

    expect(await worker.runOnce()).toMatchObject({ claimed: 0 }); // not due yet
    clock.advance(1000);
    expect(await worker.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    row = listDeliveries(db)[0]!;
    expect(row).toMatchObject({ status: 'sent', attempts: 2, lastError: null });

    clock.advance(60_000);
    expect(await worker.runOnce()).toMatchObject({ claimed: 0 });
    expect(srv.requests).toHaveLength(2);
    const keys = srv.requests.map((r) => r.headers['idempotency-key']);
    expect(keys[0]).toBe('call-fr-1/webhook:' + row.targetRef);
    expect(keys[1]).toBe(keys[0]);
    expect(processedCount).toBe(1);
    expect(settled).toEqual(['webhook:retried:1', 'webhook:sent:2']);
    for (const r of srv.requests) {
      expect(verifyWebhookSignature(SECRET, r.headers, r.body, 300, Math.floor(clock.now() / 1000)).ok).toBe(true);
    }
  });

  it('backs off exponentially against an unreachable target, then dead-letters after the last attempt', async () => {
    t = tempDb();
    const db = t.open();
    const clock = new FakeClock();
    const config = hookConfig(`http://127.0.0.1:${await closedPort()}/hook`);
    enqueueDeliveries(db, englishBooking(), planTargets(parseNotificationTargets(config)), clock.now());
    const worker = new DeliveryWorker({ db, tenantTargets: () => config, logger: silent, clock: clock.now, random: () => 0.5, backoff: { baseMs: 1000, maxMs: 3000, maxAttempts: 4, jitter: 0.5 } });

    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      expect(await worker.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
      const row = listDeliveries(db)[0]!;
      expect(row.status).toBe('pending');
      expect(row.attempts).toBe(attempt);
      expect(row.lastError).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/hook failed/);
      delays.push(row.nextAttemptAt - clock.now());
      clock.ms = row.nextAttemptAt;
    }
    // base·2^(n−1) capped at 3000, with half of it jittered (random 0.5 → ×0.75)
    expect(delays).toEqual([750, 1500, 2250]);
    expect(await worker.runOnce()).toMatchObject({ claimed: 1, dead: 1 });
    const dead = listDeliveries(db, { status: 'dead' });
    expect(dead).toHaveLength(1);
    expect(dead[0]!.attempts).toBe(4);
    expect(dead[0]!.lastError).toMatch(/^gave up after 4 attempts: POST/);
    clock.advance(3_600_000);
    expect(await worker.runOnce()).toMatchObject({ claimed: 0 });
  });

  it('a new worker on the same database file resumes pending rows and rows a crash left in sending', async () => {
    t = tempDb();
    const srv = await startRecordingServer(() => ({ status: 204 }));
    servers.push(srv);
    const config = hookConfig(`${srv.url}/hook`);
    const targets = planTargets(parseNotificationTargets(config));

    const first = t.open();
    enqueueDeliveries(first, frenchEmergency('crashed-mid-send'), targets);
    enqueueDeliveries(first, englishBooking('never-tried'), targets);
    // The first process claimed one row and died before settling it.
    first.prepare("UPDATE delivery_outbox SET status = 'sending', attempts = 1, claimed_at = ? WHERE call_id = 'crashed-mid-send'").run(Date.now());
    first.close();

    const second = t.open();
    expect(listDeliveries(second).map((r) => r.status).sort()).toEqual(['pending', 'sending']);
    const worker = new DeliveryWorker({ db: second, tenantTargets: () => config, logger: silent, pollIntervalMs: 20, backoff: { baseMs: 10, maxMs: 50 } });
    workers.push(worker);
    worker.start();
    await expect.poll(() => listDeliveries(second).map((r) => r.status), { timeout: 10_000, interval: 20 }).toEqual(['sent', 'sent']);
    expect(srv.requests.map((r) => JSON.parse(r.body).summary.callId).sort()).toEqual(['crashed-mid-send', 'never-tried']);
    expect(listDeliveries(second, { callId: 'crashed-mid-send' })[0]!.attempts).toBe(2);
  });

  it('a restarted worker requeues only its own interrupted rows; another worker\'s fresh claim stays, and a stale claim cannot settle', async () => {
    t = tempDb();
    const db = t.open();
    const srv = await startRecordingServer(() => ({ status: 204 }));
    servers.push(srv);
    const config = hookConfig(`${srv.url}/hook`);
    const targets = planTargets(parseNotificationTargets(config));
    enqueueDeliveries(db, englishBooking('mine'), targets, 1);
    enqueueDeliveries(db, englishBooking('theirs'), targets, 2);
    const outbox = sqliteOutbox(db);
    const [mine] = await outbox.claim(Date.now(), 1, 'node-a');
    const [theirs] = await outbox.claim(Date.now(), 1, 'node-b');
    expect([mine?.callId, theirs?.callId]).toEqual(['mine', 'theirs']);

    const worker = new DeliveryWorker({ outbox, workerId: 'node-a', tenantTargets: () => config, logger: silent, pollIntervalMs: 20 });
    workers.push(worker);
    worker.start();
    await expect.poll(() => listDeliveries(db, { callId: 'mine' })[0]?.status, { timeout: 10_000, interval: 20 }).toBe('sent');
    expect(listDeliveries(db, { callId: 'mine' })[0]).toMatchObject({ attempts: 2, claimedBy: 'node-a' });
    expect(listDeliveries(db, { callId: 'theirs' })[0]).toMatchObject({ status: 'sending', attempts: 1, claimedBy: 'node-b' });
    expect(await outbox.markSent(mine!, Date.now())).toBe(false);
    expect(await outbox.markSent(theirs!, Date.now())).toBe(true);
    expect(srv.requests.map((r) => JSON.parse(r.body).summary.callId)).toEqual(['mine']);
  });

  it('never crashes on bad target config: each row gets a clear error and the others still go out', async () => {
    t = tempDb();
    const db = t.open();
    const clock = new FakeClock();
    const srv = await startRecordingServer(() => ({ status: 200 }));
    servers.push(srv);
    const good = hookConfig(`${srv.url}/hook`);
    const tenants: Record<string, unknown> = {
      good,
      broken: { webhook: { url: 'not a url', secret: 'short-secret-value' }, sms: ['514-555'] },
      nosmtp: { email: ['office@example.com'] },
      gone: undefined,
    };
    const goodTargets = planTargets(parseNotificationTargets(good));
    enqueueDeliveries(db, { ...englishBooking('g'), tenantId: 'good' }, goodTargets, clock.now());
    enqueueDeliveries(db, { ...englishBooking('b'), tenantId: 'broken' }, goodTargets, clock.now());
    enqueueDeliveries(db, { ...englishBooking('n'), tenantId: 'nosmtp' }, planTargets(parseNotificationTargets(tenants.nosmtp)), clock.now());
    enqueueDeliveries(db, { ...englishBooking('x'), tenantId: 'gone' }, goodTargets, clock.now());
    db.prepare("UPDATE delivery_outbox SET payload_json = '{not json' WHERE call_id = 'x'").run();
    enqueueDeliveries(db, { ...englishBooking('k'), tenantId: 'good' }, [{ kind: 'webhook', ref: 'unknown-ref', label: 'removed hook' }], clock.now());

    const { logger, text } = capturedLogger();
    const worker = new DeliveryWorker({ db, tenantTargets: (id) => tenants[id], logger, clock: clock.now });
    expect(await worker.runOnce()).toMatchObject({ claimed: 5, sent: 1, dead: 4 });
    const byCall = Object.fromEntries(listDeliveries(db).map((r) => [r.callId, r]));
    expect(byCall.g!.status).toBe('sent');
    expect(byCall.b!.lastError).toMatch(/^invalid notification config: /);
    expect(byCall.b!.lastError).toContain('webhook.url: must be an http(s) URL');
    expect(byCall.b!.lastError).toContain('sms.0: must be a valid phone number');
    expect(byCall.b!.lastError).not.toContain('short-secret-value');
    expect(byCall.n!.lastError).toContain('no SMTP transport configured');
    expect(byCall.x!.lastError).toContain('outbox payload is not valid JSON');
    expect(byCall.k!.lastError).toContain('webhook target unknown-ref is no longer configured');
    expect(text()).not.toContain(SECRET);
    expect(text()).not.toContain('short-secret-value');
    expect(text()).toContain('delivery dead');
  });

  it('gives up on an attempt that hangs past its deadline and schedules a retry', async () => {
    t = tempDb();
    const db = t.open();
    const clock = new FakeClock();
    const srv = await startRecordingServer(() => new Promise(() => undefined)); // never answers
    servers.push(srv);
    const config = hookConfig(`${srv.url}/slow`);
    enqueueDeliveries(db, englishBooking(), planTargets(parseNotificationTargets(config)), clock.now());
    const worker = new DeliveryWorker({ db, tenantTargets: () => config, logger: silent, clock: clock.now, sendTimeoutMs: 200, leaseMs: 1000 });
    expect(await worker.runOnce()).toMatchObject({ retried: 1 });
    expect(listDeliveries(db)[0]).toMatchObject({ status: 'pending', attempts: 1 });
    expect(listDeliveries(db)[0]!.lastError).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/slow failed: timed out/);
    expect(() => new DeliveryWorker({ db, tenantTargets: () => config, logger: silent, sendTimeoutMs: 1000, leaseMs: 1000 })).toThrow(/leaseMs must exceed/);
  });
});
