import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import uWS from 'uWebSockets.js';
import { loadTenants } from '../../../src/agent/tenant/loader.js';
import { demoCallHandler } from '../../../src/gateway/demo-handler-config.js';
import { pipelineCallHandler } from '../../../src/gateway/pipeline-handler-config.js';
import { StoreCallRecorder } from '../../../src/gateway/store-call-recorder.js';
import { startWebRtcGateway, type WebRtcGateway } from '../../../src/gateway/webrtc-gateway.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { CallTokens } from '../../../src/signaling/call-token.js';
import { parseTenantOrigins } from '../../../src/signaling/tenant-origins.js';
import { listen, type HttpServer } from '../../../src/transport/http-server.js';
import { startRecordsAdmin, type RecordsAdmin } from '../../../src/wiring/records-admin.js';

export const OPERATOR_KEY = 'op-bootstrap-key-0123456789abcdef';
/** The page origin TENANT_ORIGINS (the bootstrap default) allows for the demo tenant. */
export const DEMO_ORIGIN = 'https://montroyal.example';

export interface AdminGateway {
  base: string;
  server: HttpServer;
  gateway: WebRtcGateway;
  admin: RecordsAdmin;
  /** An operator API request with the bootstrap operator key. */
  operator(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<{ status: number; json: any }>;
  close(): Promise<void>;
}

/**
 * The gateway as src/main.ts wires it: records + admin + operator API + dashboard on one SQLite
 * file (startRecordsAdmin), the WebRTC gateway with the directory as its tenant source, and a
 * real media worker. The pipeline handler's own tenant directory is EMPTY: a call only knows its
 * tenant from what the main thread sent the worker.
 */
export async function startAdminGateway(handler: 'pipeline' | 'demo'): Promise<AdminGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'firstring-admin-gw-'));
  const dbPath = join(dir, 'firstring.db');
  const emptyTenantsDir = mkdtempSync(join(dir, 'no-tenants-'));
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const app = uWS.App();
  const admin = startRecordsAdmin(app, { dbPath, fileTenants: loadTenants('config/tenants').list(), log, operatorKeys: [OPERATOR_KEY] });
  await admin.ready;
  const metrics = createMetrics(false);
  const gateway = await startWebRtcGateway(app, {
    signaling: { tokens: new CallTokens({ secret: Buffer.from('admin-test-secret-0123456789abcdef'), ttlSeconds: 60 }), origins: parseTenantOrigins(`demo=${DEMO_ORIGIN}`) },
    media: { iceServers: [], announcedIp: undefined, icePortRange: undefined, workers: 1, rtpTimeoutMs: 5000, maxCallsPerWorker: 20, srtp: 'native', jitterEngine: 'native' },
    handler: handler === 'demo'
      ? demoCallHandler()
      : pipelineCallHandler({ tenantsDir: emptyTenantsDir, dbPath, env: {}, logLevel: process.env.TEST_LOG_LEVEL ?? 'silent', extra: { providerMode: 'offline' } }),
    recorder: new StoreCallRecorder(admin.writer.calls, { log }),
    metrics,
    log,
    tenants: admin.gatewayTenants,
    recordsPort: () => admin.writer.connectWorker(),
  });
  const server = await listen(app, '127.0.0.1', 0, log);
  const base = `http://127.0.0.1:${server.port}`;
  return {
    base,
    server,
    gateway,
    admin,
    async operator(method, path, body) {
      const r = await fetch(`${base}/api/v1/operator${path}`, {
        method,
        headers: { authorization: `Bearer ${OPERATOR_KEY}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : method === 'GET' ? {} : { body: '' }),
      });
      return { status: r.status, json: await r.json() };
    },
    async close() {
      await gateway.close();
      server.close();
      await admin.stop();
      admin.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `f` every 25 ms until it returns a truthy value. */
export async function until<T>(what: string, f: () => T | undefined | null | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
