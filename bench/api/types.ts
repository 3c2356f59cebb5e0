/** Results of `npm run bench -- api` (bench/results/<name>.json, kind "api"). */

export interface RouteFigures {
  /** What was loaded, e.g. "POST /api/v1/tokens". */
  name: string;
  /** "gateway" or "bare" (the uWebSockets.js hello-world ceiling). */
  target: 'gateway' | 'bare';
  connections: number;
  durationS: number;
  requests: number;
  /** Mean requests per second over the run. */
  rps: number;
  latencyMs: { p50: number; p99: number; max: number };
  non2xx: number;
  errors: number;
}

export interface WsFigures {
  name: string;
  target: 'gateway' | 'bare';
  concurrency: number;
  attempted: number;
  /** Connections that opened and whose first message was `welcome` (for the gateway: a call was started). */
  connected: number;
  failed: number;
  /** Failed cycles by cause (`error <code>` when the server refused with an error message, `closed`, `timeout`, …); absent when none failed. */
  failures?: Record<string, number>;
  durationS: number;
  /** Completed connect + first message + close cycles per second. */
  perS: number;
  /** Connect start (TCP + upgrade) → first server message (welcome) in ms. */
  latencyMs: { p50: number; p99: number; max: number };
}

export interface Ratio {
  what: string;
  /** Gateway rate over the bare route's rate. */
  ratio: number;
}

export interface ApiResult {
  name: string;
  kind: 'api';
  startedAt: string;
  /** `loadAvg`: the machine's 1/5/15-minute load averages when the run ended (others' work shares the cores). */
  machine: { cpus: number; model: string; node: string; loadAvg?: number[] };
  config: Record<string, unknown>;
  routes: RouteFigures[];
  ws: WsFigures[];
  ratios: Ratio[];
}
