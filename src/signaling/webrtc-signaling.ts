import { randomUUID } from 'node:crypto';
import uWS from 'uWebSockets.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { HttpApp } from '../transport/http-server.js';
import type { CallAdmission } from './call-admission.js';
import type { CallControl, CallHost } from './call-host.js';
import { CallTokenError, type CallTokens } from './call-token.js';
import { FloodGuard } from './flood-guard.js';
import { parseClientMessage, type ErrorCode, type IceServerInfo, type ServerMessage } from './protocol.js';
import type { TenantOrigins } from './tenant-origins.js';

export const SIGNALING_PATH = '/ws/webrtc';

export interface SignalingDeps {
  tokens: CallTokens;
  origins: TenantOrigins;
  calls: CallHost;
  /** Tenant status and limits, asked at each call start; every call is admitted without it. */
  admission?: CallAdmission;
  iceServers: IceServerInfo[];
  log: Logger;
  metrics: GatewayMetrics;
  /** Messages per second and burst allowed per connection before it is closed as a flood. */
  flood?: { perSecond: number; burst: number };
}

interface Conn {
  callId: string;
  tenant: string;
  guard: FloodGuard;
  closed: boolean;
  offered: boolean;
  control?: CallControl;
}

/** WebSocket close codes (RFC 6455 §7.4.1). */
const CLOSE_NORMAL = 1000;
const CLOSE_POLICY = 1008;
const CLOSE_TRY_AGAIN = 1013;

