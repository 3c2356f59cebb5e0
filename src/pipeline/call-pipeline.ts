/**
 * The speech pipeline of one call. Caller frames, VAD events and barge-in
 * events come in; the agent's frames go out to the sink.
 *
 * Turn-taking: at the VAD's end of speech the utterance is transcribed and the
 * reply generated at once (speculatively, held back); the end-of-turn wait
 * depends on what the agent asked and how complete the answer looks; if the
 * caller speaks again first, the speculation is aborted and thrown away.
 *
 * Barge-in, in two stages: a barge-in event while the agent speaks pauses the
 * reply (the sink is flushed within one frame, the queue kept). The interruption
 * is confirmed when the caller is still talking `interruption.confirmSpeechMs`
 * after the onset or says something that is not a backchannel: the reply is
 * cancelled (LLM and TTS aborted) and the dialog learns what was heard. After a
 * backchannel or noise, the agent resumes from the paused frame.
 */
import type { Logger } from '../observability/logger.js';
import { FrameSlab } from '../providers/audio/frame-slab.js';
import { concatPcm, FRAME_MS, FRAME_SAMPLES, PIPELINE_RATE } from '../providers/audio/pcm.js';
import type { PartialResult, PartialStream, SttProvider, Transcript } from '../providers/stt/types.js';
import { FILLERS, type CachedPhrase, type PhraseCache } from '../providers/tts/phrase-cache.js';
import type { TtsProvider } from '../providers/tts/types.js';
import { resolvePipelineConfig, type PipelineConfig } from './config.js';
import { endOfTurnWait, expectationFromDialog, isBackchannel } from './endpointing.js';
import { deriveTurnFigures, type PipelineMetric, type TurnOutcome, type TurnRecord, type TurnTimestamps } from './metrics.js';
import { Playout, type PhrasePackets } from './playout.js';
import { PreRoll } from './pre-roll.js';
import { ReplyJob } from './reply-job.js';
import type { AgentActions, AgentAudioSink, BargeInEvent, DialogExpecting, Language, Responder, VadEvent } from './types.js';

/** Said when the caller could not be understood or a reply failed. */
export const APOLOGIES: Record<Language, string> = {
  en: "Sorry, I didn't catch that. Could you say it again?",
  fr: "Désolé, je n'ai pas bien compris. Pouvez-vous répéter?",
};

/** Said to a caller whose language the speech recognizer does not understand. */
export const LANGUAGE_NOTICES: Record<Language, string> = {
  en: 'Sorry, speech in English is not available right now. Please leave your name and number and we will call you back.',
  fr: "Désolé, notre service vocal ne comprend que l'anglais pour le moment. Laissez votre nom et votre numéro de téléphone, et nous vous rappellerons.",
};

/** The phrases a call may need without notice, to warm the phrase cache per tenant ahead of calls. */
export function pipelinePhrases(languages: readonly Language[]): Array<{ language: Language; text: string }> {
  return languages.flatMap((language) => [FILLERS[language], APOLOGIES[language], LANGUAGE_NOTICES[language]].map((text) => ({ language, text })));
}

/** Longest caller utterance kept for one turn. */
const MAX_UTTERANCE_MS = 30_000;

export interface PipelineEvents {
  /** One record per caller turn, once the agent's answer is over (or cancelled). */
  onTurn?(record: TurnRecord): void;
  onMetric?(metric: PipelineMetric): void;
  /** Caller transcripts, partial (words so far, while the caller speaks) and final, with the utterance's span on the media clock. */
  onTranscript?(t: Transcript & { turnId: number }): void;
  /** The dialog asked to end or transfer the call; sent once the goodbye has been played. */
  onActions?(actions: AgentActions): void;
  /** The call continues in a degraded mode (e.g. a French caller on an English-only recognizer). */
  onDegraded?(info: { language: Language; reason: string }): void;
}

export interface CallPipelineOptions {
  tenantId: string;
  responder: Responder;
  stt: SttProvider;
  tts: TtsProvider;
  sink: AgentAudioSink;
  phrases: PhraseCache;
  config?: PipelineConfig;
  events?: PipelineEvents;
  logger?: Logger;
  now?: () => number;
}

