/**
 * The pipeline handlers' trace channel: per-turn records, pipeline metrics and call ends,
 * posted from the handler threads on a named BroadcastChannel, in batches, to the main
 * thread's recorder and metrics (src/gateway/).
 */
import { BroadcastChannel } from 'node:worker_threads';
import type { EndReason } from '../agent/types.js';
import type { PipelineMetric, TurnRecord } from '../pipeline/index.js';

/** What the trace channel carries (see `traceChannel` in the handler options). */
export type PipelineTrace =
  | { type: 'turn'; callId: string; record: TurnRecord }
  | { type: 'metric'; callId: string; metric: PipelineMetric }
  | { type: 'ended'; callId: string; reason: string; endReason: EndReason };

/**
 * The traces of one channel, posted in batches: every trace queued in one turn of the event
 * loop goes in one message (an array), not one postMessage per metric.
 */
export class TraceBatcher {
  private readonly channel: BroadcastChannel;
  private queued: PipelineTrace[] = [];

  constructor(name: string) {
    this.channel = new BroadcastChannel(name);
    this.channel.unref();
  }

  post(t: PipelineTrace): void {
    if (this.queued.length === 0) setImmediate(this.flush);
    this.queued.push(t);
  }

  private readonly flush = (): void => {
    const batch = this.queued;
    this.queued = [];
    this.channel.postMessage(batch);
  };
}

const traces = new Map<string, TraceBatcher>();

export function traceChannel(name: string | undefined): TraceBatcher | undefined {
  if (!name) return undefined;
  let ch = traces.get(name);
  if (!ch) {
    ch = new TraceBatcher(name);
    traces.set(name, ch);
  }
  return ch;
}

/** Calls `fn` for every trace received on `channel` (each message is a batch: an array of traces). */
export function onPipelineTraces(channel: BroadcastChannel, fn: (t: PipelineTrace) => void): void {
  channel.onmessage = (ev) => {
    const data = (ev as { data: unknown }).data;
    if (Array.isArray(data)) for (const t of data as PipelineTrace[]) fn(t);
  };
}
