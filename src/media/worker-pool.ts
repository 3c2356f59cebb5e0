import type { MessagePort, Worker } from 'node:worker_threads';
import { startModuleWorker } from './module-worker.js';
import { HandlerThreads } from './handler-threads.js';
import { setThreadHeapGauge } from '../observability/thread-heap.js';
import type { Tenant } from '../agent/tenant/schema.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { CallControl, CallHost, CallInit, CallSignalEvents } from '../signaling/call-host.js';
import { CallLatency, type CallRecorder } from './webrtc-call-record.js';
import type { WebRtcSettings } from './webrtc-settings.js';
import type { FromWorker, MediaWorkerData, ToWorker } from './worker-pool-messages.js';
import { mediaWorkerNiceFromEnv } from './worker-thread-priority.js';

export interface WorkerPoolOptions {
  settings: WebRtcSettings;
  /** Module (URL) exporting `createCallHandler`, loaded in every worker; options are passed through. */
  handler: { module: URL; options: unknown };
  recorder: CallRecorder;
  metrics: GatewayMetrics;
  log: Logger;
  connectTimeoutMs?: number;
  /**
   * The main thread's tenants (the source of truth): sent to every worker at start and on every
   * change. Without it each worker's handler loads its tenants itself (its options' tenantsDir).
   */
  tenants?: TenantFeed;
  /** A new records port per thread start (main thread's records writer): the call handlers' CallLog posts on it. */
  recordsPort?: () => MessagePort;
  /** Nice value of the media worker threads [MEDIA_WORKER_NICE, else -10]; 0 leaves them as is (worker-thread-priority.ts). */
  threadNice?: number;
}

/** The effective tenants and their changes (implemented by the admin TenantDirectory). */
export interface TenantFeed {
  /** Active tenants, as calls should see them now. */
  list(): Tenant[];
  /** Calls `listener` after the tenants changed; returns an unsubscribe. */
  onChange(listener: () => void): () => void;
}

interface Slot {
  index: number;
  worker: Worker;
  calls: Set<string>;
  ready: boolean;
}

interface LiveCall {
  slot: Slot;
  tenant: string;
  events: CallSignalEvents;
  latency: CallLatency;
  ended: boolean;
}

/**
 * Media worker threads (one per core by default), each running the werift peer
 * connections of its calls, and the handler threads that run their call handlers
 * (handler-threads.ts; none with HANDLER_THREAD=inline). New calls go to the worker with
 * the fewest calls. Implements the signaling layer's CallHost.
 */
export class MediaWorkerPool implements CallHost {
  private readonly slots: Slot[] = [];
  private readonly calls = new Map<string, LiveCall>();
  private readonly pending = new Map<number, { slot: Slot; resolve: (sdp: string) => void; reject: (e: Error) => void }>();
  private readonly perTenant = new Map<string, number>();
  private reqId = 0;
  private closing = false;
  private unsubscribe: (() => void) | undefined;
  private handlerThreads: HandlerThreads | undefined;

  private constructor(private readonly opts: WorkerPoolOptions) {}

  static async start(opts: WorkerPoolOptions): Promise<MediaWorkerPool> {
    const pool = new MediaWorkerPool(opts);
    const { settings, tenants: feed } = opts;
    pool.unsubscribe = feed?.onChange(() => pool.broadcastTenants());
    try {
      if (settings.handlerThread !== 'inline') {
        pool.handlerThreads = await HandlerThreads.start({
          count: Math.min(settings.handlerThreads ?? 1, settings.workers),
          handlerModule: opts.handler.module.href,
          handlerOptions: opts.handler.options,
          nativeOpus: settings.opusCodec !== 'js',
          maxCallsPerLink: settings.maxCallsPerWorker,
          youngGenerationMb: settings.youngGenerationMb?.handler,
          ...(opts.recordsPort ? { recordsPort: opts.recordsPort } : {}),
          ...(feed ? { tenants: () => feed.list() } : {}),
          metrics: opts.metrics,
          log: opts.log,
          onExit: (_thread, workers) => pool.restartWorkers(workers),
        });
      }
      await Promise.all(Array.from({ length: settings.workers }, (_, i) => pool.spawn(i)));
    } catch (err) {
      pool.unsubscribe?.();
      // Nothing is restarted from here on: the threads that did start are stopped.
      pool.closing = true;
      await pool.handlerThreads?.close();
      await Promise.all(pool.slots.map((s) => s.worker.terminate()));
      throw err;
    }
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }

  ready(): boolean {
    return !this.closing && this.slots.length > 0 && this.slots.every((s) => s.ready);
  }

  activeCalls(): number {
    return this.calls.size;
  }

  /** Calls of one tenant in progress (tenant limits count these). */
  activeCallsOf(tenant: string): number {
    return this.perTenant.get(tenant) ?? 0;
  }

  startCall(init: CallInit, events: CallSignalEvents): CallControl {
    const slot = this.slots.filter((s) => s.ready).sort((a, b) => a.calls.size - b.calls.size)[0];
    if (this.closing || !slot || slot.calls.size >= this.opts.settings.maxCallsPerWorker) throw new Error('over capacity');
    const { callId } = init;
    this.calls.set(callId, { slot, tenant: init.tenant, events, latency: new CallLatency(init.acceptedAt, this.opts.metrics), ended: false });
    slot.calls.add(callId);
    this.perTenant.set(init.tenant, this.activeCallsOf(init.tenant) + 1);
    this.opts.metrics.callsActive.inc();
    this.opts.recorder.callStarted({ callId, tenant: init.tenant, channel: 'webrtc', startedAt: init.acceptedAt });
    this.send(slot, { t: 'start', callId, tenant: init.tenant });
    return {
      offer: (sdp) =>
        new Promise<string>((resolve, reject) => {
          const reqId = ++this.reqId;
          this.pending.set(reqId, { slot, resolve, reject });
          this.send(slot, { t: 'offer', callId, reqId, sdp });
        }),
      addCandidate: (candidate) => this.send(slot, { t: 'candidate', callId, candidate: candidate ?? null }),
      hangup: (reason) => this.send(slot, { t: 'hangup', callId, reason }),
    };
  }