interface Turn {
  id: number;
  /** Utterance span on the media clock (VAD onset and offset). */
  startMs: number;
  endMs: number;
  at: TurnTimestamps;
  stt: AbortController;
  text?: string;
  language?: Language;
  sttProvider?: string;
  job?: ReplyJob;
  eotTimer?: NodeJS.Timeout;
  waitMs?: number;
  discarded: number;
  fillerPlayed: boolean;
  budgetsExceeded: string[];
}

interface Interruption {
  /** The detector's time on the media clock. */
  atMs: number;
  /** The confirmation check and the false-interruption deadline. */
  timers: NodeJS.Timeout[];
}

/**
 * Words a partial needs to confirm a barge-in: backchannels are one or two words, and an
 * offline recognizer often hears a word or two in a "mm-hmm" or a cough.
 */
const MIN_CONFIRMING_PARTIAL_WORDS = 3;

/** The confirmation is checked no sooner than this after the pause, so the VAD's onset is in. */
const MIN_CONFIRM_CHECK_MS = 100;

export class CallPipeline {
  private readonly cfg: PipelineConfig;
  private readonly now: () => number;
  private language: Language = 'en';
  private lastAgentText = '';
  /** What the dialog said its last (fully heard) reply asks for. */
  private expecting: DialogExpecting | undefined;
  private turnSeq = 0;
  private callerSpeaking = false;
  private inUtterance = false;
  private utterance: Int16Array[] = [];
  private readonly preRoll: PreRoll;
  /** Copies of the caller frames an utterance keeps. */
  private readonly kept = new FrameSlab();
  private utteranceStartMs = 0;
  /** A caller turn between end of speech and end of turn (its reply, if any, is held). */
  private pending: Turn | undefined;
  /** The turn whose reply is playing (or about to). */
  private current: Turn | undefined;
  private currentPlayout: Playout | undefined;
  /** The playing phrase is the dialog's greeting (so the dialog wants to know what was heard of it). */
  private greetingPlaying = false;
  private interruption: Interruption | undefined;
  /** The streaming recognizer of the current utterance, if the provider gives partials. */
  private partials: PartialStream | undefined;
  /** Speculations discarded since the last committed turn. */
  private discarded = 0;
  /** Caller text of a reply cancelled before the dialog took it, to carry into the next turn. */
  private carryText = '';
  private closed = false;
  private timers = new Set<NodeJS.Timeout>();

  constructor(private readonly o: CallPipelineOptions) {
    this.cfg = o.config ?? resolvePipelineConfig();
    this.preRoll = new PreRoll(Math.ceil(this.cfg.endpointing.preRollMs / FRAME_MS), FRAME_SAMPLES);
    this.now = o.now ?? (() => performance.now());
  }

  /** Plays the greeting (from the phrase cache) and starts listening. */
  async start(): Promise<void> {
    const g = await this.o.responder.greeting();
    this.language = g.language;
    this.lastAgentText = g.text;
    if (!this.o.stt.languages.includes(g.language)) {
      this.o.events?.onDegraded?.({ language: g.language, reason: `speech recognition supports ${this.o.stt.languages.join(', ')} only` });
      await this.playPhrase(LANGUAGE_NOTICES[g.language], g.language);
    }
    await this.playPhrase(g.text, g.language, true);
  }

  /**
   * One 20 ms frame of caller audio at 16 kHz. The pipeline copies what it keeps, so the
   * caller may reuse `frame` once this returns (the media layer's rings do).
   */
  onCallerFrame(frame: Int16Array): void {
    if (this.closed) return;
    if (this.inUtterance) {
      if (this.utterance.length * FRAME_MS < MAX_UTTERANCE_MS) {
        const kept = this.kept.copy(frame);
        this.utterance.push(kept);
        this.partials?.write(kept);
      }
      return;
    }
    this.preRoll.push(frame);
  }

  onVad(ev: VadEvent): void {
    if (this.closed) return;
    if (ev.kind === 'onset') this.onSpeechStart(ev.atMs);
    else this.onSpeechEnd(ev.atMs);
  }

