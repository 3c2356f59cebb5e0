import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { threadHeap } from './thread-heap.js';
import type { MallocStatsReader } from './malloc-stats.js';

/**
 * The gateway's Prometheus metrics, one registry per process (exposed at GET /metrics).
 * Latency names follow what LiveKit/pipecat users read: end-of-utterance delay,
 * end-to-end (caller stopped → first agent packet out), interruption detection delay.
 */
export interface GatewayMetrics {
  readonly registry: Registry;
  readonly callsActive: Gauge;
  readonly callsTotal: Counter<'outcome'>;
  readonly signalingErrors: Counter<'code'>;
  readonly wsConnections: Gauge;
  readonly tokensIssued: Counter<'tenant'>;
  /** Outbound RTP send time minus its scheduled time on the 20 ms clock (seconds). */
  readonly pacingJitter: Histogram;
  /** Media ticks that finished after the next one was due. */
  readonly tickOverruns: Counter;
  /** Media ticks run (one per worker every 20 ms while it has calls). */
  readonly mediaTicks: Counter;
  /** 20 ms slots a media clock dropped after a stall instead of catching up in a burst. */
  readonly mediaTicksSkipped: Counter;
  /** Run time of one media tick (all calls of a worker), seconds. */
  readonly tickDuration: Histogram;
  /** Each media worker's own event-loop delay over its last 1-s report (seconds), by worker and stat (p50, p99, max). */
  readonly workerLoopDelay: Gauge<'worker' | 'stat'>;
  /** V8 heap of each media worker and handler thread (the main thread's is in the default nodejs_heap_* metrics), bytes. */
  readonly threadHeap: Gauge<'thread' | 'kind'>;
  readonly setupSeconds: Histogram;
  readonly endOfUtteranceSeconds: Histogram;
  readonly endToEndSeconds: Histogram;
  /** The caller audio's jitter-buffer delay (over its fastest transit) at each end of caller speech, seconds. */
  readonly playoutDelay: Histogram;
  readonly bargeInSeconds: Histogram;
  readonly firstPacketInSeconds: Histogram;
  readonly srtpSessions: Counter<'impl'>;
  readonly jitterSessions: Counter<'impl'>;
  readonly srtpDropped: Counter<'cause'>;
  /** Duration of each periodic malloc_trim (src/gateway/malloc-trimmer.ts), seconds. */
  readonly mallocTrimSeconds: Histogram;
}

const MS_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05];
/** Fine around a turn's 0.5–1 s, where a latency budget is judged. */
const LATENCY_BUCKETS = [0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 2, 3, 5];
const PLAYOUT_BUCKETS = [0.02, 0.04, 0.06, 0.08, 0.1, 0.15, 0.2, 0.3];

export interface MetricsOptions {
  /** The process's C allocator totals, read at each scrape (`firstring_malloc_bytes`). */
  mallocStats?: MallocStatsReader;
}

