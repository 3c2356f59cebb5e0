/**
 * A handler thread: runs the call handlers (the speech pipeline, the dialog, the provider
 * clients) of one or more media workers on a V8 heap of its own, so their garbage collections
 * never hold up a worker's 20 ms media clock. The main thread starts it and attaches media
 * workers to it (handler-threads.ts), each through a link: a MessagePort and a shared bridge
 * (handler-bridge-memory.ts). Caller frames arrive in the bridge's rings, announced by one
 * `tick` per 20 ms from that worker; the agent's frames are encoded here and left in a ring
 * the worker's pacer sends from. Everything else is a message (handler-thread-messages.ts).
 * One thread serving several workers keeps one heap, and one heap's garbage, for all their calls.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
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
import type { FromHandlerLink, FromHandlerThread, HandlerThreadData, ToHandlerLink, ToHandlerThread } from './handler-thread-messages.js';

const parent = parentPort;
if (!parent) throw new Error('handler-thread.ts must run as a worker thread');
const data = workerData as HandlerThreadData;
const post = (m: FromHandlerThread): void => parent.postMessage(m);

// Whatever thread starts it, this thread runs at the normal priority: a media worker's raised one is for its clock only.
const niceRefused = setThreadNice(0, { force: true });
if (niceRefused) post({ t: 'log', level: 'warn', msg: `handler thread keeps its creator's priority: ${niceRefused}` });
// A stray rejection inside a provider client must not take down every call of this thread.
process.on('unhandledRejection', (err) => post({ t: 'log', level: 'warn', msg: 'unhandled rejection in handler thread', err: String(err) }));

/** The handler module's factory; a module that fails to load or lacks it stops the thread with the reason. */
async function loadFactory(url: string): Promise<CallHandlerFactory> {
  try {
    const mod = (await import(url)) as { createCallHandler?: CallHandlerFactory };
    if (typeof mod.createCallHandler !== 'function') throw new Error(`${url} does not export createCallHandler`);
    return mod.createCallHandler;
  } catch (err) {
    post({ t: 'start_failed', message: errText(err) });
    process.exit(1);
  }
}
const createHandler = await loadFactory(data.handlerModule);

interface Call {
  callId: string;
  slot: number;
  handler: CallHandler;
  sink: RingAudioSink;
  ring: AgentRingWriter;
  views: BridgeSlotViews;
  failed: boolean;
}

function encoder(): AgentFrameEncoder {
  return data.nativeOpus && hasNativeOpusEncoder() ? new NativeOpusEncoder16k(AGENT_VOICE_OPUS) : new OpusEncoder16k(AGENT_VOICE_OPUS);
}

function errText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

/** The attached media workers' links, by link id. */
const links = new Map<number, Link>();
/** Ticks received from all links (the CPU profile's counter). */
let ticks = 0;

/** One media worker's calls: their messages on `port`, their audio in `bridge`. */
class Link {
  /** Views per bridge slot, made on first use and kept. */
  private readonly views: BridgeSlotViews[] = [];
  private readonly calls = new Map<string, Call>();
  private gone = false;

  constructor(
    readonly id: number,
    private readonly port: MessagePort,
    private readonly bridge: SharedArrayBuffer,
  ) {
    port.on('message', (m: ToHandlerLink) => this.onMessage(m));
    // The worker is gone (it failed, or the pool stopped it): its calls end here too.
    port.on('close', () => this.detach());
  }

  get size(): number {
    return this.calls.size;
  }

  private send(m: FromHandlerLink): void {
    if (!this.gone) this.port.postMessage(m);
  }

  private onMessage(m: ToHandlerLink): void {
    switch (m.t) {
      case 'tick':
        ticks++;
        this.tick();
        return;
      case 'open':
        this.open(m.callId, m.tenant, m.slot);
        return;
      case 'connected': {
        const call = this.calls.get(m.callId);
        if (!call) return;
        try {
          call.handler.onConnected();
        } catch (err) {
          this.failed(call, err);
        }
        return;
      }
      case 'end':
        this.end(m.callId, m.reason);
        return;
    }
  }

