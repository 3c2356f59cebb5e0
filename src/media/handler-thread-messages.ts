import type { MessagePort } from 'node:worker_threads';
import type { Tenant } from '../agent/tenant/schema.js';
import type { ThreadHeap } from '../observability/thread-heap.js';
import type { CallMediaConfig, LatencyMark, TurnRecord } from './webrtc-call-handler.js';

/**
 * Messages between a media worker and its handler thread (structured-clone safe). Audio
 * never travels in them: it goes through the shared rings (handler-bridge-memory.ts), and
 * one `tick` per 20 ms says new caller frames are there.
 */
export type ToHandlerThread =
  /** A new call on bridge slot `slot` (its indices already zeroed): create its handler. */
  | { t: 'open'; callId: string; tenant: string; slot: number }
  | { t: 'connected'; callId: string }
  | { t: 'end'; callId: string; reason: string }
  | { t: 'tick' }
  | { t: 'tenants'; tenants: Tenant[] };

export type FromHandlerThread =
  | { t: 'ready' }
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
  | { t: 'failed'; callId: string; err: string }
  | { t: 'log'; level: 'warn' | 'error'; msg: string; err?: string }
  /** Every second: this thread's V8 heap (the media worker passes it on with its own stats). */
  | { t: 'heap'; heap: ThreadHeap };

export interface HandlerThreadData {
  /** URL (href) of the module exporting `createCallHandler`. */
  handlerModule: string;
  handlerOptions: unknown;
  bridge: SharedArrayBuffer;
  /** Encode the agent's frames with the native core's libopus (else @discordjs/opus), with the pacer's settings. */
  nativeOpus: boolean;
  /** The records port, passed on from the media worker (worker-records-port.ts reads it). */
  recordsPort?: MessagePort;
}
