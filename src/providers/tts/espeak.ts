/**
 * Offline TTS: espeak-ng through libespeak-ng, served by a small pool of
 * long-lived processes (espeak-shim.py loads the library with ctypes), so a
 * sentence costs one request on a warm process, never a process start.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../observability/logger.js';
import { TtsError, type Language, type TtsProvider, type TtsRequest } from './types.js';
import { endChildProcess } from '../process/end-child.js';

const SHIM = fileURLToPath(new URL('./espeak-shim.py', import.meta.url));
const REC_PCM = 1;
const REC_END = 2;
const REC_ERROR = 3;
const REC_READY = 4;
const HEADER = 9;
const MAX_RECORD = 1 << 22;

export interface EspeakOptions {
  /** Number of synthesizer processes (default 2). */
  poolSize?: number;
  /** Words per minute (default 165). */
  wpm?: number;
  voices?: Partial<Record<Language, string>>;
  logger?: Logger;
}

const DEFAULT_VOICES: Record<Language, string> = { en: 'en-us+f2', fr: 'fr+f2' };

interface Job {
  id: number;
  onChunk(pcm: Int16Array): void;
  onEnd(err?: Error): void;
}

/** One espeak-shim process; serves its queue one utterance at a time. */
class EspeakWorker {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly ready: Promise<number>;
  private buf: Buffer = Buffer.alloc(0);
  private readonly jobs = new Map<number, Job>();
  private dead: Error | undefined;
  private resolveReady!: (rate: number) => void;
  private rejectReady!: (err: Error) => void;

  constructor(private readonly logger: Logger | undefined) {
    this.ready = new Promise<number>((res, rej) => {
      this.resolveReady = res;
      this.rejectReady = rej;
    });
    this.ready.catch(() => undefined);
    this.proc = spawn('python3', [SHIM], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (d: Buffer) => this.onData(d));
    this.proc.stderr.on('data', (d: Buffer) => this.logger?.warn({ stderr: d.toString().slice(0, 500) }, 'espeak shim stderr'));
    this.proc.on('error', (err) => this.fail(err));
    this.proc.on('exit', (code) => this.fail(new Error(`espeak shim exited with code ${code}`)));
    this.proc.stdin.on('error', (err) => this.fail(err));
  }

  get load(): number {
    return this.jobs.size;
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  send(job: Job, text: string, voice: string, wpm: number): void {
    if (this.dead) {
      job.onEnd(this.dead);
      return;
    }
    this.jobs.set(job.id, job);
    this.proc.stdin.write(`${JSON.stringify({ op: 'speak', id: job.id, text, voice, rate: wpm })}\n`);
  }

  cancel(id: number): void {
    if (!this.dead && this.jobs.has(id)) this.proc.stdin.write(`${JSON.stringify({ op: 'cancel', id })}\n`);
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    while (this.buf.length >= HEADER) {
      const type = this.buf.readUInt8(0);
      const id = this.buf.readUInt32LE(1);
      const len = this.buf.readUInt32LE(5);
      if (len > MAX_RECORD) {
        this.fail(new Error(`espeak shim sent an oversized record (${len} bytes)`));
        this.proc.kill();
        return;
      }
      if (this.buf.length < HEADER + len) return;
      const payload = this.buf.subarray(HEADER, HEADER + len);
      this.buf = this.buf.subarray(HEADER + len);
      this.onRecord(type, id, payload);
    }
  }

  private onRecord(type: number, id: number, payload: Buffer): void {
    if (type === REC_READY) {
      this.resolveReady(payload.length >= 4 ? payload.readUInt32LE(0) : 22050);
      return;
    }
    const job = this.jobs.get(id);
    if (type === REC_ERROR && !job) {
      this.logger?.warn({ msg: payload.toString() }, 'espeak shim error');
      return;
    }
    if (!job) return;
    if (type === REC_PCM) {
      const pcm = new Int16Array(payload.length >> 1);
      for (let i = 0; i < pcm.length; i++) pcm[i] = payload.readInt16LE(i * 2);
      job.onChunk(pcm);
    } else if (type === REC_ERROR) {
      this.jobs.delete(id);
      job.onEnd(new TtsError(`espeak-ng: ${payload.toString()}`, 'espeak', false));
    } else if (type === REC_END) {
      this.jobs.delete(id);
      job.onEnd();
    }
  }

  private fail(err: Error): void {
    if (this.dead) return;
    this.dead = err;
    this.rejectReady(err);
    for (const job of this.jobs.values()) job.onEnd(new TtsError(err.message, 'espeak', true, { cause: err }));
    this.jobs.clear();
  }

  close(): Promise<void> {
    return endChildProcess(this.proc);
  }
}

export class EspeakTts implements TtsProvider {
  readonly id = 'espeak';
  readonly languages: readonly Language[] = ['en', 'fr'];
  /** espeak-ng's native rate; confirmed by each process when it starts. */
  readonly sampleRate = 22_050;
  private readonly workers: EspeakWorker[] = [];
  private nextId = 1;
  private readonly wpm: number;
  private readonly voices: Record<Language, string>;
  private closed = false;

