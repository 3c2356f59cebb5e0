/**
 * The handler threads of the gateway (handler-thread.ts), started by the main thread: a few
 * per process, each serving the call handlers of several media workers, so two workers' calls
 * share one V8 heap and one heap's garbage instead of two. Media worker `i` is linked to
 * thread `i % count` through a MessageChannel and a shared bridge made here (`link`).
 * A thread that dies is started again; the media workers it served are restarted by the pool
 * (`onExit`), since their calls' handlers died with it.
 */
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import { startModuleWorker } from './module-worker.js';
import { bridgeBuffer } from './handler-bridge-memory.js';
import { setThreadHeapGauge } from '../observability/thread-heap.js';
import type { Tenant } from '../agent/tenant/schema.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { FromHandlerThread, HandlerLinkData, HandlerThreadData, ToHandlerThread } from './handler-thread-messages.js';

export interface HandlerThreadsOptions {
  /** Threads to start (HANDLER_THREADS). */
  count: number;
  /** Module (URL href) exporting `createCallHandler`, and its options. */
  handlerModule: string;
  handlerOptions: unknown;
  nativeOpus: boolean;
  /** Call slots in each link's bridge (a media worker's call limit). */
  maxCallsPerLink: number;
  /** Cap on each thread's V8 young generation in MB (module-worker.ts); absent or 0: V8's own sizing. */
  youngGenerationMb?: number | undefined;
  /** A new records port per thread start (the main thread's records writer). */
  recordsPort?: () => MessagePort;
  /** The tenants a (re)started thread begins with; later changes come through `tenants()`. */
  tenants?: () => Tenant[];
  metrics: GatewayMetrics;
  log: Logger;
  /** Thread `thread` died: the media workers linked to it (by index) lost their calls' handlers. */
  onExit(thread: number, workers: number[]): void;
}

interface ThreadSlot {
  index: number;
  worker: Worker;
  ready: boolean;
  /** Media workers linked to this thread instance. */
  workers: Set<number>;
}

/** After a restarted thread fails before it is ready, the next attempt waits this long. */
const RESTART_BACKOFF_MS = 1000;

export class HandlerThreads {
  private readonly threads: ThreadSlot[] = [];
  private nextLink = 0;
  private closing = false;

  private constructor(private readonly opts: HandlerThreadsOptions) {}

  /** Starts every thread; resolves once each has loaded the handler module. */
  static async start(opts: HandlerThreadsOptions): Promise<HandlerThreads> {
    const t = new HandlerThreads(opts);
    try {
      await Promise.all(Array.from({ length: opts.count }, (_, i) => t.spawn(i)));
    } catch (err) {
      await t.close();
      throw err;
    }
    return t;
  }

  get size(): number {
    return this.threads.length;
  }

  /**
   * A link for media worker `worker` to its thread: the thread gets one end of a new channel and
   * a new bridge now (messages wait on the port until it listens); the worker gets the rest.
   */
  link(worker: number): HandlerLinkData {
    const thread = this.threads[worker % this.threads.length]!;
    const { port1, port2 } = new MessageChannel();
    const bridge = bridgeBuffer(this.opts.maxCallsPerLink);
    const m: ToHandlerThread = { t: 'attach', link: this.nextLink++, port: port1, bridge };
    thread.worker.postMessage(m, [port1]);
    thread.workers.add(worker);
    return { port: port2, bridge, maxCalls: this.opts.maxCallsPerLink };
  }

  tenants(tenants: Tenant[]): void {
    const m: ToHandlerThread = { t: 'tenants', tenants };
    for (const thread of this.threads) thread.worker.postMessage(m);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  private spawn(index: number): Promise<void> {
    const { opts } = this;
    const data: HandlerThreadData = { handlerModule: opts.handlerModule, handlerOptions: opts.handlerOptions, nativeOpus: opts.nativeOpus };
    const recordsPort = opts.recordsPort?.();
    if (recordsPort) data.recordsPort = recordsPort;
    const worker = startModuleWorker('handler-thread', { workerData: data, transferList: recordsPort ? [recordsPort] : [], youngGenerationMb: opts.youngGenerationMb });
    const slot: ThreadSlot = { index, worker, ready: false, workers: new Set() };
    this.threads[index] = slot;
    // Queued until the thread listens: it knows the tenants before any call.
    if (opts.tenants) worker.postMessage({ t: 'tenants', tenants: opts.tenants() } satisfies ToHandlerThread);
    return new Promise((resolve, reject) => {
      worker.on('message', (m: FromHandlerThread) => {
        switch (m.t) {
          case 'ready':
            slot.ready = true;
            resolve();
            return;
          case 'start_failed':
            reject(new Error(`handler thread could not start: ${m.message}`));
            return;
          case 'heap':
            setThreadHeapGauge(opts.metrics.threadHeap, `handler-${index}`, m.heap);
            return;
          case 'log':
            opts.log[m.level]({ err: m.err, thread: index }, m.msg);
            return;
        }
      });
      worker.on('error', (err) => {
        opts.log.error({ err, thread: index }, 'handler thread failed');
        if (!slot.ready) reject(err);
      });
      worker.on('exit', (code) => {
        if (!slot.ready) reject(new Error(`handler thread exited (code ${code}) before it was ready`));
        this.onExit(slot, code);
      });
    });
  }

  private onExit(slot: ThreadSlot, code: number): void {
    if (this.closing || this.threads[slot.index] !== slot) return;
    this.opts.log.error({ thread: slot.index, code, workers: [...slot.workers] }, 'handler thread exited: restarting it and the media workers it served');
    const restart = (): void => {
      if (this.closing) return;
      // Read now: a worker restarted during the pause linked to this dead thread too.
      const workers = [...slot.workers];
      // A restart that fails before it is ready exits too, and comes back here.
      this.spawn(slot.index).catch(() => undefined);
      // After the new thread exists: the workers' new links reach it.
      this.opts.onExit(slot.index, workers);
    };
    // A thread that never got ready (it fails as it starts) is retried after a pause, not in a loop.
    if (slot.ready) restart();
    else setTimeout(restart, RESTART_BACKOFF_MS).unref();
  }
}
