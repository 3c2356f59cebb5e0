import uWS from 'uWebSockets.js';
import { StoreCallRecorder } from '../../../src/gateway/store-call-recorder.js';
import { startWebRtcGateway, type WebRtcGateway } from '../../../src/gateway/webrtc-gateway.js';
import type { DemoHandlerOptions } from '../../../src/media/webrtc-demo-handler.js';
import type { WebRtcSettings } from '../../../src/media/webrtc-settings.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetrics, type GatewayMetrics } from '../../../src/observability/metrics.js';
import { openStore, type CallStore } from '../../../src/records/store.js';
import { CallTokens } from '../../../src/signaling/call-token.js';
import { parseTenantOrigins } from '../../../src/signaling/tenant-origins.js';
import { listen, type HttpServer } from '../../../src/transport/http-server.js';
import { speak } from '../../support/espeak.js';

export const GREETING = 'Thanks for calling Acme Plumbing. How can I help?';
export const REPLY = 'Okay, a technician can come this afternoon.';

export interface MediaGateway {
  base: string;
  server: HttpServer;
  gateway: WebRtcGateway;
  store: CallStore;
  recorder: StoreCallRecorder;
  metrics: GatewayMetrics;
  greetingMs: number;
  close(): Promise<void>;
}

/** The real gateway: uWS routes + signaling + media worker pool + demo handler + SQLite store. */
export async function startMediaGateway(
  overrides: Partial<WebRtcSettings> = {},
  origins = 'demo=self,https://acme-plumbing.example',
  handlerModule = new URL('../../../src/media/webrtc-demo-handler.ts', import.meta.url),
): Promise<MediaGateway> {
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const metrics = createMetrics(false);
  const store = openStore(':memory:');
  const recorder = new StoreCallRecorder(store);
  const greeting = speak(GREETING, 'en-us');
  const options: DemoHandlerOptions = { greeting: { text: GREETING, pcm: greeting }, reply: { text: REPLY, pcm: speak(REPLY, 'en-us') } };
  const app = uWS.App();
  const gateway = await startWebRtcGateway(app, {
    signaling: { tokens: new CallTokens({ secret: Buffer.from('0123456789abcdef0123456789abcdef'), ttlSeconds: 60 }), origins: parseTenantOrigins(origins) },
    media: { iceServers: [], announcedIp: undefined, icePortRange: undefined, workers: 2, rtpTimeoutMs: 3000, maxCallsPerWorker: 50, srtp: 'native', jitterEngine: 'native', ...overrides },
    handler: { module: handlerModule, options },
    recorder,
    metrics,
    log,
  });
  const server = await listen(app, '127.0.0.1', 0, log);
  return {
    base: `http://127.0.0.1:${server.port}`,
    server,
    gateway,
    store,
    recorder,
    metrics,
    greetingMs: (greeting.length / 16_000) * 1000,
    close: async () => {
      await gateway.close();
      server.close();
      store.close();
    },
  };
}
