// Composition root: builds every layer from configuration and wires them together.
import uWS from 'uWebSockets.js';
import { loadEnv } from './config/env.js';
import { createLogger } from './observability/logger.js';
import { listen } from './transport/http-server.js';
import { createMetrics } from './observability/metrics.js';
import { demoCallHandler } from './gateway/demo-handler-config.js';
import { pipelineCallHandler } from './gateway/pipeline-handler-config.js';
import { feedPipelineMetrics } from './gateway/pipeline-trace-metrics.js';
import { StoreCallRecorder } from './gateway/store-call-recorder.js';
import { startWebRtcGateway } from './gateway/webrtc-gateway.js';
import { startMallocTrimmer } from './gateway/malloc-trimmer.js';
import { loadWebRtcSettings } from './media/webrtc-settings.js';
import { loadSignalingSettings } from './signaling/signaling-settings.js';
import { loadTenants } from './agent/tenant/loader.js';
import { registerConversationApi } from './api/conversation-api.js';
import { startRecordsAdmin } from './wiring/records-admin.js';
import { openPgStore } from './records/pg-store.js';
import { resolveNodeId } from './records/node-id.js';

async function main(): Promise<void> {
  const env = loadEnv();
  const log = createLogger(env.LOG_LEVEL);

  const app = uWS.App();
  const dbPath = process.env.FIRSTRING_DB ?? 'data/firstring.db';
  const tenantsDir = process.env.FIRSTRING_TENANTS ?? 'config/tenants';
  // Records (calls abandoned by a crash closed), delivery outbox + worker, retention sweeper, operator API, /dashboard.
  // DATABASE_URL (PostgreSQL) holds the calls and their delivery outbox instead of the SQLite file, which keeps the admin tables.
  // NODE_ID (default: host name + a hash of dbPath) marks this node's calls and outbox claims on a shared database.
  const nodeId = resolveNodeId(process.env, dbPath);
  const pgRecords = process.env.DATABASE_URL ? await openPgStore({ connection: process.env.DATABASE_URL, nodeId, log }) : undefined;
  const recordsAdmin = startRecordsAdmin(app, {
    dbPath,
    nodeId,
    ...(pgRecords ? { records: pgRecords } : {}),
    fileTenants: loadTenants(tenantsDir).list(),
    log,
    operatorKeys: (process.env.FIRSTRING_OPERATOR_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean),
    ...(process.env.FIRSTRING_DELIVERY_OPERATOR ? { deliveryOperatorFile: process.env.FIRSTRING_DELIVERY_OPERATOR } : {}),
  });
  await recordsAdmin.ready;
  const { store, records, writer, directory: tenants } = recordsAdmin;
  const conversations = registerConversationApi(app, { tenants, store: records, log, authorizeCallRead: recordsAdmin.authorizeTenantRead });
  // The C allocator's totals and its trim come from the native addon, when it loads.
  const allocator = await import('./media/native-malloc-stats.js').catch(() => undefined);
  const metrics = createMetrics(true, allocator ? { mallocStats: allocator.nativeMallocStats } : {});
  const trim = allocator?.nativeMallocTrim();
  const trimmer = trim && env.MALLOC_TRIM_INTERVAL_MS > 0 ? startMallocTrimmer({ trim, intervalMs: env.MALLOC_TRIM_INTERVAL_MS, duration: metrics.mallocTrimSeconds, log }) : undefined;
  // The media workers' pipeline handlers post turn records here; they feed the pipeline histograms.
  const PIPELINE_TRACE = 'firstring-pipeline-trace';
  const pipelineMetrics = feedPipelineMetrics(PIPELINE_TRACE, metrics.registry);
  const recorder = new StoreCallRecorder(writer.calls, { log });
  const pipelineLatency = recorder.followPipelineTrace(PIPELINE_TRACE);
  // WebRTC click-to-call: /, /widget.js, /healthz, /readyz, /metrics, /api/v1/tokens, /ws/webrtc and the media workers.
  const webrtc = await startWebRtcGateway(app, {
    signaling: loadSignalingSettings(),
    media: loadWebRtcSettings(),
    // The speech pipeline answers calls; FIRSTRING_CALL_HANDLER=demo plays the canned demo voice instead.
    handler: process.env.FIRSTRING_CALL_HANDLER === 'demo' ? demoCallHandler() : pipelineCallHandler({ tenantsDir, dbPath, logLevel: env.LOG_LEVEL, extra: { traceChannel: PIPELINE_TRACE } }),
    recorder,
    metrics,
    log,
    // Tenant configs with their stored edits reach the media workers; assigned origins, status and limits gate calls.
    tenants: recordsAdmin.gatewayTenants,
    // The media workers' dialog sessions write their call records through the records writer.
    recordsPort: () => writer.connectWorker(),
  });
  const server = await listen(app, env.HOST, env.PORT, log);
  log.info({ port: server.port }, 'firstring gateway started');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    server.close();
    trimmer?.stop();
    Promise.all([webrtc.close(), conversations.closeAll()]).finally(async () => {
      await recordsAdmin.stop().catch((err: unknown) => log.error({ err }, 'records shutdown failed'));
      store.close();
      pipelineMetrics.close();
      pipelineLatency.close();
      setTimeout(() => process.exit(0), 50).unref();
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
