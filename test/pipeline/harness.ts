/**
 * Test rig for the pipeline: an in-memory sink that sends frames on a clock
 * and records them, a simple energy VAD standing in for the native one, a
 * scripted dialog, and caller speech made with espeak-ng.
 */
import { concatPcm, FRAME_SAMPLES, rms, StreamingResampler } from '../../src/providers/audio/pcm.js';
import type { EspeakTts } from '../../src/providers/tts/espeak.js';
import { CallPipeline } from '../../src/pipeline/call-pipeline.js';
import { resolvePipelineConfig, type PipelineConfigInput } from '../../src/pipeline/config.js';
import type { PipelineMetric, TurnRecord } from '../../src/pipeline/metrics.js';
import type { SttProvider, Transcript } from '../../src/providers/stt/types.js';
import type { PhraseCache } from '../../src/providers/tts/phrase-cache.js';
import type { TtsProvider } from '../../src/providers/tts/types.js';
import type { AgentAudioSink, DialogExpecting, Language, Responder, ResponderChunk } from '../../src/pipeline/types.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface SentFrame {
  at: number;
  level: number;
}

/** Sends one queued frame per tick (twice real time by default, to keep tests short), like the media layer's pacer, and records what left. */
export class MemorySink implements AgentAudioSink {
  readonly sent: SentFrame[] = [];
  readonly flushes: Array<{ at: number; dropped: number }> = [];
  private queue: Int16Array[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(tickMs = 10) {
    this.timer = setInterval(() => {
      const f = this.queue.shift();
      if (f) this.sent.push({ at: performance.now(), level: rms(f) });
    }, tickMs);
  }

  write(frame: Int16Array): void {
    if (frame.length !== FRAME_SAMPLES) throw new Error(`frame of ${frame.length} samples`);
    this.queue.push(frame);
  }

  flush(): number {
    const dropped = this.queue.length;
    this.queue = [];
    this.flushes.push({ at: performance.now(), dropped });
    return dropped;
  }

  pending(): number {
    return this.queue.length;
  }

  /** Frames with sound sent in [from, to). */
  voicedBetween(from: number, to = Infinity): number {
    return this.sent.filter((f) => f.at >= from && f.at < to && f.level > 100).length;
  }

  close(): void {
    clearInterval(this.timer);
  }
}

/** Energy VAD: onset after 3 loud frames, offset after `hangoverFrames` quiet ones. */
export class EnergyVad {
  private loud = 0;
  private quiet = 0;
  speaking = false;

  constructor(private readonly pipeline: CallPipeline, private readonly threshold = 400, private readonly hangoverFrames = 10) {}

  push(frame: Int16Array, atMs: number): void {
    if (rms(frame) > this.threshold) {
      this.loud++;
      this.quiet = 0;
      if (!this.speaking && this.loud >= 3) {
        this.speaking = true;
        this.pipeline.onVad({ kind: 'onset', atMs });
      }
    } else {
      this.quiet++;
      this.loud = 0;
      if (this.speaking && this.quiet >= this.hangoverFrames) {
        this.speaking = false;
        this.pipeline.onVad({ kind: 'offset', atMs });
      }
    }
  }
}

/** Feeds the caller's audio to the pipeline and the VAD, a frame every `frameMs` of wall time. */
export class Caller {
  private t = 0;
  constructor(private readonly pipeline: CallPipeline, private readonly vad: EnergyVad, private readonly frameMs = 10) {}

  async play(pcm: Int16Array, opts: { onFrame?: (i: number) => void } = {}): Promise<void> {
    const n = Math.ceil(pcm.length / FRAME_SAMPLES);
    for (let i = 0; i < n; i++) {
      const f = new Int16Array(FRAME_SAMPLES);
      f.set(pcm.subarray(i * FRAME_SAMPLES, (i + 1) * FRAME_SAMPLES));
      this.pipeline.onCallerFrame(f);
      this.vad.push(f, this.t);
      this.t += 20;
      opts.onFrame?.(i);
      await sleep(this.frameMs);
    }
  }

  silence(ms: number): Promise<void> {
    return this.play(new Int16Array((ms * 16000) / 1000));
  }
}

/** Caller speech: espeak-ng's en-us voice (the one pocketsphinx hears best), at 16 kHz. */
export async function callerSpeech(tts: EspeakTts, text: string, language: Language = 'en'): Promise<Int16Array> {
  const chunks: Int16Array[] = [];
  for await (const c of tts.synthesize({ text, language })) chunks.push(c);
  return new StreamingResampler(tts.sampleRate, 16000).push(concatPcm(chunks));
}

export function noise(ms: number, amplitude = 3000): Int16Array {
  const out = new Int16Array((ms * 16000) / 1000);
  let seed = 12345;
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out[i] = ((seed / 0x7fffffff) * 2 - 1) * amplitude;
  }
  return out;
}

