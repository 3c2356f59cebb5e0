import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import uWS from 'uWebSockets.js';
import { pipelineCallHandler } from '../../../src/gateway/pipeline-handler-config.js';
import { feedPipelineMetrics } from '../../../src/gateway/pipeline-trace-metrics.js';
import { StoreCallRecorder } from '../../../src/gateway/store-call-recorder.js';
import { startWebRtcGateway, type WebRtcGateway } from '../../../src/gateway/webrtc-gateway.js';
import { onPipelineTraces, type PipelineTrace } from '../../../src/media/pipeline-trace.js';
import type { PipelineHandlerOptions } from '../../../src/media/pipeline-handler-options.js';
import type { WebRtcSettings } from '../../../src/media/webrtc-settings.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetrics, type GatewayMetrics } from '../../../src/observability/metrics.js';
import { openStore, type CallStore } from '../../../src/records/store.js';
import { asyncStore } from '../../../src/records/records-store.js';
import { callRecords } from '../../../src/records/call-records.js';
import { loadTenants } from '../../../src/agent/tenant/loader.js';
import { startRecordsWriter } from '../../../src/wiring/records-writer.js';
import { CallTokens } from '../../../src/signaling/call-token.js';
import { parseTenantOrigins } from '../../../src/signaling/tenant-origins.js';
import { listen, type HttpServer } from '../../../src/transport/http-server.js';

export const ORIGIN = 'https://acme-plumbing.example';

export interface VoiceGateway {
  base: string;
  server: HttpServer;
  gateway: WebRtcGateway;
  /** The store the workers' call records reach through the records writer (summaries queue their notifications). */
  store: CallStore;
  recorder: StoreCallRecorder;
  metrics: GatewayMetrics;
  /** Pipeline turn records and metrics posted by the workers, in arrival order. */
  traces: PipelineTrace[];
  /** Resolves once `pred` holds over the traces (checked on every trace). */
  waitTrace<T>(pred: (traces: PipelineTrace[]) => T | undefined | false, timeoutMs: number, what: string): Promise<T>;
  close(): Promise<void>;
}

let seq = 0;

/**
 * The real gateway with the speech-pipeline handler: uWS routes + signaling, the
 * media worker pool, the tenants of config/tenants and a SQLite file store.
 * `env` holds the provider settings (none: offline pocketsphinx + espeak-ng + rules).
 */
export async function startVoiceGateway(o: {
  env?: Record<string, string>;
  extra?: Partial<PipelineHandlerOptions>;
  media?: Partial<WebRtcSettings>;
} = {}): Promise<VoiceGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'firstring-voice-'));
  const dbPath = join(dir, 'calls.db');
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const metrics = createMetrics(false);
  const tenants = loadTenants('config/tenants');
  const store = openStore(dbPath, { delivery: { notifications: (id) => tenants.get(id)?.notifications } });
  const writer = startRecordsWriter(callRecords(asyncStore(store)), log);
  const recorder = new StoreCallRecorder(writer.calls, { log });
  const channelName = `firstring-voice-trace-${process.pid}-${++seq}`;
  const traces: PipelineTrace[] = [];
  let waiters: Array<() => void> = [];
  const pipelineMetrics = feedPipelineMetrics(channelName, metrics.registry);
  const channel = new BroadcastChannel(channelName);
  onPipelineTraces(channel, (t) => {
    traces.push(t);
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  });
  const handler = pipelineCallHandler({
    tenantsDir: 'config/tenants',
    dbPath,
    env: o.env ?? {},
    logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
    extra: { traceChannel: channelName, ...o.extra },
  });
  const app = uWS.App();
  const gateway = await startWebRtcGateway(app, {
    signaling: { tokens: new CallTokens({ secret: Buffer.from('0123456789abcdef0123456789abcdef'), ttlSeconds: 60 }), origins: parseTenantOrigins(`demo=self,${ORIGIN};lakeside=${ORIGIN}`) },
    media: { iceServers: [], announcedIp: undefined, icePortRange: undefined, workers: 1, rtpTimeoutMs: 5000, maxCallsPerWorker: 50, srtp: 'native', jitterEngine: 'native', ...o.media },
    handler,
    recorder,
    metrics,
    log,
    recordsPort: () => writer.connectWorker(),
  });
  const server = await listen(app, '127.0.0.1', 0, log);
  return {
    base: `http://127.0.0.1:${server.port}`,
    server,
    gateway,
    store,
    recorder,
    metrics,
    traces,
    async waitTrace(pred, timeoutMs, what) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = pred(traces);
        if (v) return v;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting for ${what}`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, Math.min(left, 100));
          waiters.push(() => {
            clearTimeout(t);
            r();
          });
        });
      }
    },
    close: async () => {
      await gateway.close();
      await writer.close();
      server.close();
      channel.close();
      pipelineMetrics.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
