// The records store on a real PostgreSQL server (Debian's postgresql package, a temp cluster per run).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openPgStore } from '../../src/records/pg-store.js';
import type { RecordsStore } from '../../src/records/records-store.js';
import { PG_MIGRATIONS, migratePg } from '../../src/records/pg-migrations.js';
import { PG_OUTBOX_MIGRATIONS } from '../../src/delivery/index.js';
import { postgresBinDir, startPostgres, type TestPostgres } from './support/postgres.js';
import { storeContract } from './support/contract.js';
import { DateTime } from 'luxon';
import { createDialogSession } from '../../src/agent/session.js';
import { loadTestTenant } from '../agent/support/scenarios.js';

const bin = postgresBinDir();
if (!bin) console.warn('PostgreSQL binaries not found under /usr/lib/postgresql (apt-get install postgresql): PostgreSQL store tests skipped');

describe.skipIf(!bin)('PostgreSQL records store', () => {
  let server: TestPostgres;
  let store: RecordsStore;

  beforeAll(async () => {
    server = await startPostgres(bin!);
    store = await openPgStore({ connection: server.connection, nodeId: 'node-contract' });
  }, 90_000);

  afterAll(async () => {
    await store?.close();
    server?.stop();
  });

  it('migrates once, under a lock, and a second node opening the same database finds it current', async () => {
    const second = await openPgStore({ connection: server.connection, nodeId: 'node-second' });
    await second.close();
    const c = new pg.Client(server.connection);
    await c.connect();
    const r = await c.query('SELECT version FROM schema_migrations ORDER BY version');
    const o = await c.query('SELECT version FROM delivery_schema_migrations ORDER BY version');
    await c.end();
    expect(r.rows.map((x) => x.version)).toEqual(PG_MIGRATIONS.map((m) => m.version));
    expect(r.rows.map((x) => x.version)).toEqual([1, 2, 3]);
    expect(o.rows.map((x) => x.version)).toEqual(PG_OUTBOX_MIGRATIONS.map((m) => m.version));
  });

  it('upgrades a version-2 database in place: calls keep their data, and an open call without a node id is closed by the next start', async () => {
    const admin = new pg.Client(server.connection);
    await admin.connect();
    try {
      await admin.query('CREATE DATABASE upgrade_v2');
      const old = new pg.Pool({ ...server.connection, database: 'upgrade_v2' });
      const c = await old.connect();
      try {
        expect(await migratePg(c, PG_MIGRATIONS.filter((m) => m.version <= 2))).toBe(2);
        await c.query(`INSERT INTO calls (id, tenant_id, channel, caller_number, language, started_at, started_ms, status)
          VALUES ('before-upgrade', 'demo', 'sip', '+15145550123', 'en', '2026-12-01T10:00:00Z', $1, 'active')`, [Date.parse('2026-12-01T10:00:00Z')]);
        await c.query(`INSERT INTO turns (call_id, speaker, text, at) VALUES ('before-upgrade', 'caller', 'no hot water', '2026-12-01T10:00:05Z')`);
      } finally {
        c.release();
        await old.end();
      }
      const upgraded = await openPgStore({ connection: { ...server.connection, database: 'upgrade_v2' }, nodeId: 'node-new' });
      try {
        expect((await upgraded.getCall('before-upgrade'))).toMatchObject({ status: 'active', nodeId: null, turns: [{ text: 'no hot water' }] });
        expect(await upgraded.abandonOpenCalls('2026-12-01T10:30:00Z')).toEqual(['before-upgrade']);
        expect(await upgraded.getCall('before-upgrade')).toMatchObject({ status: 'abandoned', summary: { problem: 'no hot water' } });
        expect(await upgraded.outbox.list()).toEqual([]);
      } finally {
        await upgraded.close();
      }
    } finally {
      await admin.end();
    }
  });

  it('a restarting node abandons only its own open calls, not those of another live node on the same database', async () => {
    const tenantId = `nodes-${Date.now()}`;
    const now = new Date();
    const at = (minutesAgo: number): string => new Date(now.getTime() - minutesAgo * 60_000).toISOString();
    const nodeA = await openPgStore({ connection: server.connection, nodeId: 'node-a' });
    const nodeB = await openPgStore({ connection: server.connection, nodeId: 'node-b' });
    const gone = await openPgStore({ connection: server.connection, nodeId: 'node-gone' });
    try {
      await nodeA.createCall({ id: `${tenantId}-a`, tenantId, channel: 'sip', callerNumber: '+15145550111', language: 'en', startedAt: at(3) });
      await nodeA.appendTurn(`${tenantId}-a`, { speaker: 'caller', text: 'my furnace stopped', at: at(2) });
      await nodeB.createCall({ id: `${tenantId}-b`, tenantId, channel: 'webrtc', callerNumber: '+15145550222', language: 'en', startedAt: at(1) });
      // A call whose node never came back (open for longer than any call lasts).
      await gone.createCall({ id: `${tenantId}-stale`, tenantId, channel: 'sip', callerNumber: null, language: 'en', startedAt: at(13 * 60) });
      await gone.close();
      expect((await nodeA.getCall(`${tenantId}-a`))!.nodeId).toBe('node-a');
      expect((await nodeB.getCall(`${tenantId}-b`))!.nodeId).toBe('node-b');

      // Node A restarts: a new process with the same node id.
      await nodeA.close();
      const restartedA = await openPgStore({ connection: server.connection, nodeId: 'node-a' });
      try {
        const abandoned = await restartedA.abandonOpenCalls(now.toISOString());
        expect(abandoned).toContain(`${tenantId}-a`);
        expect(abandoned).toContain(`${tenantId}-stale`);
        expect(abandoned).not.toContain(`${tenantId}-b`);
      } finally {
        await restartedA.close();
      }
      expect(await nodeB.getCall(`${tenantId}-a`)).toMatchObject({ status: 'abandoned', summary: { outcome: 'abandoned', problem: 'my furnace stopped' } });
      expect(await nodeB.getCall(`${tenantId}-stale`)).toMatchObject({ status: 'abandoned' });
      // Node B's call is live: still active, and B can keep writing it and end it normally.
      expect((await nodeB.getCall(`${tenantId}-b`))!.status).toBe('active');
      await nodeB.appendTurn(`${tenantId}-b`, { speaker: 'caller', text: 'still here', at: now.toISOString() });
      await nodeB.endCall(`${tenantId}-b`, { reason: 'caller_hangup', endedAt: now.toISOString() });
      expect(await nodeB.getCall(`${tenantId}-b`)).toMatchObject({ status: 'ended', endReason: 'caller_hangup' });
    } finally {
      await nodeB.close();
    }
  });

  storeContract(() => store);

  it('takes dialog sessions directly (the text API): turns in order, bookings seen by the next caller, summary stored before end resolves', async () => {
    const tenant = { ...loadTestTenant('demo'), id: `pg-${Date.now()}` };
    const at = DateTime.fromISO('2026-12-01T10:00', { zone: tenant.timeZone }).toJSDate();
    const script = ['My kitchen sink is leaking', 'just the sink', 'John Smith', 'yes', '4520 rue Saint-Denis, H2J 2L3', 'tomorrow morning', 'yes, that works'];
    const book = async () => {
      const s = createDialogSession({ tenant, channel: 'text', callerNumber: '+15145550123', language: 'en', store, clock: () => at });
      s.greeting();
      for (const line of script) for await (const _ of s.respond(line)) { /* consume */ }
      return { id: s.callId, summary: await s.end('caller_hangup') };
    };
    const first = await book();
    const second = await book();
    for (const { id, summary } of [first, second]) {
      expect(summary.outcome).toBe('booked');
      const rec = (await store.getCall(id))!;
      expect(rec.summary).toEqual(summary);
      expect(rec.turns.map((t) => t.text)).toEqual(summary.transcript.map((t) => t.text));
      expect(rec.turns.map((t) => t.speaker)).toEqual(['agent', ...script.flatMap(() => ['caller', 'agent'])]);
    }
    // The second caller was offered the next free slot, not the one the first booked.
    expect(second.summary.appointment).toBeDefined();
    expect(second.summary.appointment).not.toEqual(first.summary.appointment);
    expect(await store.appointments(tenant.id, '2026-12-01T00:00:00Z', '2026-12-31T00:00:00Z')).toHaveLength(2);
  });
});
