import uWS from 'uWebSockets.js';
import WebSocket from 'ws';
import { registerGatewayRoutes } from '../../../src/gateway/gateway-routes.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetrics, type GatewayMetrics } from '../../../src/observability/metrics.js';
import { CallTokens } from '../../../src/signaling/call-token.js';
import type { CallHost } from '../../../src/signaling/call-host.js';
import { parseTenantOrigins } from '../../../src/signaling/tenant-origins.js';
import { registerSignalingWs } from '../../../src/signaling/webrtc-signaling.js';
import { listen, type HttpServer } from '../../../src/transport/http-server.js';
import type { ServerMessage } from '../../../src/signaling/protocol.js';

export interface Gateway {
  server: HttpServer;
  base: string;
  tokens: CallTokens;
  metrics: GatewayMetrics;
  close(): void;
}

export const PAGE_ORIGIN = 'https://acme-plumbing.example';

/** A real uWS gateway (routes + signaling) on a free port over the given call host. */
export async function startGateway(calls: CallHost, opts: { flood?: { perSecond: number; burst: number }; now?: () => number } = {}): Promise<Gateway> {
  const log = createLogger('silent');
  const metrics = createMetrics(false);
  const tokens = new CallTokens({ secret: Buffer.from('test-secret-test-secret-0123456789'), ttlSeconds: 60, ...(opts.now ? { now: opts.now } : {}) });
  const origins = parseTenantOrigins(`demo=self,${PAGE_ORIGIN};acme=${PAGE_ORIGIN}`);
  const app = uWS.App();
  registerGatewayRoutes(app, { tokens, origins, metrics, log, ready: () => true });
  const sig = registerSignalingWs(app, { tokens, origins, calls, iceServers: [], log, metrics, ...(opts.flood ? { flood: opts.flood } : {}) });
  const server = await listen(app, '127.0.0.1', 0, log);
  return {
    server,
    base: `http://127.0.0.1:${server.port}`,
    tokens,
    metrics,
    close: () => {
      sig.closeAll();
      server.close();
    },
  };
}

export async function issueToken(base: string, tenant: string, origin: string): Promise<Response> {
  return fetch(`${base}/api/v1/tokens`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ tenant }) });
}

/** A signaling client that queues server messages for `next()`. */
export class SignalingClient {
  readonly messages: ServerMessage[] = [];
  private waiters: Array<() => void> = [];
  closeCode: number | undefined;
  readonly closed: Promise<number>;
  readonly opened: Promise<void>;
  readonly ws: WebSocket;
  unexpectedStatus: number | undefined;

  constructor(base: string, token: string | undefined, origin: string) {
    const url = `${base.replace('http', 'ws')}/ws/webrtc${token ? `?token=${encodeURIComponent(token)}` : ''}`;
    this.ws = new WebSocket(url, { origin });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => {
        this.unexpectedStatus = res.statusCode;
        reject(new Error(`upgrade refused: ${res.statusCode}`));
      });
      this.ws.once('error', reject);
    });
    this.opened.catch(() => undefined);
    this.closed = new Promise((resolve) => this.ws.once('close', (code) => {
      this.closeCode = code;
      resolve(code);
      this.wake();
    }));
    this.ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as ServerMessage);
      this.wake();
    });
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** Resolves with the first queued message of `type` (removing it). */
  async next<T extends ServerMessage['type']>(type: T, timeoutMs = 10_000): Promise<Extract<ServerMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex((m) => m.type === type);
      if (i >= 0) return this.messages.splice(i, 1)[0] as Extract<ServerMessage, { type: T }>;
      if (this.closeCode !== undefined) throw new Error(`socket closed (${this.closeCode}) before "${type}"`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no "${type}" message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
