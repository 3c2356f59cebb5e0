import type { Tenant } from '../agent/tenant/schema.js';
import type { MessagePort } from 'node:worker_threads';
import type { ThreadHeap } from '../observability/thread-heap.js';
import type { HandlerLinkData } from './handler-thread-messages.js';
import type { LatencyMark, TurnRecord } from './webrtc-call-handler.js';
import type { WebRtcSettings } from './webrtc-settings.js';
import type { IceCandidateInit } from './webrtc-transport.js';

/** Messages between the main thread and a media worker (structured-clone safe). */
export type ToWorker =
  | { t: 'start'; callId: string; tenant: string }
  | { t: 'offer'; callId: string; reqId: number; sdp: string }
  | { t: 'candidate'; callId: string; candidate: IceCandidateInit | null }
  | { t: 'hangup'; callId: string; reason: string }
  /**
   * The effective tenant configs (files + operator and dashboard edits; active tenants only), sent
   * at worker start and after every change: they replace the worker's tenant registry
   * (worker-tenants.ts). Calls in progress keep the tenant they started with.
   */
  | { t: 'tenants'; tenants: Tenant[] };

export type FromWorker =
  | { t: 'ready'; fallback?: string }
  | { t: 'answer'; reqId: number; sdp: string }
  | { t: 'answer_error'; reqId: number; message: string }
  | { t: 'candidate'; callId: string; candidate: IceCandidateInit }
  | { t: 'connected'; callId: string; srtp: 'native' | 'werift'; jitter: 'native' | 'none' }
  | { t: 'mark'; callId: string; mark: LatencyMark; at: number }
  | { t: 'turn'; callId: string; turn: TurnRecord }
  | { t: 'transcript'; callId: string; role: 'caller' | 'agent'; text: string; final: boolean; at: number }
  /** `srtpDropped`: received packets the native SRTP refused during the call, by cause. */
  | { t: 'ended'; callId: string; reason: string; at: number; srtpDropped?: Record<'authFailed' | 'replayed' | 'tooOld' | 'malformed', number> }
  /**
   * Every second: tick lateness (`jitterMs`) and busy time (`busyMs`) per tick, counters since
   * the last stats, the caller audio's jitter-buffer delay at each end of caller speech
   * (`playoutDelayMs`), the worker's own event-loop delay over that second (ms), and its V8
   * heap (handler threads report theirs to the main thread themselves).
   */
  | {
      t: 'stats';
      jitterMs: number[];
      busyMs: number[];
      ticks: number;
      overruns: number;
      skipped: number;
      calls: number;
      playoutDelayMs: number[];
      loopDelayMs: { p50: number; p99: number; max: number };
      heap: ThreadHeap;
    }
  | { t: 'log'; level: 'warn' | 'error'; msg: string; err?: string };

export interface MediaWorkerData {
  settings: WebRtcSettings;
  /** URL (href) of the module exporting `createCallHandler`. */
  handlerModule: string;
  handlerOptions: unknown;
  connectTimeoutMs: number;
  /**
   * Nice value the worker asks for its own thread (Linux: setpriority on its thread id),
   * so its 20 ms clock is not held off the core by less urgent threads; 0 leaves it as is.
   */
  threadNice: number;
  /**
   * The link to the handler thread that runs this worker's call handlers (its port transferred);
   * absent with HANDLER_THREAD=inline, where the worker runs them itself.
   */
  handlerLink?: HandlerLinkData;
  /** With inline handlers, the records port (transferred): their CallLog reaches the main thread's records writer through it. */
  recordsPort?: MessagePort;
}
