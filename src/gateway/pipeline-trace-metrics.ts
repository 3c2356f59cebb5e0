import { BroadcastChannel } from 'node:worker_threads';
import type { Registry } from 'prom-client';
import { onPipelineTraces } from '../media/pipeline-trace.js';
import { registerPipelineMetrics } from '../pipeline/index.js';

/**
 * Feeds the pipeline's per-turn histograms (end-of-utterance delay, transcription
 * delay, LLM TTFT, TTS TTFB, end-to-end, interruption stop) on the main thread's
 * registry from the turn records and metrics the media workers' pipeline handlers
 * post on `channelName` (their `traceChannel` option).
 */
export function feedPipelineMetrics(channelName: string, registry: Registry): { close(): void } {
  const sink = registerPipelineMetrics(registry);
  const channel = new BroadcastChannel(channelName);
  channel.unref();
  onPipelineTraces(channel, (t) => {
    if (t.type === 'turn') sink.observeTurn(t.record);
    else if (t.type === 'metric') sink.observeMetric(t.metric);
  });
  return { close: () => channel.close() };
}
