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
  connected: number;
  failed: number;
  durationS: number;
  latenciesMs: number[];
}

/** One cycle: connect, wait for the server's first message, close. Resolves with connect→message ms, or null on failure. */
function cycle(url: string, origin: string | undefined): Promise<number | null> {
  return new Promise((resolve) => {
    const startedAt = performance.now();
    const ws = new WebSocket(url, origin ? { origin } : {});
    const done = (v: number | null): void => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.terminate();
      resolve(v);
    };
    const timer = setTimeout(() => done(null), 5000);
    ws.once('message', () => done(performance.now() - startedAt));
    ws.once('error', () => done(null));
    ws.once('close', () => done(null));
  });
}

/** WebSocket connect rate (autocannon speaks HTTP only): bounded by count and by time. */
export async function wsConnectRate(o: WsConnectOptions): Promise<WsConnectResult> {
  const start = performance.now();
  const deadline = start + o.maxMs;
  let next = 0;
  const out: WsConnectResult = { attempted: 0, connected: 0, failed: 0, durationS: 0, latenciesMs: [] };
  const lane = async (): Promise<void> => {
    while (next < o.maxCount && performance.now() < deadline) {
      const i = next++;
      out.attempted++;
      const ms = await cycle(o.url(i), o.origin);
      if (ms === null) out.failed++;
      else {
        out.connected++;
        out.latenciesMs.push(ms);
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