  /** The native detector says the caller is really talking over the agent. */
  onBargeIn(ev: BargeInEvent): void {
    if (this.closed || this.interruption) return;
    const p = this.currentPlayout;
    if (!p || p.state !== 'playing' || !p.started) return;
    const t = this.now();
    p.pause();
    const { confirmSpeechMs, pauseSpeechMs } = this.cfg.interruption;
    this.interruption = {
      atMs: ev.atMs,
      timers: [
        this.timer(() => this.onConfirmCheck(), Math.max(MIN_CONFIRM_CHECK_MS, confirmSpeechMs - pauseSpeechMs)),
        this.timer(() => this.onInterruptionTimeout(), this.cfg.falseInterruptionMs),
      ],
    };
    this.emitMetric({ type: 'interruption_metrics', turnId: this.current?.id ?? 0, atMs: ev.atMs, stopDelayMs: this.now() - t, heardChars: p.heardText().length, resumed: false });
  }

  /** True while agent audio is queued or being produced for the caller. */
  get agentSpeaking(): boolean {
    const s = this.currentPlayout?.state;
    return s === 'playing' || s === 'paused';
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.discardPending();
    this.closePartials();
    this.current?.job?.abort();
    this.currentPlayout?.cancel();
  }

  // --- caller speech -------------------------------------------------------

  private onSpeechStart(atMs: number): void {
    this.callerSpeaking = true;
    if (!this.inUtterance) {
      this.inUtterance = true;
      this.utteranceStartMs = atMs - this.preRoll.length * FRAME_MS;
      this.utterance = this.preRoll.take(this.kept);
      this.openPartials();
    }
    if (this.pending) {
      // The caller went on: the speculative transcript and reply are stale; the audio is kept.
      this.discardPending();
      this.discarded++;
    }
    const p = this.currentPlayout;
    const job = this.current?.job;
    if (p && job && p.state === 'playing' && !p.started) {
      // The caller spoke again before hearing anything of the reply: answer the whole thing instead.
      this.cancelCurrent('interrupted', '');
      if (!job.responded) this.carryText = `${job.callerText} `;
    }
  }

  private onSpeechEnd(atMs: number): void {
    this.callerSpeaking = false;
    if (!this.inUtterance) return;
    const turn: Turn = {
      id: ++this.turnSeq,
      startMs: this.utteranceStartMs,
      endMs: atMs,
      at: { speechEnd: this.now() },
      stt: new AbortController(),
      discarded: this.discarded,
      fillerPlayed: false,
      budgetsExceeded: [],
    };
    this.pending = turn;
    const pcm = concatPcm(this.utterance);
    const sttStart = this.now();
    this.o.stt
      // No language hint: forcing one would stop the recognizer from hearing a caller switch languages.
      .recognize({ pcm, vocabulary: this.cfg.vocabulary, signal: turn.stt.signal })
      .then(
        (r) => {
          this.emitMetric({ type: 'stt_metrics', turnId: turn.id, provider: r.provider ?? this.o.stt.id, durationMs: this.now() - sttStart, audioMs: (pcm.length * 1000) / PIPELINE_RATE, cancelled: false });
          turn.sttProvider = r.provider ?? this.o.stt.id;
          this.onTranscript(turn, r.text.trim(), r.language);
        },
        (err: unknown) => {
          const cancelled = turn.stt.signal.aborted;
          this.emitMetric({ type: 'stt_metrics', turnId: turn.id, provider: this.o.stt.id, durationMs: this.now() - sttStart, audioMs: (pcm.length * 1000) / PIPELINE_RATE, cancelled, ...(cancelled ? {} : { error: String(err) }) });
          if (cancelled || this.pending !== turn) return;
          this.o.logger?.warn({ err: err instanceof Error ? err.message : String(err), turnId: turn.id }, 'speech recognition failed');
          turn.budgetsExceeded.push('stt');
          this.finishCallerTurn(turn, 'error');
          this.resumeIfInterrupted();
          void this.playPhrase(APOLOGIES[this.language], this.language);
        },
      );
  }