  constructor(private readonly opts: EspeakOptions = {}) {
    this.wpm = opts.wpm ?? 165;
    this.voices = { ...DEFAULT_VOICES, ...opts.voices };
    const n = Math.max(1, opts.poolSize ?? 2);
    for (let i = 0; i < n; i++) this.workers.push(new EspeakWorker(opts.logger));
  }

  /** Resolves once every process has loaded the library (pre-warm). */
  async ready(): Promise<void> {
    const rates = await Promise.all(this.workers.map((w) => w.ready));
    for (const r of rates) {
      if (r !== this.sampleRate) throw new TtsError(`espeak-ng runs at ${r} Hz, expected ${this.sampleRate}`, this.id, false);
    }
  }

  /** Process ids of the pool (for tests and diagnostics). */
  pids(): number[] {
    return this.workers.map((w) => w.proc.pid ?? -1);
  }

  voiceFor(language: Language): string {
    return this.voices[language];
  }

  private pick(): EspeakWorker {
    const alive = this.workers.filter((w) => w.alive);
    // Replace dead processes so one crash does not shrink the pool for good.
    for (let i = 0; i < this.workers.length; i++) {
      if (!this.workers[i]!.alive) this.workers[i] = new EspeakWorker(this.opts.logger);
    }
    const pool = alive.length ? alive : this.workers;
    return pool.reduce((a, b) => (b.load < a.load ? b : a));
  }

  async *synthesize(req: TtsRequest): AsyncIterable<Int16Array> {
    if (this.closed) throw new TtsError('espeak provider is closed', this.id, false);
    const text = req.text.replace(/[\r\n]+/g, ' ').trim();
    if (!text || req.signal?.aborted) return;
    const worker = this.pick();
    await worker.ready;
    const id = this.nextId++;
    const queue: Int16Array[] = [];
    let done = false;
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    const notify = (): void => {
      wake?.();
      wake = undefined;
    };
    const onAbort = (): void => {
      worker.cancel(id);
      notify();
    };
    req.signal?.addEventListener('abort', onAbort, { once: true });
    worker.send(
      {
        id,
        onChunk: (pcm) => {
          queue.push(pcm);
          notify();
        },
        onEnd: (err) => {
          done = true;
          failure = err;
          notify();
        },
      },
      text,
      req.voice ?? this.voiceFor(req.language),
      this.wpm,
    );
    try {
      for (;;) {
        if (req.signal?.aborted) return;
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        if (done) {
          if (failure) throw failure instanceof TtsError ? failure : new TtsError(failure.message, this.id, true, { cause: failure });
          return;
        }
        await new Promise<void>((r) => (wake = r));
      }
    } finally {
      req.signal?.removeEventListener('abort', onAbort);
      if (!done) worker.cancel(id);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
