// Webhooks: the signed JSON summary as received by a local server, and the verification helper.
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import { enqueueDeliveries } from '../../src/delivery/outbox.js';
import { planTargets, parseNotificationTargets } from '../../src/delivery/targets.js';
import { signWebhook, verifyWebhookSignature } from '../../src/delivery/webhook-signature.js';
import { tempDb, type TempDb } from './support/db.js';
import { startRecordingServer, type RecordingServer } from './support/recording-server.js';
import { frenchEmergency } from './support/summaries.js';

const SECRET = 'whsec-tenant-demo-0123456789';
const silent = pino({ level: 'silent' });
let t: TempDb | undefined;
let srv: RecordingServer | undefined;
afterEach(async () => {
  await srv?.close();
  t?.cleanup();
  srv = undefined;
  t = undefined;
});

describe('webhook delivery', () => {
  it('POSTs the full summary as JSON with a timestamp and a v1 HMAC-SHA256 signature the helper verifies', async () => {
    t = tempDb();
    srv = await startRecordingServer(() => ({ status: 200 }));
    const db = t.open();
    const tenant = { webhook: [{ url: `${srv.url}/firstring/calls?token=xyz`, secret: SECRET }] };
    const summary = frenchEmergency();
    enqueueDeliveries(db, summary, planTargets(parseNotificationTargets(tenant)));
    const worker = new DeliveryWorker({ db, tenantTargets: () => tenant, logger: silent });
    expect(await worker.runOnce()).toMatchObject({ sent: 1 });

    const r = srv.requests[0]!;
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/firstring/calls?token=xyz');
    expect(r.headers['content-type']).toBe('application/json');
    const ts = Number(r.headers['x-firstring-timestamp']);
    expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(600);
    expect(r.headers['x-firstring-signature']).toBe(signWebhook(SECRET, ts, r.body));
    expect(r.headers['x-firstring-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(SECRET, r.headers, r.body, 300)).toEqual({ ok: true, timestamp: ts });

    const body = JSON.parse(r.body);
    expect(body.type).toBe('call.summary');
    expect(body.deliveryId).toBe(r.headers['idempotency-key']);
    expect(body.summary).toEqual(summary); // every field, the transcript included
  });

  it('rejects a tampered body, a wrong secret, an old or future timestamp, and missing headers', () => {
    const body = '{"type":"call.summary","summary":{"callId":"c1"}}';
    const now = 1_790_000_000;
    const headers = { 'X-Firstring-Timestamp': String(now), 'X-Firstring-Signature': signWebhook(SECRET, now, body) };
    expect(verifyWebhookSignature(SECRET, headers, body, 300, now + 10).ok).toBe(true);
    expect(verifyWebhookSignature(SECRET, new Headers(headers), Buffer.from(body), 300, now).ok).toBe(true);
    expect(verifyWebhookSignature(SECRET, headers, body.replace('c1', 'c2'), 300, now)).toEqual({ ok: false, reason: 'signature mismatch' });
    expect(verifyWebhookSignature('another-secret-000000', headers, body, 300, now)).toEqual({ ok: false, reason: 'signature mismatch' });
    expect(verifyWebhookSignature(SECRET, headers, body, 300, now + 301)).toEqual({ ok: false, reason: 'timestamp outside tolerance' });
    expect(verifyWebhookSignature(SECRET, headers, body, 300, now - 301)).toEqual({ ok: false, reason: 'timestamp outside tolerance' });
    // a replayed request with a fresh timestamp but the old signature fails
    expect(verifyWebhookSignature(SECRET, { ...headers, 'X-Firstring-Timestamp': String(now + 400) }, body, 300, now + 400).ok).toBe(false);
    expect(verifyWebhookSignature(SECRET, { 'X-Firstring-Signature': headers['X-Firstring-Signature'] }, body, 300, now).ok).toBe(false);
    expect(verifyWebhookSignature(SECRET, { 'X-Firstring-Timestamp': String(now) }, body, 300, now).ok).toBe(false);
    expect(verifyWebhookSignature(SECRET, { ...headers, 'X-Firstring-Signature': 'v1=zz' }, body, 300, now).ok).toBe(false);
    // several signatures (secret rotation): any one valid is enough
    const rotated = { ...headers, 'X-Firstring-Signature': `${signWebhook('old-secret-0000000000', now, body)}, ${headers['X-Firstring-Signature']}` };
    expect(verifyWebhookSignature(SECRET, rotated, body, 300, now).ok).toBe(true);
  });
});
