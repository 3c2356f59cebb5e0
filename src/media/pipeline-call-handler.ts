/**
 * The call handler that answers WebRTC calls with the speech pipeline and the
 * receptionist. It runs inside a media worker (the worker's composition root for
 * a call): per call it opens the tenant's dialog session and a `CallPipeline`
 * fed from the media layer's caller frames and VAD/barge-in verdicts; the
 * providers, phrase cache and store connection are the worker's, shared by its
 * calls (pipeline-worker-context.ts). Load it in the worker pool with
 * `pipelineCallHandler()` (src/gateway/pipeline-handler-config.ts).
 */
import { createDialogSession, type DialogSession } from '../agent/session.js';
import type { EndReason } from '../agent/types.js';
import { CallPipeline, type AgentActions, type PipelineMetric, type TurnRecord } from '../pipeline/index.js';
import type { CallContext, CallHandler, CallHandlerFactory, CallMediaConfig, VoiceActivity } from './webrtc-call-handler.js';
import { pipelineWorkerContext, type PipelineWorkerContext } from './pipeline-worker-context.js';
import { traceChannel, type PipelineTrace, type TraceBatcher } from './pipeline-trace.js';

export type { PipelineTrace };

/** The media layer's end reason as the dialog's: an early hang-up leaves the call abandoned unless the dialog reached an outcome. */
export function dialogEndReason(reason: string): EndReason {
  if (reason === 'agent_end' || reason === 'agent_transfer') return 'agent_end';
  if (reason === 'caller_hangup') return 'caller_hangup';
  if (reason === 'handler_error') return 'error';
  return 'abandoned';
}

export class PipelineCallHandler implements CallHandler {
  private readonly w: PipelineWorkerContext;
  private readonly session: DialogSession;
  private readonly pipeline: CallPipeline;
  private readonly ready: Promise<void>;
  private readonly trace: TraceBatcher | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** The tenant's barge-in thresholds, for the native engine. */
  readonly mediaConfig: CallMediaConfig;
  private ended = false;
  private hangingUp = false;
  /** Media-clock time of the last VAD offset, and whether the caller started again since. */
  private lastOffsetAt = 0;
  private speaking = false;

  constructor(private readonly ctx: CallContext, options: unknown) {
    this.w = pipelineWorkerContext(options);
    const tenant = this.w.tenants.get(ctx.tenant);
    if (!tenant) throw new Error(`unknown tenant "${ctx.tenant}"`);
    const { confirmSpeechMs, ...detector } = tenant.bargeIn;
    this.mediaConfig = { bargeIn: detector };
    const log = this.w.log.child({ callId: ctx.callId, tenant: tenant.id });
    this.trace = traceChannel(this.w.options.traceChannel);
    this.session = createDialogSession({
      tenant,
      channel: 'webrtc',
      callerNumber: null,
      language: this.w.callLanguage(tenant),
      engine: this.w.engine(),
      store: this.w.store,
      callId: ctx.callId,
      log,
    });
    this.pipeline = new CallPipeline({
      tenantId: tenant.id,
      responder: this.session,
      stt: this.w.speech.stt,
      tts: this.w.speech.tts,
      sink: ctx.audio,
      phrases: this.w.speech.phrases,
      // Barge-in stage one is the native detector's minimum speech; stage two is the pipeline's.
      config: { ...this.w.pipelineConfig(tenant), interruption: { pauseSpeechMs: detector.minSpeechMs, confirmSpeechMs } },
      logger: log,
      // The VAD and barge-in times are on this clock (ms since epoch).
      now: ctx.now,
      events: {
        onTranscript: (t) => ctx.report.transcript('caller', t.text, t.kind === 'final'),
        onTurn: (r) => this.onTurn(r),
        onMetric: (m) => this.onMetric(m),
        onActions: (a) => this.onActions(a),
        onDegraded: (d) => log.warn(d, 'call continues in degraded mode'),
      },
    });
    // A failed warm-up is not fatal: phrases are then synthesized on first use.
    this.ready = this.w.warm(tenant).catch(() => undefined);
  }

  onConnected(): void {
    void this.ready
      .then(async () => {
        if (this.ended) return;
        const g = this.session.greeting();
        this.ctx.report.transcript('agent', g.text, true);
        await this.pipeline.start();
      })
      .catch((err: unknown) => this.w.log.error({ callId: this.ctx.callId, err: err instanceof Error ? err.message : String(err) }, 'greeting failed'));
  }

  onCallerFrame(frame: Int16Array): void {
    // The media layer reuses the array: the pipeline copies the frames it keeps.
    this.pipeline.onCallerFrame(frame);
  }

  onVoiceActivity(ev: VoiceActivity): void {
    const r = this.ctx.report;
    switch (ev.kind) {
      case 'onset':
        this.speaking = true;
        r.mark('speech_start', ev.at);
        this.pipeline.onVad({ kind: 'onset', atMs: ev.at });
        return;
      case 'offset':
        this.speaking = false;
        this.lastOffsetAt = ev.at;
        r.mark('speech_end', ev.at);
        this.pipeline.onVad({ kind: 'offset', atMs: ev.at });
        return;
      case 'barge_in':
        r.mark('barge_in_detected', ev.at);
        this.pipeline.onBargeIn({ atMs: ev.at });
        return;
    }
  }

  onEnd(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    void this.pipeline.close();
    const endReason = dialogEndReason(reason);
    this.session
      .end(endReason)
      .then(() => this.post({ type: 'ended', callId: this.ctx.callId, reason, endReason }))
      .catch((err: unknown) => this.w.log.error({ callId: this.ctx.callId, err: err instanceof Error ? err.message : String(err) }, 'call summary failed'));
  }

  private onTurn(r: TurnRecord): void {
    const said = r.heardText ?? r.agentText;
    if (said) this.ctx.report.transcript('agent', said, true);
    this.post({ type: 'turn', callId: this.ctx.callId, record: r });
  }

  private onMetric(m: PipelineMetric): void {
    if (m.type === 'eou_metrics') {
      // The end-of-turn decision falls due at speech end + wait, unless the caller speaks first.
      const offsetAt = this.lastOffsetAt;
      const at = offsetAt + m.endOfUtteranceDelayMs;
      this.timer(() => {
        if (!this.speaking && this.lastOffsetAt === offsetAt) this.ctx.report.mark('end_of_turn', at);
      }, Math.max(0, at - this.ctx.now()));
    }
    this.post({ type: 'metric', callId: this.ctx.callId, metric: m });
  }

  /** The dialog ended or transferred the call: hang up once the goodbye has left. */
  private onActions(a: AgentActions): void {
    if (this.hangingUp || this.ended) return;
    this.hangingUp = true;
    const reason = a.transferTo ? 'agent_transfer' : 'agent_end';
    const hangup = (): void => {
      this.ctx.audio.onDrained = undefined;
      this.timer(() => this.ctx.hangup(reason), this.w.options.hangupGraceMs);
    };
    if (this.ctx.audio.pending() === 0) hangup();
    else this.ctx.audio.onDrained = hangup;
  }

  private post(t: PipelineTrace): void {
    this.trace?.post(t);
  }

  private timer(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.ended) fn();
    }, ms);
    this.timers.add(t);
  }
}

export const createCallHandler: CallHandlerFactory = (ctx, options) => new PipelineCallHandler(ctx, options);
