/**
 * Offline STT: pocketsphinx 0.8 (Debian) with a JSGF grammar built from the
 * tenant vocabulary. Each recognizer is a long-lived `pocketsphinx_continuous`
 * reading raw 16 kHz audio from stdin; an utterance is written followed by
 * silence so the recognizer's own end-pointer closes it and prints one line.
 * Processes are pooled per grammar and reused across utterances and calls.
 * Partial transcripts come from a second pool of streaming decoders fed while
 * the caller speaks (pocketsphinx-stream.ts).
 * English only (the only acoustic model Debian ships).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../observability/logger.js';
import { PIPELINE_RATE } from '../audio/pcm.js';
import { buildJsgf, POCKETSPHINX_MODEL_DIR } from './grammar.js';
import { PartialDecoderPool } from './pocketsphinx-stream.js';
import { SttError, type Language, type PartialStream, type PartialStreamOptions, type SttProvider, type Utterance, type UtteranceResult } from './types.js';
import { endChildProcess } from '../process/end-child.js';

export interface PocketsphinxOptions {
  /** Processes per grammar (default 2). */
  poolSize?: number;
  /** Silence written after each utterance so the recognizer ends it (default 800 ms). */
  trailingSilenceMs?: number;
  /** Time allowed for a hypothesis, beyond the utterance's own duration scaled by 0.5 (default 1000 ms). */
  timeoutMs?: number;
  /** After a line arrives, wait this long for a second segment of the same utterance (default 50 ms). */
  settleMs?: number;
  /** Streaming decoders per grammar for partial transcripts (default 2; 0 turns partials off). */
  partialPoolSize?: number;
  /** Audio decoded between two partial hypotheses (default 200 ms). */
  partialIntervalMs?: number;
  logger?: Logger;
}

interface Pending {
  lines: string[];
  settle: NodeJS.Timeout | undefined;
  finish(err?: Error): void;
}

class Recognizer {
  readonly proc: ChildProcessWithoutNullStreams;
  busy = false;
  private partial = '';
  private pending: Pending | undefined;
  private dead: Error | undefined;

