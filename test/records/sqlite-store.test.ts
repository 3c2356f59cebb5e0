// The SQLite records store on real files: the shared contract through the async facade, the upgrade from
// schema version 1 with its data, notifications enqueued with the summary and sent by the worker, and the
// WebRTC recorder persisting end reason and per-turn latency.
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type CallStore } from '../../src/records/store.js';
import { migrate, MIGRATIONS } from '../../src/records/migrations.js';
import { asyncStore } from '../../src/records/records-store.js';
import { sweepTranscripts } from '../../src/records/retention.js';
import { DeliveryWorker, listDeliveries, verifyWebhookSignature } from '../../src/delivery/index.js';
import { StoreCallRecorder } from '../../src/gateway/store-call-recorder.js';
import { BroadcastChannel } from 'node:worker_threads';
import { storeContract, summaryFor } from './support/contract.js';
import { NodeIdError, resolveNodeId } from '../../src/records/node-id.js';

const dir = mkdtempSync(join(tmpdir(), 'firstring-records-'));
const opened: CallStore[] = [];
afterAll(() => opened.forEach((s) => s.close()));

describe('SQLite records store', () => {
  const shared = openStore(join(dir, 'contract.db'));
  opened.push(shared);
  storeContract(() => asyncStore(shared));

  it('upgrades a version-1 file in place, keeping calls, turns and summaries', () => {
    const path = join(dir, 'v1.db');
    const db = new Database(path);
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS.filter((m) => m.version === 1));
    db.prepare(`INSERT INTO calls (id, tenant_id, channel, caller_number, language, started_at, ended_at, status, outcome, summary_json)
      VALUES ('old', 'demo', 'text', NULL, 'en', '2026-11-01T10:00:00-04:00', '2026-11-01T10:05:00-04:00', 'ended', 'request_created', ?)`)
      .run(JSON.stringify(summaryFor('old', 'demo', { urgency: 'emergency', trade: 'hvac' })));
    db.prepare(`INSERT INTO turns (call_id, speaker, text, at) VALUES ('old', 'caller', 'no heat', '2026-11-01T10:00:03-04:00')`).run();
    db.close();
    const s = openStore(path);
    opened.push(s);
    const rec = s.getCall('old')!;
    expect(rec.turns.map((t) => t.text)).toEqual(['no heat']);
    expect(rec.summary?.callId).toBe('old');
    expect(s.listCalls({ tenantId: 'demo', urgency: 'emergency', trade: 'hvac', from: '2026-11-01T13:59:59Z', to: '2026-11-01T14:00:01Z' }).map((c) => c.id)).toEqual(['old']);
    expect(s.usage({ from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' })).toEqual([{ tenantId: 'demo', calls: 1, seconds: 300, agentTurns: 0, callerTurns: 1 }]);
    expect(s.database.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual([1, 2, 3]);
  });

  it('enqueues notifications in the summary transaction and the worker delivers them', async () => {
    const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
      req.on('end', () => { received.push({ headers: req.headers, body }); res.writeHead(200).end('ok'); });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const notifications = { sms: [], email: [], webhook: { url: `http://127.0.0.1:${port}/hook`, secret: 'a-very-long-webhook-secret' } };
    let worker: DeliveryWorker | undefined;
    const woken: string[] = [];
    const s = openStore(join(dir, 'delivery.db'), {
      delivery: { notifications: () => notifications, afterCommit: (callId) => { woken.push(callId); worker?.wake(); } },
    });
    opened.push(s);
    worker = new DeliveryWorker({ db: s.database, tenantTargets: () => notifications, logger: pino({ level: 'silent' }), pollIntervalMs: 60_000 });
    worker.start();
    try {
      const id = randomUUID();
      s.createCall({ id, tenantId: 'demo', channel: 'text', callerNumber: null, language: 'en', startedAt: '2026-12-01T10:00:00-05:00' });
      expect(() => s.saveSummary(summaryFor('missing', 'demo'))).toThrow(/unknown call/);
      expect(listDeliveries(s.database, {})).toEqual([]);
      s.saveSummary(summaryFor(id, 'demo'), { endReason: 'caller_hangup' });
      expect(woken).toEqual([id]);
      expect(listDeliveries(s.database, { callId: id }).map((d) => d.targetKind)).toEqual(['webhook']);
      for (let i = 0; i < 100 && listDeliveries(s.database, { callId: id })[0]?.status !== 'sent'; i++) await new Promise((r) => setTimeout(r, 50));
      expect(listDeliveries(s.database, { callId: id })[0]?.status).toBe('sent');
      expect(received).toHaveLength(1);
      expect(JSON.parse(received[0]!.body)).toMatchObject({ type: 'call.summary', summary: { callId: id } });
      expect(verifyWebhookSignature('a-very-long-webhook-secret', received[0]!.headers as Record<string, string>, received[0]!.body)).toMatchObject({ ok: true });
    } finally {
      await worker.stop();
      await new Promise((r) => server.close(r));
    }
  });

  it('abandons open calls through the delivery path too, so the office hears of them', () => {
    const s = openStore(':memory:', { delivery: { notifications: () => ({ sms: ['+15145550100'], email: [] }) } });
    opened.push(s);
    s.createCall({ id: 'crashed', tenantId: 'demo', channel: 'sip', callerNumber: '+15145550123', language: 'en', startedAt: '2026-12-01T10:00:00-05:00' });
    expect(s.abandonOpenCalls('2026-12-01T16:00:00.000Z')).toEqual(['crashed']);
    expect(listDeliveries(s.database, { callId: 'crashed' }).map((d) => [d.targetKind, d.status])).toEqual([['sms', 'pending']]);
  });

  it('stores the node id on each call; a restart abandons only its own open calls (and legacy or stale ones)', () => {
    const path = join(dir, 'nodes.db');
    const a = openStore(path, { nodeId: 'node-a' });
    const b = openStore(path, { nodeId: 'node-b' });
    opened.push(a, b);
    const now = Date.parse('2026-12-01T16:00:00Z');
    const at = (minutesAgo: number): string => new Date(now - minutesAgo * 60_000).toISOString();
    a.createCall({ id: 'of-a', tenantId: 'demo', channel: 'sip', callerNumber: null, language: 'en', startedAt: at(5) });
    b.createCall({ id: 'of-b', tenantId: 'demo', channel: 'sip', callerNumber: null, language: 'en', startedAt: at(5) });
    b.createCall({ id: 'of-b-stale', tenantId: 'demo', channel: 'sip', callerNumber: null, language: 'en', startedAt: at(13 * 60) });
    a.createCall({ id: 'legacy', tenantId: 'demo', channel: 'sip', callerNumber: null, language: 'en', startedAt: at(5) });
    a.database.prepare(`UPDATE calls SET node_id = NULL WHERE id = 'legacy'`).run();
    expect(a.getCall('of-a')!.nodeId).toBe('node-a');
    expect(a.getCall('of-b')!.nodeId).toBe('node-b');
    expect(a.abandonOpenCalls(new Date(now).toISOString()).sort()).toEqual(['legacy', 'of-a', 'of-b-stale']);
    expect(b.getCall('of-b')!.status).toBe('active');
    expect(b.getCall('of-a')!.status).toBe('abandoned');
  });

  it('NODE_ID: taken as given when valid, refused clearly when not; the default is stable per host and data file', () => {
    expect(resolveNodeId({ NODE_ID: ' gw-1.montreal ' }, 'x.db')).toBe('gw-1.montreal');
    expect(() => resolveNodeId({ NODE_ID: 'bad id; drop' }, 'x.db')).toThrow(NodeIdError);
    expect(() => resolveNodeId({ NODE_ID: 'x'.repeat(101) }, 'x.db')).toThrow(/1 to 100 characters/);
    const d = resolveNodeId({}, join(dir, 'a.db'));
    expect(d).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*-[0-9a-f]{8}$/);
    expect(resolveNodeId({ NODE_ID: '' }, join(dir, 'a.db'))).toBe(d);
    expect(resolveNodeId({}, join(dir, 'b.db'))).not.toBe(d);
  });

  it('sweeps transcripts per tenant retention', async () => {
    const s = openStore(':memory:');
    opened.push(s);
    for (const [id, t] of [['a', 'short'], ['b', 'long'], ['c', 'forever']] as const) {
      s.createCall({ id, tenantId: t, channel: 'text', callerNumber: null, language: 'en', startedAt: '2026-11-01T10:00:00Z' });
      s.appendTurn(id, { speaker: 'caller', text: 'hello', at: '2026-11-01T10:00:01Z' });
      s.endCall(id, { reason: 'caller_hangup', endedAt: '2026-11-01T10:01:00Z' });
    }
    const purged = await sweepTranscripts(asyncStore(s), {
      tenants: () => [{ tenantId: 'short', retentionDays: 7 }, { tenantId: 'long', retentionDays: 60 }, { tenantId: 'forever', retentionDays: undefined }],
    }, new Date('2026-12-01T00:00:00Z'));
    expect(purged).toEqual({ short: 1, long: 0 });
    expect(s.getCall('a')!.turns).toEqual([]);
    expect(s.getCall('b')!.turns).toHaveLength(1);
    expect(s.getCall('c')!.turns).toHaveLength(1);
  });

  it('StoreCallRecorder persists turns, per-turn latency figures and the end reason as the call goes', async () => {
    const s = openStore(':memory:');
    opened.push(s);
    const r = new StoreCallRecorder(s);
    const t0 = Date.parse('2026-12-01T15:00:00Z');
    r.callStarted({ callId: 'w1', tenant: 'demo', startedAt: t0 });
    r.latency('w1', 'first_agent_packet_out', t0 + 400);
    r.turn('w1', { role: 'agent', startedAt: t0 + 400, endedAt: t0 + 2000, text: 'Hello' });
    r.latency('w1', 'speech_start', t0 + 3000);
    r.latency('w1', 'speech_end', t0 + 4000);
    r.latency('w1', 'end_of_turn', t0 + 4300);
    r.turn('w1', { role: 'caller', startedAt: t0 + 3000, endedAt: t0 + 4000, text: 'my heater' });
    r.latency('w1', 'first_agent_packet_out', t0 + 4900);
    // The caller barges in during the reply.
    r.latency('w1', 'speech_start', t0 + 5500);
    r.latency('w1', 'barge_in_detected', t0 + 5600);
    r.latency('w1', 'agent_audio_stopped', t0 + 5650);
    r.turn('w1', { role: 'agent', startedAt: t0 + 4900, endedAt: t0 + 5650, text: 'Where is', interrupted: true });
    await r.settled('w1');
    const mid = s.getCall('w1')!;
    expect(mid.status).toBe('active');
    expect(mid.turns.map((t) => t.latency)).toEqual([null, null, { endOfUtteranceDelayMs: 300, endToEndMs: 900, interruptionStopMs: 50 }]);
    r.callEnded('w1', { endedAt: t0 + 9000, reason: 'media_timeout', latency: { acceptedAt: t0, turns: [] } });
    await r.settled('w1');
    expect(s.getCall('w1')).toMatchObject({ status: 'ended', endReason: 'media_timeout', endedAt: '2026-12-01T15:00:09.000Z' });
    expect(r.ended('w1')?.reason).toBe('media_timeout');
  });

  it('StoreCallRecorder stores the speech pipeline\'s per-turn figures posted by the media workers', async () => {
    const s = openStore(':memory:');
    opened.push(s);
    const r = new StoreCallRecorder(s);
    const follow = r.followPipelineTrace('firstring-test-trace');
    const sender = new BroadcastChannel('firstring-test-trace');
    try {
      // The worker's dialog session writes the call and its turns through its own connection.
      s.createCall({ id: 'p1', tenantId: 'demo', channel: 'webrtc', callerNumber: null, language: 'en', startedAt: '2026-12-01T15:00:00Z' });
      s.appendTurn('p1', { speaker: 'agent', text: 'Hello, how can I help?', at: '2026-12-01T15:00:01Z' });
      s.appendTurn('p1', { speaker: 'caller', text: 'my sink leaks', at: '2026-12-01T15:00:03Z' });
      const reply = s.appendTurn('p1', { speaker: 'agent', text: 'Where is the leak?', at: '2026-12-01T15:00:04Z' });
      sender.postMessage([
        {
          type: 'turn', callId: 'p1',
          record: { turnId: 1, callerText: 'my sink leaks', agentText: 'Where is the leak?', endOfUtteranceDelayMs: 300, transcriptionDelayMs: 150, llmTtftMs: 420, ttsTtfbMs: 160, endToEndMs: 1010 },
        },
        { type: 'turn', callId: 'unknown-call', record: { agentText: 'x', endToEndMs: 1 } },
      ]);
      for (let i = 0; i < 50 && !s.getCall('p1')!.turns.find((t) => t.id === reply)?.latency; i++) await new Promise((res) => setTimeout(res, 20));
      const turns = s.getCall('p1')!.turns;
      expect(turns.find((t) => t.id === reply)?.latency).toEqual({ endOfUtteranceDelayMs: 300, transcriptionDelayMs: 150, llmTtftMs: 420, ttsTtfbMs: 160, endToEndMs: 1010 });
      expect(turns[0]?.latency).toBeNull();
    } finally {
      sender.close();
      follow.close();
    }
  });
});
