import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { CallRecorder } from '../media/webrtc-call-record.js';
import type { WebRtcSettings } from '../media/webrtc-settings.js';
import { MediaWorkerPool } from '../media/worker-pool.js';
import type { SignalingSettings } from '../signaling/signaling-settings.js';
import { registerSignalingWs } from '../signaling/webrtc-signaling.js';
import type { HttpApp } from '../transport/http-server.js';
import { registerGatewayRoutes } from './gateway-routes.js';

export interface WebRtcGatewayDeps {
  signaling: SignalingSettings;
  media: WebRtcSettings;
  /** Module exporting `createCallHandler` (run in each media worker) and its options. */
  handler: { module: URL; options: unknown };
  recorder: CallRecorder;
  metrics: GatewayMetrics;
  log: Logger;
}

export interface WebRtcGateway {
  pool: MediaWorkerPool;
  /** Closes signaling sockets, hangs up every call and stops the workers. */
  close(): Promise<void>;
}

/** Starts the media workers and registers the HTTP routes and the signaling socket on `app`. */
export async function startWebRtcGateway(app: HttpApp, deps: WebRtcGatewayDeps): Promise<WebRtcGateway> {
  const { signaling, media, metrics, log } = deps;
  let pool: MediaWorkerPool | undefined;
  registerGatewayRoutes(app, { tokens: signaling.tokens, origins: signaling.origins, metrics, log, ready: () => pool?.ready() ?? false });
  pool = await MediaWorkerPool.start({ settings: media, handler: deps.handler, recorder: deps.recorder, metrics, log });
  const ws = registerSignalingWs(app, { tokens: signaling.tokens, origins: signaling.origins, calls: pool, iceServers: media.iceServers, log, metrics });
  log.info({ workers: pool.size }, 'webrtc media workers started');
  const started = pool;
  return {
    pool: started,
    close: async () => {
      ws.closeAll();
      await started.close();
    },
  };
}
