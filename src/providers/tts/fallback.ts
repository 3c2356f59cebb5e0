/**
 * TTS with a first-audio budget and a fallback voice (OpenAI → espeak-ng).
 * Output is resampled to the pipeline rate, so both providers look alike.
 * If the primary has not produced audio within `firstAudioBudgetMs`, or fails
 * before its first chunk, the sentence is spoken by the fallback instead; a
 * primary that breaks mid-sentence ends that sentence. After three such failures in a
 * row the primary sits out a cool-down (circuit-breaker.ts).
 */
import type { Logger } from '../../observability/logger.js';
import { PIPELINE_RATE, StreamingResampler } from '../audio/pcm.js';
import { CircuitBreaker, type CircuitBreakerOptions } from '../circuit-breaker.js';
import type { Language, TtsProvider, TtsRequest } from './types.js';
import { linkSignals } from '../linked-signal.js';

export interface FallbackTtsOptions extends CircuitBreakerOptions {
  firstAudioBudgetMs?: number;
  /** Longest gap between two chunks of a sentence before the primary counts as stalled (default 2000 ms). */
  stallMs?: number;
  logger?: Logger;
  onFallback?: (reason: string) => void;
}

type Next = IteratorResult<Int16Array> | 'timeout';

function nextWithin(it: AsyncIterator<Int16Array>, ms: number): Promise<Next> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    it.next(),
    new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms))),
  ]).finally(() => clearTimeout(timer));
}

/** Any provider's stream resampled to the pipeline rate. */
export async function* atPipelineRate(tts: TtsProvider, req: TtsRequest): AsyncIterable<Int16Array> {
  const rs = new StreamingResampler(tts.sampleRate, PIPELINE_RATE);
  for await (const chunk of tts.synthesize(req)) {
    const out = rs.push(chunk);
    if (out.length) yield out;
  }
}

export class FallbackTts implements TtsProvider {
  readonly id: string;
  readonly sampleRate = PIPELINE_RATE;
  readonly languages: readonly Language[];
  private readonly breaker: CircuitBreaker;

  constructor(private readonly primary: TtsProvider, private readonly secondary: TtsProvider, private readonly opts: FallbackTtsOptions = {}) {
    this.id = `${primary.id}>${secondary.id}`;
    this.languages = [...new Set([...primary.languages, ...secondary.languages])];
    this.breaker = new CircuitBreaker(opts);
  }

  voiceFor(language: Language): string {
    return this.primary.voiceFor(language);
  }

  private giveUp(reason: string): void {
    const opened = this.breaker.failure();
    this.opts.logger?.warn({ provider: this.primary.id, reason, skipped: opened }, 'tts fallback');
    this.opts.onFallback?.(reason);
  }

  async *synthesize(req: TtsRequest): AsyncIterable<Int16Array> {
    if (req.signal?.aborted) return;
    if (this.breaker.open) {
      yield* atPipelineRate(this.secondary, { ...req, voice: undefined });
      return;
    }
    const ac = new AbortController();
    const linked = req.signal ? linkSignals([req.signal, ac.signal]) : undefined;
    const it = atPipelineRate(this.primary, { ...req, signal: linked?.signal ?? ac.signal })[Symbol.asyncIterator]();
    let produced = false;
    try {
      for (;;) {
        let next: Next;
        try {
          next = await nextWithin(it, produced ? this.opts.stallMs ?? 2000 : this.opts.firstAudioBudgetMs ?? 1000);
        } catch (err) {
          if (req.signal?.aborted) return;
          this.giveUp(err instanceof Error ? err.message : String(err));
          break;
        }
        if (next === 'timeout') {
          this.giveUp(produced ? 'stalled mid-sentence' : 'first audio over budget');
          break;
        }
        if (next.done) {
          this.breaker.success();
          return;
        }
        produced = true;
        yield next.value;
      }
    } finally {
      ac.abort();
      linked?.dispose();
      it.return?.().catch(() => undefined);
    }
    if (!produced && !req.signal?.aborted) yield* atPipelineRate(this.secondary, { ...req, voice: undefined });
  }

  async close(): Promise<void> {
    await Promise.all([this.primary.close(), this.secondary.close()]);
  }
}