/** Registers the signaling WebSocket: one socket carries one call (docs/signaling.md). */
export function registerSignalingWs(app: HttpApp, deps: SignalingDeps): { connections(): number; closeAll(): void } {
  const open = new Set<uWS.WebSocket<Conn>>();
  const { log, metrics } = deps;
  const flood = deps.flood ?? { perSecond: 20, burst: 60 };

  const send = (ws: uWS.WebSocket<Conn>, msg: ServerMessage): void => {
    const c = ws.getUserData();
    if (c.closed) return;
    ws.cork(() => ws.send(JSON.stringify(msg), false));
  };
  const sendError = (ws: uWS.WebSocket<Conn>, code: ErrorCode, message: string): void => {
    metrics.signalingErrors.inc({ code });
    send(ws, { v: 1, type: 'error', code, message });
  };

  app.ws<Conn>(SIGNALING_PATH, {
    compression: uWS.DISABLED,
    maxPayloadLength: 64 * 1024,
    maxBackpressure: 1 << 20,
    idleTimeout: 32,
    sendPingsAutomatically: true,

    upgrade: (res, req, context) => {
      // req is stack-allocated: copy everything before any other work.
      const query = new URLSearchParams(req.getQuery() ?? '');
      const origin = req.getHeader('origin');
      const host = req.getHeader('host');
      const key = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      try {
        const claims = deps.tokens.redeem(query.get('token') ?? undefined, origin);
        if (!deps.origins.allows(claims.tenant, origin, host)) throw new CallTokenError('origin_mismatch');
        const conn: Conn = { callId: randomUUID(), tenant: claims.tenant, guard: new FloodGuard(flood.perSecond, flood.burst), closed: false, offered: false };
        res.upgrade(conn, key, protocol, extensions, context);
      } catch (err) {
        const reason = err instanceof CallTokenError ? err.reason : 'malformed';
        log.info({ reason, origin }, 'signaling upgrade refused');
        metrics.signalingErrors.inc({ code: `token_${reason}` });
        res.writeStatus('403 Forbidden').writeHeader('content-type', 'application/json').end(JSON.stringify({ error: 'call_token_rejected', reason }));
      }
    },

    open: (ws) => {
      open.add(ws);
      metrics.wsConnections.inc();
      const c = ws.getUserData();
      const refused = deps.admission?.check(c.tenant);
      if (refused) {
        log.info({ callId: c.callId, tenant: c.tenant, code: refused.code }, 'call refused by tenant admission');
        metrics.signalingErrors.inc({ code: refused.code });
        send(ws, { v: 1, type: 'error', code: refused.code, message: refused.message, ...(refused.retryAfterS !== undefined ? { retryAfter: refused.retryAfterS } : {}) });
        // A limit passes (try again later); an unknown or suspended tenant is a policy refusal.
        ws.end(refused.retryAfterS !== undefined ? CLOSE_TRY_AGAIN : CLOSE_POLICY, refused.code);
        return;
      }
      try {
        c.control = deps.calls.startCall({ callId: c.callId, tenant: c.tenant, acceptedAt: Date.now() }, {
          candidate: (candidate) => send(ws, { v: 1, type: 'candidate', candidate }),
          state: (state, reason) => {
            send(ws, reason ? { v: 1, type: 'state', state, reason } : { v: 1, type: 'state', state });
            if (state === 'ended' && !c.closed) ws.end(CLOSE_NORMAL, 'call ended');
          },
          transcript: (role, text, final, at) => send(ws, { v: 1, type: 'transcript', role, text, final, at }),
        });
      } catch (err) {
        log.warn({ err, callId: c.callId }, 'call refused');
        sendError(ws, 'over_capacity', 'the gateway cannot take this call now');
        ws.end(CLOSE_TRY_AGAIN, 'over capacity');
        return;
      }
      deps.admission?.started(c.tenant);
      send(ws, { v: 1, type: 'welcome', callId: c.callId, iceServers: deps.iceServers });
      log.info({ callId: c.callId, tenant: c.tenant }, 'signaling open');
    },

    message: (ws, data) => {
      const c = ws.getUserData();
      if (!c.guard.take()) {
        log.warn({ callId: c.callId }, 'signaling flood: closing');
        metrics.signalingErrors.inc({ code: 'flood' });
        ws.end(CLOSE_POLICY, 'message rate exceeded');
        return;
      }
      // The ArrayBuffer is only valid during this callback: decode it now.
      const parsed = parseClientMessage(Buffer.from(data).toString('utf8'));
      if (!parsed.ok) {
        sendError(ws, parsed.code, parsed.message);
        return;
      }
      const msg = parsed.message;
      const control = c.control;
      if (!control) {
        sendError(ws, 'invalid_state', 'no call on this connection');
        return;
      }
      switch (msg.type) {
        case 'ping':
          send(ws, { v: 1, type: 'pong' });
          return;
        case 'offer':
          if (c.offered) {
            sendError(ws, 'invalid_state', 'renegotiation is not supported: one offer per call');
            return;
          }
          c.offered = true;
          send(ws, { v: 1, type: 'state', state: 'connecting' });
          control.offer(msg.sdp).then(
            (sdp) => send(ws, { v: 1, type: 'answer', sdp }),
            (err: unknown) => {
              log.warn({ err: String(err), callId: c.callId }, 'offer failed');
              sendError(ws, 'call_failed', err instanceof Error ? err.message : 'offer failed');
              control.hangup('offer_failed');
            },
          );
          return;
        case 'candidate':
          if (!c.offered) {
            sendError(ws, 'invalid_state', 'send the offer before candidates');
            return;
          }
          control.addCandidate(msg.candidate);
          return;
        case 'hangup':
          control.hangup('caller_hangup');
          return;
      }
    },

    close: (ws) => {
      const c = ws.getUserData();
      c.closed = true;
      open.delete(ws);
      metrics.wsConnections.dec();
      // Closing the tab closes this socket: the call ends with it (media timeouts catch silent network loss).
      c.control?.hangup('signaling_closed');
      log.info({ callId: c.callId }, 'signaling closed');
    },
  });

  return {
    connections: () => open.size,
    closeAll: () => {
      for (const ws of [...open]) ws.end(1001, 'gateway shutting down');
    },
  };
}
