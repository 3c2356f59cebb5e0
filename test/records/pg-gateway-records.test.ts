// The gateway's records wiring (startRecordsAdmin, as src/main.ts wires it with DATABASE_URL) on a real
// PostgreSQL server: at start the node closes its own calls left open (not another node's) and their
// notifications are queued in PostgreSQL; a summary's webhook is sent by the node's worker from the
// PostgreSQL outbox; the dashboard shows the delivery statuses and requeues a dead letter.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import uWS from 'uWebSockets.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTenants } from '../../src/agent/tenant/loader.js';
import { createLogger } from '../../src/observability/logger.js';
import { openPgStore, type PgRecordsStore } from '../../src/records/pg-store.js';
import { listen, type HttpServer } from '../../src/transport/http-server.js';
import { startRecordsAdmin, type RecordsAdmin } from '../../src/wiring/records-admin.js';
import { startRecordingServer, type RecordingServer } from '../delivery/support/recording-server.js';
import { summaryFor } from './support/contract.js';
import { postgresBinDir, startPostgres, type TestPostgres } from './support/postgres.js';

const bin = postgresBinDir();

describe.skipIf(!bin)('gateway records wiring on PostgreSQL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'firstring-pg-wiring-'));
  let pgServer: TestPostgres;
  let otherNode: PgRecordsStore;
  let admin: RecordsAdmin;
  let receiver: RecordingServer;
  let server: HttpServer;
  let base: string;
  let receiverUp = true;
  const recent = new Date(Date.now() - 60_000).toISOString();

  beforeAll(async () => {
    pgServer = await startPostgres(bin!);
    receiver = await startRecordingServer(() => ({ status: receiverUp ? 200 : 400 }));
    // Before this node starts: a call it left open in its previous run, and a live call of another node.
    const previousRun = await openPgStore({ connection: pgServer.connection, nodeId: 'gw-1' });
    await previousRun.createCall({ id: 'left-open', tenantId: 'demo', channel: 'sip', callerNumber: '+15145550123', language: 'en', startedAt: recent });
    await previousRun.close();
    otherNode = await openPgStore({ connection: pgServer.connection, nodeId: 'gw-2' });
    await otherNode.createCall({ id: 'live-elsewhere', tenantId: 'demo', channel: 'sip', callerNumber: '+15145550124', language: 'en', startedAt: recent });

    const tenants = loadTenants('config/tenants').list().map((t) => (t.id === 'demo'
      ? { ...t, notifications: { ...t.notifications, sms: [], email: [], webhook: { url: `${receiver.url}/firstring`, secret: 'a-very-long-webhook-secret' } } }
      : t));
    const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
    const app = uWS.App();
    const records = await openPgStore({ connection: pgServer.connection, nodeId: 'gw-1' });
    admin = startRecordsAdmin(app, { dbPath: join(dir, 'node.db'), records, fileTenants: tenants, log, operatorKeys: [] });
    await admin.ready;
    server = await listen(app, '127.0.0.1', 0, log);
    base = `http://127.0.0.1:${server.port}`;
  }, 90_000);

  afterAll(async () => {
    server?.close();
    await admin?.stop();
    admin?.store.close();
    await otherNode?.close();
    await receiver?.close();
    pgServer?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('closes only its own open calls at start, and their notifications go out from the PostgreSQL outbox', async () => {
    expect(admin.nodeId).toBe('gw-1');
    expect(admin.outbox.kind).toBe('postgres');
    expect(await otherNode.getCall('left-open')).toMatchObject({ status: 'abandoned', nodeId: 'gw-1', summary: { outcome: 'abandoned' } });
    expect(await otherNode.getCall('live-elsewhere')).toMatchObject({ status: 'active', nodeId: 'gw-2' });
    await expect.poll(async () => (await admin.outbox.list({ callId: 'left-open' }))[0]?.status, { timeout: 10_000, interval: 25 }).toBe('sent');
    expect(await otherNode.outbox.list({ callId: 'live-elsewhere' })).toEqual([]);
    // The node's SQLite file holds no call and no outbox.
    expect(admin.store.database.prepare(`SELECT name FROM sqlite_master WHERE name = 'delivery_outbox'`).all()).toEqual([]);
  });

  it('a saved summary wakes the worker; the dashboard shows the delivery, and a dead letter requeued from it is sent', async () => {
    const id = 'wired-call';
    await admin.records.createCall({ id, tenantId: 'demo', channel: 'text', callerNumber: '+15145550125', language: 'en', startedAt: recent });
    receiverUp = false; // 400: a permanent failure, dead at once
    await admin.records.saveSummary(summaryFor(id, 'demo', { startedAt: recent, endedAt: new Date().toISOString() }));
    await expect.poll(async () => (await admin.outbox.list({ callId: id }))[0]?.status, { timeout: 10_000, interval: 25 }).toBe('dead');

    admin.admin.setStaffPassword('demo', 'office@example.com', 'correct horse battery');
    const login = await fetch(`${base}/dashboard/api/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: 'demo', email: 'office@example.com', password: 'correct horse battery' }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const page = async () => (await (await fetch(`${base}/dashboard/api/calls/${id}`, { headers: { cookie } })).json()) as { deliveries: { id: number; status: string; lastError: string | null; targetKind: string }[] };
    const before = await page();
    expect(before.deliveries).toEqual([expect.objectContaining({ targetKind: 'webhook', status: 'dead', lastError: expect.stringContaining('answered 400') })]);

    receiverUp = true;
    const requeue = await fetch(`${base}/dashboard/api/deliveries/${before.deliveries[0]!.id}/redeliver?call=${id}`, {
      method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{}',
    });
    expect(await requeue.json()).toEqual({ requeued: true });
    await expect.poll(async () => (await page()).deliveries[0]?.status, { timeout: 10_000, interval: 25 }).toBe('sent');
    const sent = receiver.requests.filter((r) => JSON.parse(r.body).summary.callId === id);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.headers['idempotency-key']).toBe(sent[0]!.headers['idempotency-key']);
  });
});
