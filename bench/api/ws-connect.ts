import WebSocket from 'ws';
import { summarize } from '../load/stats.js';

export interface WsConnectOptions {
  /** ws://… URL for attempt i (a fresh token each time for the gateway). */
  url: (i: number) => string;
  origin?: string;
  concurrency: number;
  maxCount: number;
  maxMs: number;
}

export interface WsConnectResult {
  attempted: number;
  /** Cycles whose first server message was `welcome` (the gateway started a call). */
  connected: number;
  failed: number;
  /** Failed cycles by cause: `error <code>` (the server's first message was an error, e.g. over_capacity), `message <type>`, `closed`, `socket error`, `timeout`. */
  failures: Record<string, number>;
  durationS: number;
  latenciesMs: number[];
}

/** How one cycle ended: connect → welcome ms, or why it is not a connect. */
export type CycleOutcome = { ok: true; ms: number } | { ok: false; cause: string };

const CYCLE_TIMEOUT_MS = 5000;

/**
 * Why a first server message is not a welcome (undefined when it is one). The gateway answers a
 * call it cannot take (tenant admission, media capacity) with an `error` message and a close:
 * counting that as a connect would measure refusals, which cost far less than a call start.
 */
export function notWelcome(data: string): string | undefined {
  let m: unknown;
  try {
    m = JSON.parse(data);
  } catch {
    return 'message not JSON';
  }
  const type = typeof m === 'object' && m !== null ? (m as { type?: unknown }).type : undefined;
  if (type === 'welcome') return undefined;
  if (type === 'error') return `error ${String((m as { code?: unknown }).code)}`;
  return `message ${String(type)}`;
}

/** One cycle: connect, wait for the server's first message, close. A connect counts only when that message is `welcome`. */
export function connectCycle(url: string, origin: string | undefined): Promise<CycleOutcome> {
  return new Promise((resolve) => {
    const startedAt = performance.now();
    const ws = new WebSocket(url, origin ? { origin } : {});
    const done = (v: CycleOutcome): void => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.terminate();
      resolve(v);
    };
    const timer = setTimeout(() => done({ ok: false, cause: 'timeout' }), CYCLE_TIMEOUT_MS);
    ws.once('message', (d) => {
      const ms = performance.now() - startedAt;
      const cause = notWelcome(String(d));
      done(cause === undefined ? { ok: true, ms } : { ok: false, cause });
    });
    ws.once('error', () => done({ ok: false, cause: 'socket error' }));
    ws.once('close', () => done({ ok: false, cause: 'closed' }));
  });
}

/** WebSocket connect rate (autocannon speaks HTTP only): bounded by count and by time. */
export async function wsConnectRate(o: WsConnectOptions): Promise<WsConnectResult> {
  const start = performance.now();
  const deadline = start + o.maxMs;
  let next = 0;
  const out: WsConnectResult = { attempted: 0, connected: 0, failed: 0, failures: {}, durationS: 0, latenciesMs: [] };
  const lane = async (): Promise<void> => {
    while (next < o.maxCount && performance.now() < deadline) {
      const i = next++;
      out.attempted++;
      const r = await connectCycle(o.url(i), o.origin);
      if (r.ok) {
        out.connected++;
        out.latenciesMs.push(r.ms);
      } else {
        out.failed++;
        out.failures[r.cause] = (out.failures[r.cause] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, lane));
  out.durationS = (performance.now() - start) / 1000;
  return out;
}

export function latencyFigures(ms: number[]): { p50: number; p99: number; max: number } {
  const s = summarize(ms);
  return { p50: s.p50, p99: s.p99, max: s.max };
}
