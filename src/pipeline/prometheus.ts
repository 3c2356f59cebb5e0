/** Prometheus histograms for the pipeline's per-turn figures; the composition root registers them. */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { PipelineMetric, TurnRecord } from './metrics.js';

/** Fine around a turn's 0.5–1 s, where a latency budget is judged. */
const BUCKETS = [25, 50, 100, 150, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1250, 1500, 2000, 3000, 5000, 10000];

export interface PipelineMetricsSink {
  observeTurn(record: TurnRecord): void;
  observeMetric(metric: PipelineMetric): void;
}

export function registerPipelineMetrics(registry: Registry): PipelineMetricsSink {
  const h = (name: string, help: string, labelNames: string[] = []): Histogram<string> =>
    new Histogram({ name, help, buckets: BUCKETS, labelNames, registers: [registry] });
  const eou = h('firstring_end_of_utterance_delay_ms', 'Caller speech end to end-of-turn decision');
  const transcription = h('firstring_transcription_delay_ms', 'Caller speech end to final transcript', ['provider']);
  const ttft = h('firstring_llm_ttft_ms', 'LLM time to first token');
  const ttfb = h('firstring_tts_ttfb_ms', 'TTS time to first audio', ['provider']);
  const e2e = h('firstring_end_to_end_ms', 'Caller speech end to first agent audio frame out');
  const stop = h('firstring_interruption_stop_ms', 'Barge-in event to agent audio flushed');
  const turns = new Counter({ name: 'firstring_turns_total', help: 'Caller turns by outcome', labelNames: ['outcome'], registers: [registry] });
  const fillers = new Counter({ name: 'firstring_fillers_total', help: 'Fillers played because a stage was slow', registers: [registry] });
  const discarded = new Counter({ name: 'firstring_speculations_discarded_total', help: 'Speculative replies discarded because the caller went on', registers: [registry] });
  const overBudget = new Counter({ name: 'firstring_budget_exceeded_total', help: 'Turns over a stage budget', labelNames: ['stage'], registers: [registry] });
  return {
    observeTurn(r) {
      turns.inc({ outcome: r.outcome });
      if (r.endOfUtteranceDelayMs !== null) eou.observe(r.endOfUtteranceDelayMs);
      if (r.transcriptionDelayMs !== null) transcription.observe({ provider: r.sttProvider ?? 'unknown' }, r.transcriptionDelayMs);
      if (r.endToEndMs !== null) e2e.observe(r.endToEndMs);
      if (r.fillerPlayed) fillers.inc();
      if (r.speculationsDiscarded) discarded.inc(r.speculationsDiscarded);
      for (const stage of r.budgetsExceeded) overBudget.inc({ stage });
    },
    observeMetric(m) {
      if (m.type === 'llm_metrics' && m.ttftMs !== null && !m.cancelled) ttft.observe(m.ttftMs);
      else if (m.type === 'tts_metrics' && m.ttfbMs !== null && !m.cancelled) ttfb.observe({ provider: m.provider }, m.ttfbMs);
      else if (m.type === 'interruption_metrics') stop.observe(m.stopDelayMs);
    },
  };
}
