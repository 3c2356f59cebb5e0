import type { MessagePort } from 'node:worker_threads';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { CallRecorder } from '../media/webrtc-call-record.js';
import type { WebRtcSettings } from '../media/webrtc-settings.js';
import { MediaWorkerPool, type TenantFeed } from '../media/worker-pool.js';
import type { CallAdmission } from '../signaling/call-admission.js';
import type { SignalingSettings } from '../signaling/signaling-settings.js';
import { withAssignedOrigins } from '../signaling/tenant-origins.js';
import { registerSignalingWs } from '../signaling/webrtc-signaling.js';
import type { HttpApp } from '../transport/http-server.js';
import { registerGatewayRoutes } from './gateway-routes.js';

/**
 * The tenant administration as the gateway needs it (src/wiring/gateway-tenants.ts builds it from
 * the TenantDirectory): the effective tenants for the media workers, the widget origins assigned
 * through the operator API, and call admission (status, limits) over the pool's active calls.
 */
export interface GatewayTenants extends TenantFeed {
  /** Origins assigned to a tenant; undefined for a tenant the administration does not know. */
  assignedOrigins(tenant: string): readonly string[] | undefined;
  admission(activeCallsOf: (tenant: string) => number): CallAdmission;
}

export interface WebRtcGatewayDeps {
  signaling: SignalingSettings;
  media: WebRtcSettings;
  /** Module exporting `createCallHandler` (run in each media worker) and its options. */
  handler: { module: URL; options: unknown };
  recorder: CallRecorder;
  metrics: GatewayMetrics;
  log: Logger;
  /**
   * The main thread's tenants (source of truth for the workers), assigned origins and admission.
   * Without it: TENANT_ORIGINS only, no status or limit checks, workers load their own tenant files.
   */
  tenants?: GatewayTenants;
  /** A records port per media worker (the records writer's `connectWorker`), for handlers that keep call records. */
  recordsPort?: () => MessagePort;
}

export interface WebRtcGateway {
  pool: MediaWorkerPool;
  /** Closes signaling sockets, hangs up every call and stops the workers. */
  close(): Promise<void>;
}

/** Starts the media workers and registers the HTTP routes and the signaling socket on `app`. */
export async function startWebRtcGateway(app: HttpApp, deps: WebRtcGatewayDeps): Promise<WebRtcGateway> {
  const { signaling, media, metrics, log, tenants } = deps;
  let pool: MediaWorkerPool | undefined;
  const origins = tenants ? withAssignedOrigins(signaling.origins, (t) => tenants.assignedOrigins(t)) : signaling.origins;
  const admission = tenants?.admission((t) => pool?.activeCallsOf(t) ?? 0);
  const gated = admission ? { admission } : {};
  registerGatewayRoutes(app, { tokens: signaling.tokens, origins, ...gated, metrics, log, ready: () => pool?.ready() ?? false });
  pool = await MediaWorkerPool.start({ settings: media, handler: deps.handler, recorder: deps.recorder, metrics, log, ...(tenants ? { tenants } : {}),
    ...(deps.recordsPort ? { recordsPort: deps.recordsPort } : {}) });
  const ws = registerSignalingWs(app, { tokens: signaling.tokens, origins, ...gated, calls: pool, iceServers: media.iceServers, log, metrics });
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