  private onTranscript(turn: Turn, text: string, language: Language | undefined): void {
    if (this.pending !== turn || this.closed) return;
    turn.at.sttFinal = this.now();
    if (turn.at.sttFinal - turn.at.speechEnd > this.cfg.budgets.sttFinalMs) turn.budgetsExceeded.push('stt');
    turn.text = text;
    turn.language = language ?? this.language;
    this.o.events?.onTranscript?.({
      turnId: turn.id,
      kind: 'final',
      text,
      language,
      startMs: turn.startMs,
      endMs: turn.endMs,
      provider: turn.sttProvider ?? this.o.stt.id,
    });
    const agentTalking = this.interruption !== undefined || this.agentSpeaking;
    if (!text) {
      this.finishCallerTurn(turn, 'no_speech');
      this.resumeIfInterrupted();
      return;
    }
    if (agentTalking && isBackchannel(text)) {
      this.finishCallerTurn(turn, 'backchannel');
      this.resumeIfInterrupted();
      return;
    }
    if (agentTalking) this.cancelCurrent('interrupted');
    this.language = turn.language;
    const callerText = `${this.carryText}${text}`.trim();
    const decision = endOfTurnWait(this.cfg.endpointing, this.cfg.budgets.endOfTurnMs, expectationFromDialog(this.expecting, this.lastAgentText), callerText);
    turn.waitMs = decision.waitMs;
    const playout = new Playout(this.o.sink, this.now, () => this.onReplyFinished(turn));
    turn.job = new ReplyJob(turn.id, callerText, this.language, playout, {
      responder: this.o.responder,
      tts: this.o.tts,
      leadFrames: Math.ceil(this.cfg.ttsLeadMs / FRAME_MS),
      now: this.now,
      onMetric: (m) => this.emitMetric(m),
      ...(this.o.logger ? { logger: this.o.logger } : {}),
    });
    const eotAt = turn.at.speechEnd + decision.waitMs;
    this.emitMetric({
      type: 'eou_metrics',
      turnId: turn.id,
      endOfUtteranceDelayMs: Math.max(eotAt, turn.at.sttFinal) - turn.at.speechEnd,
      transcriptionDelayMs: turn.at.sttFinal - turn.at.speechEnd,
      waitMs: decision.waitMs,
      reason: decision.reason,
    });
    turn.eotTimer = this.timer(() => this.commit(turn), Math.max(0, eotAt - this.now()));
  }

  /** End of turn: the held reply goes out. */
  private commit(turn: Turn): void {
    if (this.pending !== turn || this.callerSpeaking || this.closed || !turn.job) return;
    this.pending = undefined;
    this.inUtterance = false;
    this.utterance = [];
    this.closePartials();
    this.carryText = '';
    this.discarded = 0;
    turn.at.endOfTurn = this.now();
    this.current = turn;
    this.currentPlayout = turn.job.playout;
    turn.job.playout.release();
    const b = this.cfg.budgets;
    this.timer(() => void this.maybeFiller(turn), b.llmFirstTokenMs);
    this.timer(() => this.maybeGiveUp(turn), b.giveUpMs);
  }

  private async maybeFiller(turn: Turn): Promise<void> {
    const job = turn.job;
    if (!job || this.current !== turn || job.playout.started || job.aborted) return;
    turn.budgetsExceeded.push(job.llmFirstToken === undefined ? 'llm' : 'tts');
    const phrase = await this.o.phrases.get(this.o.tenantId, this.language, FILLERS[this.language]).catch(() => undefined);
    if (!phrase || this.current !== turn) return;
    if (job.playout.insertFiller(phrase.key.text, phrase.pcm, this.packetsOf(phrase))) {
      turn.fillerPlayed = true;
      turn.at.fillerOut = this.now();
    }
  }

  private maybeGiveUp(turn: Turn): void {
    const job = turn.job;
    if (!job || this.current !== turn || (job.playout.started && job.llmFirstToken !== undefined) || job.aborted) return;
    this.o.logger?.warn({ turnId: turn.id }, 'reply abandoned: no answer within the give-up budget');
    turn.budgetsExceeded.push('reply');
    this.cancelCurrent('error', job.playout.heardText());
    void this.playPhrase(APOLOGIES[this.language], this.language);
  }

