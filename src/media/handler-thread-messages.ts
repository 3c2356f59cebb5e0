import type { MessagePort } from 'node:worker_threads';
import type { Tenant } from '../agent/tenant/schema.js';
import type { ThreadHeap } from '../observability/thread-heap.js';
import type { CallMediaConfig, LatencyMark, TurnRecord } from './webrtc-call-handler.js';

/**
 * Messages of a handler thread (handler-thread.ts), all structured-clone safe. The main thread
 * starts it and attaches media workers to it; each media worker then talks to it over a link of
 * its own (a MessagePort and a shared bridge). Audio never travels in messages: it goes through
 * the link's shared rings (handler-bridge-memory.ts), and one `tick` per 20 ms says new caller
 * frames are there.
 */

/** Main thread → handler thread. */
export type ToHandlerThread =
  /** A media worker's link: its calls' messages arrive on `port`, their audio in `bridge`. */
  | { t: 'attach'; link: number; port: MessagePort; bridge: SharedArrayBuffer }
  | { t: 'tenants'; tenants: Tenant[] };

/** Handler thread → main thread. */
export type FromHandlerThread =
  | { t: 'ready' }
  /** The handler module failed to load (or lacks `createCallHandler`): the thread exits. */
  | { t: 'start_failed'; message: string }
  | { t: 'log'; level: 'warn' | 'error'; msg: string; err?: string }
  /** Every second: this thread's V8 heap. */
  | { t: 'heap'; heap: ThreadHeap };

/** Media worker → handler thread, on the worker's link. */
export type ToHandlerLink =
  /** A new call on bridge slot `slot` (its indices already zeroed): create its handler. */
  | { t: 'open'; callId: string; tenant: string; slot: number }
  | { t: 'connected'; callId: string }
  | { t: 'end'; callId: string; reason: string }
  | { t: 'tick' };

/** Handler thread → media worker, on the worker's link. */
export type FromHandlerLink =
  /**
   * The handler exists; `mediaConfig` is what it asks of the native engine; `takesVerdicts`: it
   * acts on the engine's VAD and barge-in verdicts (so the media side may hold its audio on one).
   */
  | { t: 'opened'; callId: string; mediaConfig?: CallMediaConfig; takesVerdicts: boolean }
  | { t: 'open_failed'; callId: string; message: string }
  /** The handler has ended: its bridge slot may take another call. */
  | { t: 'closed'; callId: string; slot: number }
  | { t: 'mark'; callId: string; mark: LatencyMark; at?: number }
  | { t: 'turn'; callId: string; turn: TurnRecord }
  | { t: 'transcript'; callId: string; role: 'caller' | 'agent'; text: string; final: boolean }
  | { t: 'hangup'; callId: string; reason: string }
  /** The handler threw: the call ends with `handler_error`. */
  | { t: 'failed'; callId: string; err: string };

export interface HandlerThreadData {
  /** URL (href) of the module exporting `createCallHandler`. */
  handlerModule: string;
  handlerOptions: unknown;
  /** Encode the agent's frames with the native core's libopus (else @discordjs/opus), with the pacer's settings. */
  nativeOpus: boolean;
  /** The records port (transferred; worker-records-port.ts reads it): the handlers' CallLog posts on it. */
  recordsPort?: MessagePort;
}

/** What a media worker gets of its link (in its workerData, the port transferred). */
export interface HandlerLinkData {
  port: MessagePort;
  bridge: SharedArrayBuffer;
  /** Call slots in the bridge (the worker's call limit). */
  maxCalls: number;
}