  constructor(grammarPath: string, private readonly opts: Required<Omit<PocketsphinxOptions, 'logger'>> & { logger?: Logger }) {
    // Node's stdio pipes are socket pairs, which pocketsphinx cannot open as
    // `/dev/stdin`; `cat` turns the socket into a real pipe.
    this.proc = spawn(
      'sh',
      [
        '-c',
        'cat | exec stdbuf -oL pocketsphinx_continuous "$@"',
        'pocketsphinx',
        '-infile', '/dev/stdin',
        '-hmm', `${POCKETSPHINX_MODEL_DIR}/en-us`,
        '-dict', `${POCKETSPHINX_MODEL_DIR}/cmudict-en-us.dict`,
        '-jsgf', grammarPath,
        '-samprate', String(PIPELINE_RATE),
        '-wip', '1e-3',
        '-vad_postspeech', '30',
        '-logfn', '/dev/null',
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (d: string) => this.onData(d));
    this.proc.stderr.on('data', (d: Buffer) => opts.logger?.debug({ stderr: d.toString().slice(0, 300) }, 'pocketsphinx stderr'));
    this.proc.on('error', (err) => this.fail(err));
    this.proc.on('exit', (code) => this.fail(new Error(`pocketsphinx exited with code ${code}`)));
    this.proc.stdin.on('error', (err) => this.fail(err));
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  /** Stops taking utterances; the pool starts a fresh process in its place. */
  private retire(): void {
    this.dead ??= new Error('retired after an unanswered utterance');
    this.proc.stdin.end();
    setTimeout(() => this.proc.kill(), 1000).unref();
  }

  private onData(d: string): void {
    this.partial += d;
    let nl: number;
    while ((nl = this.partial.indexOf('\n')) >= 0) {
      const line = this.partial.slice(0, nl).trim();
      this.partial = this.partial.slice(nl + 1);
      const p = this.pending;
      if (!p) continue; // a late segment of an utterance already answered
      p.lines.push(line);
      if (p.settle) clearTimeout(p.settle);
      p.settle = setTimeout(() => p.finish(), this.opts.settleMs);
    }
  }

  private fail(err: Error): void {
    if (this.dead) return;
    this.dead = err;
    this.pending?.finish(err);
  }

  recognize(pcm: Int16Array, signal: AbortSignal | undefined): Promise<string> {
    if (this.dead) return Promise.reject(new SttError(this.dead.message, 'pocketsphinx', true));
    return new Promise<string>((resolve, reject) => {
      const audioMs = (pcm.length * 1000) / PIPELINE_RATE;
      const timer = setTimeout(() => {
        // Nothing recognized (pocketsphinx prints nothing when it hears no speech). A line could
        // still come late and be taken for the next utterance's, so this process is retired.
        this.retire();
        p.finish();
      }, audioMs * 0.5 + this.opts.timeoutMs);
      const onAbort = (): void => p.finish(new DOMException('recognition aborted', 'AbortError'));
      const p: Pending = {
        lines: [],
        settle: undefined,
        finish: (err?: Error) => {
          if (this.pending !== p) return;
          this.pending = undefined;
          clearTimeout(timer);
          if (p.settle) clearTimeout(p.settle);
          signal?.removeEventListener('abort', onAbort);
          if (err) reject(err instanceof SttError || err.name === 'AbortError' ? err : new SttError(err.message, 'pocketsphinx', true, { cause: err }));
          else resolve(p.lines.filter(Boolean).join(' '));
        },
      };
      this.pending = p;
      signal?.addEventListener('abort', onAbort, { once: true });
      const silence = new Int16Array(Math.round((this.opts.trailingSilenceMs * PIPELINE_RATE) / 1000));
      // A little dither keeps the recognizer's noise estimate sane on digital silence.
      for (let i = 0; i < silence.length; i++) silence[i] = (i * 7919) % 5 - 2;
      this.proc.stdin.write(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
      this.proc.stdin.write(Buffer.from(silence.buffer));
    });
  }

  close(): Promise<void> {
    return endChildProcess(this.proc);
  }
}

/** The recognizers sharing one grammar, with a wait queue. */
class GrammarPool {
  private readonly recognizers: Recognizer[] = [];
  private readonly waiters: Array<(r: Recognizer) => void> = [];

  constructor(private readonly grammarPath: string, private readonly opts: Required<Omit<PocketsphinxOptions, 'logger'>> & { logger?: Logger }) {}

  private acquire(): Promise<Recognizer> {
    for (let i = 0; i < this.recognizers.length; i++) {
      if (!this.recognizers[i]!.alive) this.recognizers[i] = new Recognizer(this.grammarPath, this.opts);
    }
    const idle = this.recognizers.find((r) => !r.busy);
    if (idle) {
      idle.busy = true;
      return Promise.resolve(idle);
    }
    if (this.recognizers.length < this.opts.poolSize) {
      const r = new Recognizer(this.grammarPath, this.opts);
      r.busy = true;
      this.recognizers.push(r);
      return Promise.resolve(r);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private release(r: Recognizer): void {
    const next = this.waiters.shift();
    if (next) next(r.alive ? r : this.replace(r));
    else r.busy = false;
  }

  private replace(r: Recognizer): Recognizer {
    const fresh = new Recognizer(this.grammarPath, this.opts);
    fresh.busy = true;
    const i = this.recognizers.indexOf(r);
    if (i >= 0) this.recognizers[i] = fresh;
    return fresh;
  }

  /** Starts the pool's processes ahead of the first call. */
  warm(): void {
    while (this.recognizers.length < this.opts.poolSize) this.recognizers.push(new Recognizer(this.grammarPath, this.opts));
  }

  pids(): number[] {
    return this.recognizers.map((r) => r.proc.pid ?? -1);
  }

  async recognize(pcm: Int16Array, signal: AbortSignal | undefined): Promise<string> {
    const r = await this.acquire();
    try {
      return await r.recognize(pcm, signal);
    } finally {
      this.release(r);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.recognizers.map((r) => r.close()));
  }
}

export class PocketsphinxStt implements SttProvider {
  readonly id = 'pocketsphinx';
  readonly languages: readonly Language[] = ['en'];
  private readonly pools = new Map<string, { finals: GrammarPool; partials: PartialDecoderPool }>();
  private readonly dir = mkdtempSync(join(tmpdir(), 'firstring-jsgf-'));
  private readonly opts: Required<Omit<PocketsphinxOptions, 'logger'>> & { logger?: Logger };

  constructor(opts: PocketsphinxOptions = {}) {
    this.opts = {
      poolSize: opts.poolSize ?? 2,
      trailingSilenceMs: opts.trailingSilenceMs ?? 800,
      timeoutMs: opts.timeoutMs ?? 1000,
      settleMs: opts.settleMs ?? 50,
      partialPoolSize: opts.partialPoolSize ?? 2,
      partialIntervalMs: opts.partialIntervalMs ?? 200,
      ...(opts.logger ? { logger: opts.logger } : {}),
    };
  }

  private pool(vocabulary: readonly string[]): { finals: GrammarPool; partials: PartialDecoderPool } {
    const jsgf = buildJsgf(vocabulary);
    const key = createHash('sha256').update(jsgf).digest('hex').slice(0, 16);
    let pool = this.pools.get(key);
    if (!pool) {
      const path = join(this.dir, `${key}.gram`);
      writeFileSync(path, jsgf);
      pool = {
        finals: new GrammarPool(path, this.opts),
        partials: new PartialDecoderPool(path, this.opts.partialPoolSize, { intervalMs: this.opts.partialIntervalMs, ...(this.opts.logger ? { logger: this.opts.logger } : {}) }),
      };
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** Starts the recognizers (finals and partials) for `vocabulary` ahead of the first call. */
  warm(vocabulary: readonly string[]): void {
    const p = this.pool(vocabulary);
    p.finals.warm();
    p.partials.warm();
  }

  /** Process ids giving finals for `vocabulary` (for tests and diagnostics). */
  pids(vocabulary: readonly string[]): number[] {
    return this.pool(vocabulary).finals.pids();
  }

  /** Process ids giving partials for `vocabulary`. */
  partialPids(vocabulary: readonly string[]): number[] {
    return this.pool(vocabulary).partials.pids();
  }

  async recognize(utt: Utterance): Promise<UtteranceResult> {
    utt.signal?.throwIfAborted();
    if (utt.pcm.length === 0) return { text: '', language: 'en' };
    const text = await this.pool(utt.vocabulary).finals.recognize(utt.pcm, utt.signal);
    return { text, language: 'en' };
  }

  streamPartials(opts: PartialStreamOptions): PartialStream | undefined {
    return this.pool(opts.vocabulary).partials.open(opts);
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].flatMap((p) => [p.finals.close(), p.partials.close()]));
    this.pools.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