  private onReplyFinished(turn: Turn): void {
    const job = turn.job;
    if (!job || this.current !== turn) return;
    this.current = undefined;
    this.currentPlayout = undefined;
    if (job.error && !job.playout.fullText()) {
      // The dialog failed before saying anything: apologise rather than leave dead air.
      this.recordTurn(turn, 'error', '');
      void this.playPhrase(APOLOGIES[this.language], this.language);
      return;
    }
    this.lastAgentText = job.playout.fullText() || this.lastAgentText;
    // The dialog decides the conversation's language (it detects the caller's).
    this.language = job.language;
    this.expecting = job.expecting;
    this.recordTurn(turn, 'replied', job.playout.fullText());
    if (job.actions.endCall || job.actions.transferTo) this.o.events?.onActions?.(job.actions);
  }

  // --- partial transcripts -------------------------------------------------

  /** Feeds the new utterance (pre-roll first) to a streaming recognizer, when the provider has one free. */
  private openPartials(): void {
    this.closePartials();
    const stream = this.o.stt.streamPartials?.({ vocabulary: this.cfg.vocabulary, onPartial: (p) => this.onPartial(stream, p) });
    if (!stream) return;
    this.partials = stream;
    for (const f of this.utterance) stream.write(f);
  }

  private closePartials(): void {
    this.partials?.close();
    this.partials = undefined;
  }

  /**
   * The words so far go to the live transcript (final: false). During a barge-in pause,
   * words that are clearly not a backchannel confirm the interruption before the final.
   */
  private onPartial(stream: PartialStream | undefined, p: PartialResult): void {
    if (this.closed || stream !== this.partials || !p.text) return;
    const endMs = this.utteranceStartMs + p.audioMs;
    // Once the caller stopped, the final is on its way: a hypothesis of the silence after adds nothing.
    const pending = this.pending;
    if (pending && endMs > pending.endMs) return;
    this.o.events?.onTranscript?.({
      turnId: pending ? pending.id : this.turnSeq + 1,
      kind: 'partial',
      text: p.text,
      language: p.language,
      startMs: this.utteranceStartMs,
      endMs,
      provider: this.o.stt.id,
    });
    if (this.interruption && p.text.split(/\s+/).length >= MIN_CONFIRMING_PARTIAL_WORDS && !isBackchannel(p.text)) this.cancelCurrent('interrupted');
  }

  // --- interruptions -------------------------------------------------------

  /**
   * Stage two, once the caller's speech could have lasted `confirmSpeechMs`: still talking
   * confirms the interruption; nothing heard (a sound under the VAD) resumes the agent; a
   * transcript on its way decides when it comes.
   */
  private onConfirmCheck(): void {
    if (!this.interruption) return;
    if (this.callerSpeaking) this.cancelCurrent('interrupted');
    else if (!this.pending && !this.inUtterance) this.resumeIfInterrupted();
  }

  private onInterruptionTimeout(): void {
    if (!this.interruption) return;
    if (this.callerSpeaking) {
      this.cancelCurrent('interrupted');
      return;
    }
    // A transcript pending for the interrupting sound decides; otherwise it was noise.
    if (!this.pending) this.resumeIfInterrupted();
  }

  private resumeIfInterrupted(): void {
    const i = this.interruption;
    if (!i) return;
    for (const t of i.timers) clearTimeout(t);
    this.interruption = undefined;
    this.currentPlayout?.resume();
    this.emitMetric({ type: 'interruption_metrics', turnId: this.current?.id ?? 0, atMs: i.atMs, stopDelayMs: 0, heardChars: this.currentPlayout?.heardText().length ?? 0, resumed: true });
  }