export interface ScriptedReply {
  text: string;
  firstTokenDelayMs?: number;
  /** Throw instead of answering. */
  fail?: boolean;
  /** Never answer (until aborted). */
  stall?: boolean;
  endCall?: boolean;
  expecting?: DialogExpecting;
}

/** A dialog that answers from a script and records what the pipeline told it. */
export class ScriptedResponder implements Responder {
  readonly calls: Array<{ text: string; aborted: boolean; completed: boolean }> = [];
  readonly heard: string[] = [];
  private readonly replies: ScriptedReply[];

  constructor(private readonly greet: { text: string; language: Language }, replies: ScriptedReply[], private readonly fallback: ScriptedReply = { text: 'Okay.' }) {
    this.replies = [...replies];
  }

  greeting(): { text: string; language: Language } {
    return this.greet;
  }

  async *respond(callerText: string, opts: { signal: AbortSignal; language?: Language }): AsyncIterable<ResponderChunk> {
    const call = { text: callerText, aborted: false, completed: false };
    this.calls.push(call);
    opts.signal.addEventListener('abort', () => (call.aborted = true), { once: true });
    const reply = this.replies[0] ?? this.fallback;
    // Each wait takes its abort listener off again: a long reply must not pile one per word on the job's signal.
    const wait = (ms: number): Promise<void> =>
      new Promise((resolve) => {
        const done = (): void => {
          clearTimeout(t);
          opts.signal.removeEventListener('abort', done);
          resolve();
        };
        const t = setTimeout(done, ms);
        opts.signal.addEventListener('abort', done, { once: true });
      });
    if (reply.stall) await wait(3_600_000);
    if (reply.firstTokenDelayMs) await wait(reply.firstTokenDelayMs);
    if (opts.signal.aborted) return;
    if (reply.fail) {
      this.replies.shift();
      throw new Error('scripted dialog failure');
    }
    const language = opts.language ?? 'en';
    for (const word of reply.text.split(/(?<= )/)) {
      yield { type: 'text', text: word, language };
      await wait(2);
      if (opts.signal.aborted) return;
    }
    this.replies.shift();
    call.completed = true;
    yield { type: 'final', text: reply.text, language, endCall: reply.endCall ?? false, transferTo: null, ...(reply.expecting !== undefined ? { expecting: reply.expecting } : {}) };
  }

  commitHeard(heardText: string): void {
    this.heard.push(heardText);
  }
}

export async function waitFor(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export interface Rig {
  pipeline: CallPipeline;
  sink: MemorySink;
  caller: Caller;
  vad: EnergyVad;
  responder: ScriptedResponder;
  turns: TurnRecord[];
  metrics: PipelineMetric[];
  degraded: Array<{ language: Language; reason: string }>;
  transcripts: Array<Transcript & { turnId: number }>;
  close(): Promise<void>;
}

export interface RigOptions {
  stt: SttProvider;
  tts: TtsProvider;
  phrases: PhraseCache;
  replies: ScriptedReply[];
  config?: PipelineConfigInput;
  greeting?: { text: string; language: Language };
}

export function rig(o: RigOptions): Rig {
  const sink = new MemorySink();
  const responder = new ScriptedResponder(o.greeting ?? { text: 'Hi.', language: 'en' }, o.replies);
  const turns: TurnRecord[] = [];
  const metrics: PipelineMetric[] = [];
  const degraded: Rig['degraded'] = [];
  const transcripts: Rig['transcripts'] = [];
  const pipeline = new CallPipeline({
    tenantId: 'demo',
    responder,
    stt: o.stt,
    tts: o.tts,
    sink,
    phrases: o.phrases,
    config: resolvePipelineConfig(o.config ?? {}),
    events: { onTurn: (r) => turns.push(r), onMetric: (m) => metrics.push(m), onDegraded: (d) => degraded.push(d), onTranscript: (t) => transcripts.push(t) },
  });
  const vad = new EnergyVad(pipeline);
  const caller = new Caller(pipeline, vad);
  return {
    pipeline, sink, caller, vad, responder, turns, metrics, degraded, transcripts,
    close: async () => {
      await pipeline.close();
      sink.close();
    },
  };
}