export function createMetrics(withDefaults = true, opts: MetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  if (withDefaults) collectDefaultMetrics({ register: registry, prefix: 'firstring_' });
  const registers = [registry];
  const readMalloc = opts.mallocStats;
  if (readMalloc) {
    new Gauge({
      name: 'firstring_malloc_bytes',
      help: 'C allocator memory of the process (all threads), by kind: in_use, free (kept by the arenas), arena, mmapped',
      labelNames: ['kind'],
      registers,
      collect() {
        const m = readMalloc();
        if (!m) return;
        this.set({ kind: 'in_use' }, m.inUseBytes);
        this.set({ kind: 'free' }, m.freeBytes);
        this.set({ kind: 'arena' }, m.arenaBytes);
        this.set({ kind: 'mmapped' }, m.mmappedBytes);
      },
    });
  }
  return {
    registry,
    callsActive: new Gauge({ name: 'firstring_calls_active', help: 'Calls in progress', registers }),
    callsTotal: new Counter({ name: 'firstring_calls_total', help: 'Finished calls by outcome', labelNames: ['outcome'], registers }),
    signalingErrors: new Counter({ name: 'firstring_signaling_errors_total', help: 'Signaling errors sent, by code', labelNames: ['code'], registers }),
    wsConnections: new Gauge({ name: 'firstring_signaling_connections', help: 'Open signaling WebSockets', registers }),
    tokensIssued: new Counter({ name: 'firstring_call_tokens_issued_total', help: 'Call tokens issued', labelNames: ['tenant'], registers }),
    pacingJitter: new Histogram({ name: 'firstring_outbound_pacing_jitter_seconds', help: 'Outbound RTP send time minus scheduled time', buckets: MS_BUCKETS, registers }),
    tickOverruns: new Counter({ name: 'firstring_media_tick_overruns_total', help: '20 ms media ticks that finished late', registers }),
    mediaTicks: new Counter({ name: 'firstring_media_ticks_total', help: '20 ms media ticks run by the media workers', registers }),
    mediaTicksSkipped: new Counter({ name: 'firstring_media_ticks_skipped_total', help: '20 ms media slots skipped after a worker stall (not sent late in a burst)', registers }),
    tickDuration: new Histogram({ name: 'firstring_media_tick_duration_seconds', help: 'Run time of one media tick of a worker (all its calls)', buckets: MS_BUCKETS, registers }),
    workerLoopDelay: new Gauge({
      name: 'firstring_media_worker_event_loop_delay_seconds',
      help: 'Media worker event-loop delay over its last 1-s report, by worker and stat (p50, p99, max)',
      labelNames: ['worker', 'stat'],
      registers,
    }),
    threadHeap: new Gauge({
      name: 'firstring_thread_heap_bytes',
      help: 'V8 heap of each media worker and handler thread, by thread (media-N, handler-N) and kind (used, physical, external, young_limit: the most its young generation may take, live: in use after its last full collection; the main thread reports live only)',
      labelNames: ['thread', 'kind'],
      registers,
      collect() {
        this.set({ thread: 'main', kind: 'live' }, threadHeap().liveBytes);
      },
    }),
    setupSeconds: new Histogram({ name: 'firstring_call_setup_seconds', help: 'Offer received to first agent packet out', buckets: LATENCY_BUCKETS, registers }),
    endOfUtteranceSeconds: new Histogram({ name: 'firstring_end_of_utterance_delay_seconds', help: 'Caller speech end to end-of-turn decision', buckets: LATENCY_BUCKETS, registers }),
    endToEndSeconds: new Histogram({ name: 'firstring_end_to_end_seconds', help: 'Caller speech end to first agent packet out', buckets: LATENCY_BUCKETS, registers }),
    playoutDelay: new Histogram({
      name: 'firstring_caller_playout_delay_seconds',
      help: 'Caller audio jitter-buffer delay over its fastest transit, at each end of caller speech',
      buckets: PLAYOUT_BUCKETS,
      registers,
    }),
    bargeInSeconds: new Histogram({ name: 'firstring_interruption_stop_seconds', help: 'Barge-in detected to agent audio stopped on the wire', buckets: MS_BUCKETS.concat(LATENCY_BUCKETS), registers }),
    srtpSessions: new Counter({ name: 'firstring_srtp_sessions_total', help: 'Connected calls by SRTP implementation', labelNames: ['impl'], registers }),
    jitterSessions: new Counter({ name: 'firstring_jitter_engine_sessions_total', help: 'Connected calls by caller-audio path (native jitter engine or none)', labelNames: ['impl'], registers }),
    srtpDropped: new Counter({ name: 'firstring_srtp_dropped_total', help: 'Received SRTP packets refused by the native SRTP, by cause', labelNames: ['cause'], registers }),
    mallocTrimSeconds: new Histogram({ name: 'firstring_malloc_trim_seconds', help: 'Duration of each periodic malloc_trim on a pool thread', buckets: MS_BUCKETS.concat([0.1, 0.2]), registers }),
    firstPacketInSeconds: new Histogram({ name: 'firstring_first_packet_in_seconds', help: 'Offer received to first caller RTP packet', buckets: LATENCY_BUCKETS, registers }),
  };
}
