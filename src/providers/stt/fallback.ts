/**
 * STT with a budget: the primary recognizer gets `budgetMs`; if it fails or
 * runs out of time the utterance goes to the fallback (OpenAI → pocketsphinx),
 * so a broken provider costs one budget, not a silent call. After three failures in a
 * row the primary sits out a cool-down (circuit-breaker.ts).
 */
import type { Logger } from '../../observability/logger.js';
import { CircuitBreaker, type CircuitBreakerOptions } from '../circuit-breaker.js';
import type { Language, PartialStream, PartialStreamOptions, SttProvider, Utterance, UtteranceResult } from './types.js';
import { linkSignals } from '../linked-signal.js';

export interface FallbackSttOptions extends CircuitBreakerOptions {
  /** Time the primary gets per utterance before the fallback takes over (default 1500 ms). */
  budgetMs?: number;
  logger?: Logger;
  onFallback?: (reason: string) => void;
}

export class FallbackStt implements SttProvider {
  readonly id: string;
  readonly languages: readonly Language[];
  private readonly breaker: CircuitBreaker;

  constructor(private readonly primary: SttProvider, private readonly secondary: SttProvider, private readonly opts: FallbackSttOptions = {}) {
    this.id = `${primary.id}>${secondary.id}`;
    this.languages = [...new Set([...primary.languages, ...secondary.languages])];
    this.breaker = new CircuitBreaker(opts);
  }

  async recognize(utt: Utterance): Promise<UtteranceResult> {
    utt.signal?.throwIfAborted();
    if (!this.breaker.open) {
      const budget = new AbortController();
      const timer = setTimeout(() => budget.abort(), this.opts.budgetMs ?? 1500);
      const linked = utt.signal ? linkSignals([utt.signal, budget.signal]) : undefined;
      try {
        const r = await this.primary.recognize({ ...utt, signal: linked?.signal ?? budget.signal });
        this.breaker.success();
        return { provider: this.primary.id, ...r };
      } catch (err) {
        if (utt.signal?.aborted) throw err;
        const reason = budget.signal.aborted ? 'budget exceeded' : err instanceof Error ? err.message : String(err);
        const opened = this.breaker.failure();
        this.opts.logger?.warn({ provider: this.primary.id, reason, skipped: opened }, 'stt fallback');
        this.opts.onFallback?.(reason);
      } finally {
        clearTimeout(timer);
        linked?.dispose();
      }
    }
    const r = await this.secondary.recognize(utt);
    return { provider: this.secondary.id, ...r };
  }

  /** Partials from the recognizer that gives the finals now (the primary unless it is cooling down), if it streams. */
  streamPartials(opts: PartialStreamOptions): PartialStream | undefined {
    const active = this.breaker.open ? this.secondary : this.primary;
    return active.streamPartials?.(opts);
  }

  async close(): Promise<void> {
    await Promise.all([this.primary.close(), this.secondary.close()]);
  }
}
