/**
 * A media worker's handler thread: runs the call handlers (the speech pipeline, the dialog,
 * the provider clients) of that worker's calls on their own V8 heap, so their garbage
 * collections never hold up the worker's 20 ms media clock. Audio crosses through shared
 * memory (handler-bridge-memory.ts): caller frames arrive in a ring, announced by one
 * `tick` message per 20 ms; the agent's frames are encoded here and left in a ring the
 * pacer sends from. Everything else is a message (handler-thread-messages.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BridgeSlotViews } from './handler-bridge-memory.js';
import { drainCallerRing } from './caller-frame-ring.js';
import { AgentRingWriter } from './agent-frame-ring.js';
import { RingAudioSink } from './ring-audio-sink.js';
import { hasNativeOpusEncoder, NativeOpusEncoder16k, type AgentFrameEncoder } from './native-opus-encoder.js';
import { AGENT_VOICE_OPUS, OpusEncoder16k } from './opus-codec.js';
import { wallClock, type CallHandler, type CallHandlerFactory } from './webrtc-call-handler.js';
import { replaceWorkerTenants } from './worker-tenants.js';
import { setThreadNice } from './worker-thread-priority.js';
import { armThreadProfile, profileRequestFromEnv } from '../observability/thread-profiler.js';
import { threadHeap } from '../observability/thread-heap.js';
import type { FromHandlerThread, HandlerThreadData, ToHandlerThread } from './handler-thread-messages.js';

const port = parentPort;
if (!port) throw new Error('handler-thread.ts must run as a worker thread');
const data = workerData as HandlerThreadData;
const post = (m: FromHandlerThread): void => port.postMessage(m);

// A thread starts with its creator's nice value: the media worker's raised priority is for its clock only.
const niceRefused = setThreadNice(0, { force: true });
if (niceRefused) post({ t: 'log', level: 'warn', msg: `handler thread keeps the media worker's priority: ${niceRefused}` });
// A stray rejection inside a provider client must not take down every call of this thread.
process.on('unhandledRejection', (err) => post({ t: 'log', level: 'warn', msg: 'unhandled rejection in handler thread', err: String(err) }));

const mod = (await import(data.handlerModule)) as { createCallHandler?: CallHandlerFactory };
const factory = mod.createCallHandler;
if (typeof factory !== 'function') throw new Error(`${data.handlerModule} does not export createCallHandler`);

interface Call {
  callId: string;
  slot: number;
  handler: CallHandler;
  sink: RingAudioSink;
  ring: AgentRingWriter;
  views: BridgeSlotViews;
  failed: boolean;
}

/** Views per bridge slot, made on first use and kept. */
const views: BridgeSlotViews[] = [];
const calls = new Map<string, Call>();

function encoder(): AgentFrameEncoder {
  return data.nativeOpus && hasNativeOpusEncoder() ? new NativeOpusEncoder16k(AGENT_VOICE_OPUS) : new OpusEncoder16k(AGENT_VOICE_OPUS);
}

function errText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

/** A throwing handler ends its own call (the media worker hangs it up), never the thread's other calls. */
function failed(call: Call, err: unknown): void {
  if (call.failed) return;
  call.failed = true;
  post({ t: 'failed', callId: call.callId, err: errText(err) });
}

function open(callId: string, tenant: string, slot: number): void {
  const v = (views[slot] ??= new BridgeSlotViews(data.bridge, slot));
  const ring = new AgentRingWriter(v);
  const sink = new RingAudioSink(ring, encoder());
  try {
    const handler = factory!(
      {
        callId,
        tenant,
        audio: sink,
        now: wallClock,
        report: {
          mark: (mark, at) => post({ t: 'mark', callId, mark, at }),
          turn: (turn) => post({ t: 'turn', callId, turn }),
          transcript: (role, text, final) => post({ t: 'transcript', callId, role, text, final }),
        },
        hangup: (reason) => post({ t: 'hangup', callId, reason }),
      },
      data.handlerOptions,
    );
    const call: Call = { callId, slot, handler, sink, ring, views: v, failed: false };
    calls.set(callId, call);
    post({ t: 'opened', callId, mediaConfig: handler.mediaConfig, takesVerdicts: typeof handler.onVoiceActivity === 'function' });
  } catch (err) {
    post({ t: 'open_failed', callId, message: err instanceof Error ? err.message : String(err) });
  }
}

/** This tick's caller frames to each handler, then each call's agent ring topped up. */
function tick(): void {
  for (const call of calls.values()) {
    if (call.failed) continue;
    try {
      // The handler has seen the barge-in verdict: it flushed (the reply paused), or there was nothing to interrupt.
      if (drainCallerRing(call.views, call.handler) > 0) call.ring.release();
      call.sink.topUp();
    } catch (err) {
      failed(call, err);
    }
  }
}

function end(callId: string, reason: string): void {
  const call = calls.get(callId);
  if (!call) return;
  calls.delete(callId);
  try {
    call.handler.onEnd(reason);
  } catch (err) {
    post({ t: 'failed', callId, err: errText(err) });
  } finally {
    // After onEnd: a handler may still flush its sink there. Nothing is sent on this slot any more.
    call.sink.close();
    post({ t: 'closed', callId, slot: call.slot });
  }
}

port.on('message', (m: ToHandlerThread) => {
  switch (m.t) {
    case 'tick':
      tick();
      return;
    case 'open':
      open(m.callId, m.tenant, m.slot);
      return;
    case 'connected': {
      const call = calls.get(m.callId);
      if (!call) return;
      try {
        call.handler.onConnected();
      } catch (err) {
        failed(call, err);
      }
      return;
    }
    case 'end':
      end(m.callId, m.reason);
      return;
    case 'tenants':
      replaceWorkerTenants(m.tenants);
      return;
  }
});

setInterval(() => post({ t: 'heap', heap: threadHeap() }), 1000).unref();

// FIRSTRING_MEDIA_CPU_PROF=<dir>: this thread is profiled too, in the same window as its media worker (thread-profiler.ts).
const profileRequest = profileRequestFromEnv();
if (profileRequest) {
  let ticks = 0;
  port.on('message', (m: ToHandlerThread) => {
    if (m.t === 'tick') ticks++;
  });
  armThreadProfile(profileRequest, 'handler-thread', { calls: () => calls.size, counters: () => ({ ticks }) }, (r) =>
    post(r instanceof Error ? { t: 'log', level: 'warn', msg: 'handler thread CPU profile failed', err: r.message } : { t: 'log', level: 'warn', msg: `handler thread CPU profile written: ${r}` }),
  );
}

post({ t: 'ready' });
