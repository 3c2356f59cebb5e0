// Composition root: builds every layer from configuration and wires them together.
import uWS from 'uWebSockets.js';
import { loadEnv } from './config/env.js';
import { createLogger } from './observability/logger.js';
import { listen } from './transport/http-server.js';
import { createMetrics } from './observability/metrics.js';
import { demoCallHandler } from './gateway/demo-handler-config.js';
import { StoreCallRecorder } from './gateway/store-call-recorder.js';
import { startWebRtcGateway } from './gateway/webrtc-gateway.js';
import { loadWebRtcSettings } from './media/webrtc-settings.js';
import { openStore } from './records/store.js';
import { loadSignalingSettings } from './signaling/signaling-settings.js';
import { loadTenants } from './agent/tenant/loader.js';
import { registerConversationApi } from './api/conversation-api.js';

async function main(): Promise<void> {
  const env = loadEnv();
  const log = createLogger(env.LOG_LEVEL);

  const app = uWS.App();
  const store = openStore(process.env.FIRSTRING_DB ?? 'data/firstring.db');
  const tenants = loadTenants(process.env.FIRSTRING_TENANTS ?? 'config/tenants');
  const conversations = registerConversationApi(app, { tenants, store, log });
  // WebRTC click-to-call: /, /widget.js, /healthz, /readyz, /metrics, /api/v1/tokens, /ws/webrtc and the media workers.
  const webrtc = await startWebRtcGateway(app, {
    signaling: loadSignalingSettings(),
    media: loadWebRtcSettings(),
    handler: demoCallHandler(),
    recorder: new StoreCallRecorder(store),
    metrics: createMetrics(),
    log,
  });
  const server = await listen(app, env.HOST, env.PORT, log);
  log.info({ port: server.port }, 'firstring gateway started');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    server.close();
    Promise.all([webrtc.close(), conversations.closeAll()]).finally(() => {
      store.close();
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
