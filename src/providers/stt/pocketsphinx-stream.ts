/**
 * Partial transcripts from pocketsphinx: long-lived decoders (pocketsphinx-stream-shim.py,
 * libpocketsphinx through ctypes) fed the caller's frames while the utterance is spoken,
 * reporting the hypothesis so far as it changes. One decoder serves one utterance at a
 * time; decoders are pooled per grammar and reused across utterances and calls. The
 * `pocketsphinx_continuous` pool (pocketsphinx.ts) still gives the finals.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../observability/logger.js';
import { PIPELINE_RATE } from '../audio/pcm.js';
import { CMUDICT_PATH, POCKETSPHINX_MODEL_DIR } from './grammar.js';
import type { PartialStream, PartialStreamOptions } from './types.js';
import { endChildProcess } from '../process/end-child.js';

const SHIM = fileURLToPath(new URL('./pocketsphinx-stream-shim.py', import.meta.url));

/** Record types of the shim's input (see its header). */
const REC_START = 1;
const REC_AUDIO = 2;
const REC_ABORT = 4;

type PartialListener = PartialStreamOptions['onPartial'];

/** After a decoder dies, partials pause this long before a new decoder is started. */
const RESPAWN_DELAY_MS = 30_000;

export interface PartialDecoderOptions {
  /** Decode this much audio between two looks at the hypothesis (default 200 ms). */
  intervalMs: number;
  logger?: Logger;
}

/** One shim process. */
class PartialDecoder {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly header = Buffer.alloc(5);
  private buffered = '';
  private startsSent = 0;
  private startsSeen = 0;
  private dead = false;
  /** The listener of the stream being fed, if any. */
  private current: PartialListener | undefined;

  constructor(grammarPath: string, opts: PartialDecoderOptions) {
    this.proc = spawn('python3', [SHIM, `${POCKETSPHINX_MODEL_DIR}/en-us`, CMUDICT_PATH, grammarPath, String(PIPELINE_RATE), String(opts.intervalMs)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (d: string) => this.onData(d));
    this.proc.stderr.on('data', (d: Buffer) => opts.logger?.warn({ stderr: d.toString().slice(0, 300) }, 'pocketsphinx stream shim stderr'));
    this.proc.on('error', () => (this.dead = true));
    this.proc.on('exit', () => (this.dead = true));
    this.proc.stdin.on('error', () => (this.dead = true));
  }

  get alive(): boolean {
    return !this.dead;
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  begin(onPartial: PartialListener): void {
    this.current = onPartial;
    this.startsSent++;
    this.send(REC_START);
  }

  audio(frame: Int16Array): void {
    this.send(REC_AUDIO, Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength));
  }

  abort(): void {
    this.current = undefined;
    this.send(REC_ABORT);
  }

  private send(type: number, payload?: Buffer): void {
    if (this.dead) return;
    this.header.writeUInt8(type, 0);
    this.header.writeUInt32LE(payload?.length ?? 0, 1);
    // `write` copies nothing: hand it a buffer of its own.
    this.proc.stdin.write(payload ? Buffer.concat([this.header, payload]) : Buffer.from(this.header));
  }

  private onData(d: string): void {
    this.buffered += d;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      if (line === 'start') this.startsSeen++;
      else if (this.startsSeen === this.startsSent && this.current) {
        const m = /^partial (\d+) (.+)$/.exec(line);
        if (m) this.current({ text: m[2]!.trim(), language: 'en', audioMs: (Number(m[1]) * 1000) / PIPELINE_RATE });
      }
    }
  }

  close(): Promise<void> {
    return endChildProcess(this.proc);
  }
}

/** The partial decoders of one grammar; a stream gets an idle one or none (it never waits). */
export class PartialDecoderPool {
  private readonly decoders: PartialDecoder[] = [];
  private readonly idle: PartialDecoder[] = [];
  private respawnAt = 0;

  constructor(private readonly grammarPath: string, private readonly size: number, private readonly opts: PartialDecoderOptions) {}

  /** Starts the pool's processes ahead of the first call. */
  warm(): void {
    while (this.decoders.length < this.size) this.add();
  }

  pids(): number[] {
    return this.decoders.map((d) => d.pid);
  }

  open(opts: Pick<PartialStreamOptions, 'onPartial'>): PartialStream | undefined {
    let d = this.idle.pop();
    while (d && !d.alive) {
      this.drop(d);
      d = this.idle.pop();
    }
    if (!d && this.decoders.length < this.size && Date.now() >= this.respawnAt) d = this.add(false);
    if (!d) return undefined;
    const decoder = d;
    let open = true;
    decoder.begin(opts.onPartial);
    return {
      write: (frame) => {
        if (open) decoder.audio(frame);
      },
      close: () => {
        if (!open) return;
        open = false;
        decoder.abort();
        if (decoder.alive) this.idle.push(decoder);
        else this.drop(decoder);
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.decoders.map((d) => d.close()));
    this.decoders.length = 0;
    this.idle.length = 0;
  }

  /** A dead decoder leaves the pool; a new one is started no sooner than RESPAWN_DELAY_MS later (no spawn loop when the shim cannot run). */
  private drop(d: PartialDecoder): void {
    const i = this.decoders.indexOf(d);
    if (i >= 0) this.decoders.splice(i, 1);
    this.respawnAt = Date.now() + RESPAWN_DELAY_MS;
    this.opts.logger?.warn({ pid: d.pid }, 'pocketsphinx partial decoder died; partial transcripts paused');
  }

  private add(idle = true): PartialDecoder {
    const d = new PartialDecoder(this.grammarPath, this.opts);
    this.decoders.push(d);
    if (idle) this.idle.push(d);
    return d;
  }
}