  /** Hangs up every call, waits for them to end (up to `graceMs`), then stops the workers. */
  async close(graceMs = 2000): Promise<void> {
    this.closing = true;
    this.unsubscribe?.();
    for (const [callId, c] of this.calls) this.send(c.slot, { t: 'hangup', callId, reason: 'gateway_shutdown' });
    const deadline = Date.now() + graceMs;
    while (this.calls.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    await this.handlerThreads?.close();
  }

  /** Their handler thread died: these workers' calls lost their handlers; each ends them and starts again (its exit handler). */
  private restartWorkers(indices: number[]): void {
    for (const i of indices) void this.slots[i]?.worker.terminate();
  }

  private send(slot: Slot, m: ToWorker): void {
    slot.worker.postMessage(m);
  }

  /** Every worker, ready or starting, gets the current tenants (messages keep their order: before any later call start). */
  private broadcastTenants(): void {
    const feed = this.opts.tenants;
    if (!feed || this.closing) return;
    const tenants = feed.list();
    const m: ToWorker = { t: 'tenants', tenants };
    for (const slot of this.slots) if (slot) this.send(slot, m);
    this.handlerThreads?.tenants(tenants);
  }

  private spawn(index: number): Promise<void> {
    const data: MediaWorkerData = {
      settings: this.opts.settings,
      handlerModule: this.opts.handler.module.href,
      handlerOptions: this.opts.handler.options,
      connectTimeoutMs: this.opts.connectTimeoutMs ?? 20_000,
      threadNice: this.opts.threadNice ?? mediaWorkerNiceFromEnv(),
    };
    const transferList: MessagePort[] = [];
    if (this.handlerThreads) {
      // A new link each start: the thread saw the last one's port close and ended its calls.
      data.handlerLink = this.handlerThreads.link(index);
      transferList.push(data.handlerLink.port);
    } else {
      // Handlers run in the worker itself: it writes their records.
      const recordsPort = this.opts.recordsPort?.();
      if (recordsPort) {
        data.recordsPort = recordsPort;
        transferList.push(recordsPort);
      }
    }
    const worker = startModuleWorker('media-worker', { workerData: data, transferList, youngGenerationMb: this.opts.settings.youngGenerationMb?.media });
    const slot: Slot = { index, worker, calls: new Set(), ready: false };
    this.slots[index] = slot;
    // Queued on the port until the worker listens: it knows the tenants before its first call.
    if (this.opts.tenants) this.send(slot, { t: 'tenants', tenants: this.opts.tenants.list() });
    return new Promise((resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        if (m.t === 'ready') {
          if (m.fallback) this.opts.log.warn({ worker: index, reason: m.fallback }, 'media worker runs without a native part');
          slot.ready = true;
          resolve();
          return;
        }
        this.onMessage(m, slot);
      });
      worker.on('error', (err) => {
        this.opts.log.error({ err, worker: index }, 'media worker failed');
        if (!slot.ready) reject(err);
      });
      worker.on('exit', (code) => {
        slot.ready = false;
        for (const [reqId, p] of this.pending) {
          if (p.slot !== slot) continue;
          this.pending.delete(reqId);
          p.reject(new Error('media worker exited'));
        }
        for (const callId of [...slot.calls]) this.onEnded(callId, 'worker_failed', Date.now());
        if (!this.closing) {
          this.opts.log.error({ worker: index, code }, 'media worker exited: restarting');
          this.spawn(index).catch((err: unknown) => this.opts.log.error({ err }, 'media worker restart failed'));
        }
      });
    });
  }

  private onMessage(m: FromWorker, slot: Slot): void {
    const { metrics, recorder } = this.opts;
    switch (m.t) {
      case 'answer':
      case 'answer_error': {
        const p = this.pending.get(m.reqId);
        this.pending.delete(m.reqId);
        if (m.t === 'answer') p?.resolve(m.sdp);
        else p?.reject(new Error(m.message));
        return;
      }
      case 'stats': {
        for (const ms of m.jitterMs) metrics.pacingJitter.observe(Math.max(0, ms) / 1000);
        for (const ms of m.busyMs) metrics.tickDuration.observe(ms / 1000);
        for (const ms of m.playoutDelayMs) metrics.playoutDelay.observe(ms / 1000);
        if (m.ticks > 0) metrics.mediaTicks.inc(m.ticks);
        if (m.overruns > 0) metrics.tickOverruns.inc(m.overruns);
        if (m.skipped > 0) metrics.mediaTicksSkipped.inc(m.skipped);
        const worker = String(slot.index);
        for (const stat of ['p50', 'p99', 'max'] as const) metrics.workerLoopDelay.set({ worker, stat }, m.loopDelayMs[stat] / 1000);
        setThreadHeapGauge(metrics.threadHeap, `media-${worker}`, m.heap);
        return;
      }
      case 'candidate':
        this.calls.get(m.callId)?.events.candidate(m.candidate);
        return;
      case 'connected':
        metrics.srtpSessions.inc({ impl: m.srtp });
        metrics.jitterSessions.inc({ impl: m.jitter });
        this.calls.get(m.callId)?.events.state('connected');
        return;
      case 'mark': {
        const c = this.calls.get(m.callId);
        if (!c) return;
        c.latency.mark(m.mark, m.at);
        recorder.latency(m.callId, m.mark, m.at);
        return;
      }
      case 'turn':
        if (this.calls.has(m.callId)) recorder.turn(m.callId, m.turn);
        return;
      case 'transcript':
        this.calls.get(m.callId)?.events.transcript(m.role, m.text, m.final, m.at);
        return;
      case 'ended':
        for (const [cause, n] of Object.entries(m.srtpDropped ?? {})) if (n > 0) metrics.srtpDropped.inc({ cause }, n);
        this.onEnded(m.callId, m.reason, m.at);
        return;
      case 'log':
        this.opts.log[m.level]({ err: m.err }, m.msg);
        return;
      case 'ready':
        return;
    }
  }

  private onEnded(callId: string, reason: string, at: number): void {
    const c = this.calls.get(callId);
    if (!c || c.ended) return;
    c.ended = true;
    this.calls.delete(callId);
    c.slot.calls.delete(callId);
    const left = this.activeCallsOf(c.tenant) - 1;
    if (left > 0) this.perTenant.set(c.tenant, left);
    else this.perTenant.delete(c.tenant);
    this.opts.metrics.callsActive.dec();
    this.opts.metrics.callsTotal.inc({ outcome: reason });
    this.opts.recorder.callEnded(callId, { endedAt: at, reason, latency: c.latency.summary });
    c.events.state('ended', reason);
  }
}
