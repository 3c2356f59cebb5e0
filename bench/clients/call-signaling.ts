/**
 * The browser widget's signaling, for synthetic callers: a call token from
 * `POST /api/v1/tokens` (with the tenant's Origin), then `/ws/webrtc?token=…` carrying the
 * JSON messages of src/signaling/protocol.ts. Resolves once the gateway's `welcome` came.
 */
import WebSocket from 'ws';
import type { RTCPeerConnection } from 'werift';
import type { ServerMessage } from '../../src/signaling/protocol.js';

export type Welcome = Extract<ServerMessage, { type: 'welcome' }>;

export interface SignalingOptions {
  /** Gateway base URL, e.g. http://127.0.0.1:8080 (no trailing slash). */
  gateway: string;
  tenant: string;
  origin: string;
  /** Every server message after `welcome`. */
  onMessage: (m: ServerMessage) => void;
  /** The socket closed (by either side), with its close code. */
  onClose: (code: number) => void;
  timeoutMs?: number;
}

export interface Signaling {
  readonly welcome: Welcome;
  send(m: unknown): void;
  close(): void;
}

export async function openSignaling(o: SignalingOptions): Promise<Signaling> {
  const res = await fetch(`${o.gateway}/api/v1/tokens`, { method: 'POST', headers: { origin: o.origin, 'content-type': 'application/json' }, body: JSON.stringify({ tenant: o.tenant }) });
  if (res.status !== 200) throw new Error(`token refused: ${res.status} ${await res.text()}`);
  const { token } = (await res.json()) as { token: string };
  const ws = new WebSocket(`${o.gateway.replace(/^http/, 'ws')}/ws/webrtc?token=${encodeURIComponent(token)}`, { origin: o.origin });
  const welcome = await new Promise<Welcome>((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('no welcome from the signaling socket'));
    }, o.timeoutMs ?? 10_000);
    let welcomed = false;
    ws.on('message', (d) => {
      let m: ServerMessage;
      try {
        m = JSON.parse(String(d)) as ServerMessage;
      } catch {
        return;
      }
      if (!welcomed && m.type === 'welcome') {
        welcomed = true;
        clearTimeout(timer);
        resolve(m);
      } else if (welcomed) o.onMessage(m);
    });
    ws.on('close', (code) => {
      clearTimeout(timer);
      if (!welcomed) reject(new Error(`signaling socket closed before welcome (${code})`));
      else o.onClose(code);
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      if (!welcomed) reject(err);
    });
  });
  return {
    welcome,
    send: (m) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(m));
    },
    close: () => ws.close(),
  };
}

/** Applies the gateway's answer and trickled candidates to the caller's peer connection (failures ignored, as a browser would retry nothing). */
export function applySignal(pc: RTCPeerConnection, m: ServerMessage): void {
  if (m.type === 'answer') {
    pc.setRemoteDescription({ type: 'answer', sdp: m.sdp }).catch(() => undefined);
  } else if (m.type === 'candidate' && m.candidate) {
    pc.addIceCandidate({ candidate: m.candidate.candidate, sdpMid: m.candidate.sdpMid ?? undefined, sdpMLineIndex: m.candidate.sdpMLineIndex ?? undefined }).catch(() => undefined);
  }
}
