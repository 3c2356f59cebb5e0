/**
 * STT with a budget: the primary recognizer gets `budgetMs`; if it fails or
 * runs out of time the utterance goes to the fallback (OpenAI → pocketsphinx),
 * so a broken provider costs one budget, not a silent call.
 */
import type { Logger } from '../../observability/logger.js';
import type { Language, PartialStream, PartialStreamOptions, SttProvider, Utterance, UtteranceResult } from './types.js';

export interface FallbackSttOptions {
  /** Time the primary gets per utterance before the fallback takes over (default 1500 ms). */
  budgetMs?: number;
  /** After a primary failure, skip it for this long (default 30 s). */
  cooldownMs?: number;
  logger?: Logger;
  onFallback?: (reason: string) => void;
}

export class FallbackStt implements SttProvider {
  readonly id: string;
  readonly languages: readonly Language[];
  private skipUntil = 0;

  constructor(private readonly primary: SttProvider, private readonly secondary: SttProvider, private readonly opts: FallbackSttOptions = {}) {
    this.id = `${primary.id}>${secondary.id}`;
    this.languages = [...new Set([...primary.languages, ...secondary.languages])];
  }

  async recognize(utt: Utterance): Promise<UtteranceResult> {
    utt.signal?.throwIfAborted();
    if (Date.now() >= this.skipUntil) {
      const budget = new AbortController();
      const timer = setTimeout(() => budget.abort(), this.opts.budgetMs ?? 1500);
      const signal = utt.signal ? AbortSignal.any([utt.signal, budget.signal]) : budget.signal;
      try {
        const r = await this.primary.recognize({ ...utt, signal });
        return { provider: this.primary.id, ...r };
      } catch (err) {
        if (utt.signal?.aborted) throw err;
        const reason = budget.signal.aborted ? 'budget exceeded' : err instanceof Error ? err.message : String(err);
        this.opts.logger?.warn({ provider: this.primary.id, reason }, 'stt fallback');
        this.opts.onFallback?.(reason);
        this.skipUntil = Date.now() + (this.opts.cooldownMs ?? 30_000);
      } finally {
        clearTimeout(timer);
      }
    }
    const r = await this.secondary.recognize(utt);
    return { provider: this.secondary.id, ...r };
  }

  /** Partials from the recognizer that gives the finals now (the primary unless it is cooling down), if it streams. */
  streamPartials(opts: PartialStreamOptions): PartialStream | undefined {
    const active = Date.now() >= this.skipUntil ? this.primary : this.secondary;
    return active.streamPartials?.(opts);
  }

  async close(): Promise<void> {
    await Promise.all([this.primary.close(), this.secondary.close()]);
  }
}
