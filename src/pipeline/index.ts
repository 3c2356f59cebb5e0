/** The speech pipeline's public surface (see docs/pipeline.md). */
export { CallPipeline, APOLOGIES, LANGUAGE_NOTICES, pipelinePhrases, type CallPipelineOptions, type PipelineEvents } from './call-pipeline.js';
export { resolvePipelineConfig, type LatencyBudgets, type EndpointingConfig, type InterruptionConfig, type PipelineConfig, type PipelineConfigInput } from './config.js';
export type { PipelineMetric, TurnRecord, TurnOutcome, TurnTimestamps } from './metrics.js';
export { registerPipelineMetrics, type PipelineMetricsSink } from './prometheus.js';
export type { AgentActions, AgentAudioSink, BargeInEvent, DialogExpecting, EncodedFrame, Responder, ResponderChunk, VadEvent } from './types.js';