  /** Stops the current reply for good and tells the dialog what was heard. */
  private cancelCurrent(outcome: TurnOutcome, heard?: string): void {
    if (this.interruption) {
      for (const t of this.interruption.timers) clearTimeout(t);
      this.interruption = undefined;
    }
    const playout = this.currentPlayout;
    const turn = this.current;
    this.current = undefined;
    this.currentPlayout = undefined;
    if (!playout) return;
    const heardText = heard ?? playout.cancel();
    if (heard !== undefined) playout.cancel();
    turn?.job?.abort();
    // Only a reply the dialog took in (its final chunk arrived) or the greeting is truncated there;
    // an aborted respond() left no trace to correct.
    if (turn ? turn.job?.responded === true : this.greetingPlaying) this.o.responder.commitHeard(heardText);
    this.greetingPlaying = false;
    this.lastAgentText = heardText || this.lastAgentText;
    this.expecting = undefined;
    if (turn) this.recordTurn(turn, outcome, playout.fullText(), heardText);
  }

  // --- helpers -------------------------------------------------------------

  private discardPending(): void {
    const t = this.pending;
    if (!t) return;
    this.pending = undefined;
    t.stt.abort();
    t.job?.abort();
    t.job?.playout.cancel();
    if (t.eotTimer) clearTimeout(t.eotTimer);
  }

  private finishCallerTurn(turn: Turn, outcome: TurnOutcome): void {
    if (this.pending === turn) this.pending = undefined;
    this.inUtterance = this.callerSpeaking;
    if (!this.callerSpeaking) {
      this.utterance = [];
      this.closePartials();
    }
    this.recordTurn(turn, outcome, '');
  }

  /** Plays a cached phrase as its own reply (greeting, apology, notice). */
  private async playPhrase(text: string, language: Language, greeting = false): Promise<void> {
    const phrase = await this.o.phrases.get(this.o.tenantId, language, text).catch((err: unknown) => {
      this.o.logger?.warn({ err: err instanceof Error ? err.message : String(err) }, 'phrase synthesis failed');
      return undefined;
    });
    if (!phrase || this.closed) return;
    this.expecting = undefined;
    await new Promise<void>((resolve) => {
      const playout = new Playout(this.o.sink, this.now, () => {
        if (this.currentPlayout === playout) this.currentPlayout = undefined;
        resolve();
      });
      if (!this.current) {
        this.currentPlayout = playout;
        this.greetingPlaying = greeting;
      }
      playout.addPhrase(text, phrase.pcm, this.packetsOf(phrase));
      playout.endOfReply();
      playout.release();
      // A barge-in may cancel it; do not wait for a finish that will not come.
      this.timer(resolve, phrase.durationMs + 2000);
    });
    this.lastAgentText = text;
  }

  /** The phrase's pre-encoded packets in the sink's format, if the cache made them. */
  private packetsOf(phrase: CachedPhrase): PhrasePackets | undefined {
    const format = this.o.sink.encodedFormat;
    const packets = format === undefined ? undefined : phrase.encoded[format];
    return format !== undefined && packets ? { format, packets } : undefined;
  }

  private recordTurn(turn: Turn, outcome: TurnOutcome, agentText: string, heardText?: string): void {
    const job = turn.job;
    if (job) {
      if (job.llmStart !== undefined) turn.at.llmStart = job.llmStart;
      if (job.llmFirstToken !== undefined) turn.at.llmFirstToken = job.llmFirstToken;
      if (job.ttsFirstAudio !== undefined) turn.at.ttsFirstAudio = job.ttsFirstAudio;
      if (job.playout.firstSpeechFrameAt !== undefined) turn.at.firstFrameOut = job.playout.firstSpeechFrameAt;
    }
    const record: TurnRecord = {
      turnId: turn.id,
      callerText: turn.text ?? '',
      language: turn.language,
      agentText,
      ...(heardText !== undefined ? { heardText } : {}),
      outcome,
      at: { ...turn.at },
      ...deriveTurnFigures(turn.at),
      speculationsDiscarded: turn.discarded,
      fillerPlayed: turn.fillerPlayed,
      budgetsExceeded: [...new Set(turn.budgetsExceeded)],
      ...(turn.sttProvider ? { sttProvider: turn.sttProvider } : {}),
    };
    this.o.events?.onTurn?.(record);
  }

  private emitMetric(m: PipelineMetric): void {
    this.o.events?.onMetric?.(m);
  }

  private timer(fn: () => void, ms: number): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
    return t;
  }
}