  /** A throwing handler ends its own call (the media worker hangs it up), never the thread's other calls. */
  private failed(call: Call, err: unknown): void {
    if (call.failed) return;
    call.failed = true;
    this.send({ t: 'failed', callId: call.callId, err: errText(err) });
  }

  private open(callId: string, tenant: string, slot: number): void {
    const v = (this.views[slot] ??= new BridgeSlotViews(this.bridge, slot));
    const ring = new AgentRingWriter(v);
    const sink = new RingAudioSink(ring, encoder());
    try {
      const handler = createHandler(
        {
          callId,
          tenant,
          audio: sink,
          now: wallClock,
          report: {
            mark: (mark, at) => this.send({ t: 'mark', callId, mark, at }),
            turn: (turn) => this.send({ t: 'turn', callId, turn }),
            transcript: (role, text, final) => this.send({ t: 'transcript', callId, role, text, final }),
          },
          hangup: (reason) => this.send({ t: 'hangup', callId, reason }),
        },
        data.handlerOptions,
      );
      this.calls.set(callId, { callId, slot, handler, sink, ring, views: v, failed: false });
      this.send({ t: 'opened', callId, mediaConfig: handler.mediaConfig, takesVerdicts: typeof handler.onVoiceActivity === 'function' });
    } catch (err) {
      this.send({ t: 'open_failed', callId, message: err instanceof Error ? err.message : String(err) });
    }
  }

  /** This tick's caller frames to each handler, then each call's agent ring topped up. */
  private tick(): void {
    for (const call of this.calls.values()) {
      if (call.failed) continue;
      try {
        // The handler has seen the barge-in verdict: it flushed (the reply paused), or there was nothing to interrupt.
        if (drainCallerRing(call.views, call.handler) > 0) call.ring.release();
        call.sink.topUp();
      } catch (err) {
        this.failed(call, err);
      }
    }
  }

  private end(callId: string, reason: string): void {
    const call = this.calls.get(callId);
    if (!call) return;
    this.calls.delete(callId);
    try {
      call.handler.onEnd(reason);
    } catch (err) {
      this.send({ t: 'failed', callId, err: errText(err) });
    } finally {
      // After onEnd: a handler may still flush its sink there. Nothing is sent on this slot any more.
      call.sink.close();
      this.send({ t: 'closed', callId, slot: call.slot });
    }
  }

  private detach(): void {
    if (this.gone) return;
    this.gone = true;
    links.delete(this.id);
    const left = [...this.calls.keys()];
    for (const callId of left) this.end(callId, 'worker_failed');
    if (left.length > 0) post({ t: 'log', level: 'warn', msg: `media worker link ${this.id} closed with ${left.length} calls: they ended` });
  }
}

parent.on('message', (m: ToHandlerThread) => {
  switch (m.t) {
    case 'attach':
      links.set(m.link, new Link(m.link, m.port, m.bridge));
      return;
    case 'tenants':
      replaceWorkerTenants(m.tenants);
      return;
  }
});

setInterval(() => post({ t: 'heap', heap: threadHeap() }), 1000).unref();

// FIRSTRING_MEDIA_CPU_PROF=<dir>: this thread is profiled too, in the same window as the media workers (thread-profiler.ts).
const profileRequest = profileRequestFromEnv();
if (profileRequest) {
  const calls = (): number => [...links.values()].reduce((n, l) => n + l.size, 0);
  armThreadProfile(profileRequest, 'handler-thread', { calls, counters: () => ({ ticks }) }, (r) =>
    post(r instanceof Error ? { t: 'log', level: 'warn', msg: 'handler thread CPU profile failed', err: r.message } : { t: 'log', level: 'warn', msg: `handler thread CPU profile written: ${r}` }),
  );
}

post({ t: 'ready' });
