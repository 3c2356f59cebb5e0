// A voice call (werift caller, the speech pipeline in a media worker) on a gateway wired as src/main.ts
// wires it with DATABASE_URL: the call's record, turns, latency figures, summary and notifications (the
// outbox, in the summary's transaction) land in a real PostgreSQL server, and the media worker never opens SQLite
// (the handler's `dbPath` points into a directory that must never be created).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import uWS from 'uWebSockets.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebRtcCaller } from '../../bench/clients/webrtc-caller.js';
import { startOpenAIStub, type OpenAIStub } from '../../bench/openai-stub/server.js';
import { loadTenants } from '../../src/agent/tenant/loader.js';
import { pipelineCallHandler } from '../../src/gateway/pipeline-handler-config.js';
import { StoreCallRecorder } from '../../src/gateway/store-call-recorder.js';
import { startWebRtcGateway, type WebRtcGateway } from '../../src/gateway/webrtc-gateway.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { openPgStore } from '../../src/records/pg-store.js';
import type { PgRecordsStore } from '../../src/records/pg-store.js';
import { CallTokens } from '../../src/signaling/call-token.js';
import { parseTenantOrigins } from '../../src/signaling/tenant-origins.js';
import { listen, type HttpServer } from '../../src/transport/http-server.js';
import { startRecordsAdmin, type RecordsAdmin } from '../../src/wiring/records-admin.js';
import { agentDoneSpeaking, callerSpeech, wall } from '../voice/support/caller-speech.js';
import { postgresBinDir, startPostgres, type TestPostgres } from './support/postgres.js';

const ORIGIN = 'https://acme-plumbing.example';
const REPLY = 'Sorry to hear that. What is your name?';
const HEARD = 'My kitchen sink is leaking.';
const bin = postgresBinDir();

async function until<T>(f: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!bin)('voice call recorded in PostgreSQL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'firstring-pg-voice-'));
  /** Where a worker opening the SQLite store would create its file (openStore makes the directory). */
  const workerDbDir = join(dir, 'worker-must-not-open');
  let pgServer: TestPostgres;
  let pgRecords: PgRecordsStore;
  let admin: RecordsAdmin;
  let stub: OpenAIStub;
  let gateway: WebRtcGateway;
  let server: HttpServer;
  let base: string;

  beforeAll(async () => {
    pgServer = await startPostgres(bin!);
    const c = pgServer.connection;
    pgRecords = await openPgStore({ connection: `postgresql://${c.user}@${c.host}:${c.port}/${c.database}`, nodeId: 'voice-node' });
    stub = await startOpenAIStub({
      chat: { script: () => ({ content: REPLY }) },
      audio: { transcription: { text: HEARD }, speech: { msPerChar: 10 } },
    });
    const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
    const app = uWS.App();
    admin = startRecordsAdmin(app, { dbPath: join(dir, 'node.db'), fileTenants: loadTenants('config/tenants').list(), log, operatorKeys: [], records: pgRecords });
    await admin.ready;
    const recorder = new StoreCallRecorder(admin.writer.calls, { log });
    const traceChannel = `firstring-pg-voice-${process.pid}`;
    const follow = recorder.followPipelineTrace(traceChannel);
    gateway = await startWebRtcGateway(app, {
      signaling: { tokens: new CallTokens({ secret: Buffer.from('0123456789abcdef0123456789abcdef'), ttlSeconds: 60 }), origins: parseTenantOrigins(`demo=${ORIGIN}`) },
      media: { iceServers: [], announcedIp: undefined, icePortRange: undefined, workers: 1, rtpTimeoutMs: 5000, maxCallsPerWorker: 10, srtp: 'native', jitterEngine: 'native' },
      handler: pipelineCallHandler({
        tenantsDir: 'config/tenants',
        dbPath: join(workerDbDir, 'calls.db'),
        env: { OPENAI_API_KEY: 'sk-test-not-a-real-key', OPENAI_BASE_URL: stub.baseURL },
        logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
        extra: { traceChannel },
      }),
      recorder,
      metrics: createMetrics(false),
      log,
      recordsPort: () => admin.writer.connectWorker(),
    });
    server = await listen(app, '127.0.0.1', 0, log);
    base = `http://127.0.0.1:${server.port}`;
    const close = gateway.close.bind(gateway);
    gateway.close = async () => {
      await close();
      follow.close();
    };
  }, 120_000);

  afterAll(async () => {
    await gateway?.close();
    server?.close();
    await admin?.stop();
    admin?.store.close();
    await stub?.close();
    pgServer?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores the call, its turns with latency figures and its summary in PostgreSQL; the worker opens no SQLite file', async () => {
    const caller = await WebRtcCaller.place({ gateway: base, tenant: 'demo', origin: ORIGIN });
    try {
      await agentDoneSpeaking(caller, 0);
      // Written as the call goes: the greeting is in PostgreSQL while the call is still up.
      const greeted = await until(async () => {
        const r = await pgRecords.getCall(caller.callId);
        return r && r.turns.length >= 1 ? r : undefined;
      }, 10_000, 'greeting turn in PostgreSQL');
      expect(greeted.status).toBe('active');

      const since = wall();
      caller.say(callerSpeech(HEARD));
      await caller.waitFor(() => caller.messages.some((m) => m.type === 'transcript' && m.role === 'agent' && m.text === REPLY), 20_000, 'the reply');
      await agentDoneSpeaking(caller, since, 20_000);
      const replied = await until(async () => {
        const r = await pgRecords.getCall(caller.callId);
        return r?.turns.find((t) => t.speaker === 'agent' && t.text === REPLY && t.latency !== null) ? r : undefined;
      }, 10_000, 'reply turn with its latency figures in PostgreSQL');
      expect(replied.turns.map((t) => t.speaker)).toEqual(['agent', 'caller', 'agent']);
      expect(replied.turns[1]?.text).toBe(HEARD);
      expect(replied.turns[2]?.latency?.llmTtftMs).toBeGreaterThanOrEqual(0);

      caller.hangup();
      const ended = await until(async () => {
        const r = await pgRecords.getCall(caller.callId);
        return r?.summary ? r : undefined;
      }, 15_000, 'summary in PostgreSQL');
      expect(ended).toMatchObject({ status: 'ended', channel: 'webrtc', tenantId: 'demo', endReason: 'caller_hangup' });
      expect(ended.summary?.transcript.map((t) => t.text)).toEqual([replied.turns[0]?.text, HEARD, REPLY]);
      // Nothing of the call in the node's SQLite file; its notifications were queued in PostgreSQL with the summary.
      expect(admin.store.getCall(caller.callId)).toBeNull();
      expect(ended.nodeId).toBe('voice-node');
      expect((await pgRecords.outbox.list({ callId: caller.callId })).map((d) => d.targetKind).sort()).toEqual(['email', 'sms']);
      expect(existsSync(workerDbDir)).toBe(false);
    } finally {
      await caller.close();
    }
  }, 90_000);
});
