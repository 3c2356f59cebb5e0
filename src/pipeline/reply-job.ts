/**
 * One generation of the agent's reply: LLM text streams into the sentence
 * chunker, each piece is spoken by TTS as soon as it is cut, and the frames
 * go into a Playout. Started speculatively (held) and released at the end of
 * turn; one AbortController cancels the LLM stream and queued TTS together.
 */
import type { Logger } from '../observability/logger.js';
import { Framer, PIPELINE_RATE } from '../providers/audio/pcm.js';
import { atPipelineRate } from '../providers/tts/fallback.js';
import type { TtsProvider } from '../providers/tts/types.js';
import { SentenceChunker } from './chunker.js';
import type { PipelineMetric } from './metrics.js';
import type { Playout } from './playout.js';
import type { AgentActions, DialogExpecting, Language, Responder } from './types.js';

export interface ReplyJobDeps {
  responder: Responder;
  tts: TtsProvider;
  /** Unsent 20 ms frames the reply may hold before synthesis waits for the caller to hear them. */
  leadFrames: number;
  now: () => number;
  logger?: Logger;
  onMetric: (m: PipelineMetric) => void;
}

export class ReplyJob {
  readonly ac = new AbortController();
  llmStart: number | undefined;
  llmFirstToken: number | undefined;
  ttsFirstAudio: number | undefined;
  /** Set once the dialog delivered its final chunk (the reply is part of the dialog). */
  responded = false;
  actions: AgentActions = { endCall: false, transferTo: null };
  expecting: DialogExpecting | undefined;
  language: Language;
  error: unknown;
  /** Settles when generation is over (finished, failed or aborted). */
  readonly done: Promise<void>;

  constructor(
    readonly turnId: number,
    readonly callerText: string,
    language: Language,
    readonly playout: Playout,
    private readonly deps: ReplyJobDeps,
  ) {
    this.language = language;
    this.done = this.run();
  }

  abort(): void {
    this.ac.abort();
  }

  get aborted(): boolean {
    return this.ac.signal.aborted;
  }

  private async run(): Promise<void> {
    const { now, onMetric } = this.deps;
    const signal = this.ac.signal;
    const chunker = new SentenceChunker();
    let tts: Promise<void> = Promise.resolve();
    const speakLater = (piece: string, language: Language): void => {
      tts = tts.then(() => this.speak(piece, language));
    };
    this.llmStart = now();
    let streamed = false;
    try {
      for await (const chunk of this.deps.responder.respond(this.callerText, { signal, language: this.language })) {
        if (signal.aborted) break;
        this.language = chunk.language;
        if (chunk.type === 'text') {
          if (!chunk.text) continue;
          this.llmFirstToken ??= now();
          streamed = true;
          for (const piece of chunker.push(chunk.text)) speakLater(piece, chunk.language);
        } else {
          this.responded = true;
          this.actions = { endCall: chunk.endCall, transferTo: chunk.transferTo };
          this.expecting = chunk.expecting;
          if (!streamed && chunk.text) {
            this.llmFirstToken ??= now();
            for (const piece of chunker.push(chunk.text)) speakLater(piece, chunk.language);
          }
        }
      }
      const rest = chunker.end();
      if (rest && !signal.aborted) speakLater(rest, this.language);
    } catch (err) {
      if (!signal.aborted) {
        this.error = err;
        this.deps.logger?.warn({ err: err instanceof Error ? err.message : String(err), turnId: this.turnId }, 'responder failed');
      }
    }
    onMetric({
      type: 'llm_metrics',
      turnId: this.turnId,
      ttftMs: this.llmFirstToken === undefined ? null : this.llmFirstToken - this.llmStart,
      durationMs: now() - this.llmStart,
      cancelled: signal.aborted,
      ...(this.error ? { error: this.error instanceof Error ? this.error.message : String(this.error) } : {}),
    });
    await tts;
    this.playout.endOfReply();
  }

  private async speak(text: string, language: Language): Promise<void> {
    const signal = this.ac.signal;
    if (signal.aborted) return;
    const { now, onMetric, tts } = this.deps;
    const start = now();
    let first: number | undefined;
    let samples = 0;
    let waitedMs = 0;
    let error: string | undefined;
    const framer = new Framer();
    this.playout.beginSegment(text);
    try {
      for await (const pcm of atPipelineRate(tts, { text, language, signal })) {
        if (signal.aborted) break;
        first ??= now();
        this.ttsFirstAudio ??= first;
        samples += pcm.length;
        this.playout.addFrames(framer.push(pcm));
        // Backpressure: the stream is not read on while the reply holds its lead of unheard audio.
        const waitFrom = now();
        await this.playout.room(this.deps.leadFrames, signal);
        waitedMs += now() - waitFrom;
      }
      const last = framer.end();
      if (last && !signal.aborted) this.playout.addFrames([last]);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      this.deps.logger?.warn({ err: error, turnId: this.turnId }, 'tts failed for a sentence');
    }
    this.playout.endSegment();
    onMetric({
      type: 'tts_metrics',
      turnId: this.turnId,
      provider: tts.id,
      ttfbMs: first === undefined ? null : first - start,
      durationMs: now() - start - waitedMs,
      audioMs: (samples * 1000) / PIPELINE_RATE,
      characters: text.length,
      cancelled: signal.aborted,
      ...(error ? { error } : {}),
    });
  }
}
