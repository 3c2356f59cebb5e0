import { BroadcastChannel } from 'node:worker_threads';
import type { CallRecorder, LatencySummary } from '../media/webrtc-call-record.js';
import type { LatencyMark, TurnRecord } from '../media/webrtc-call-handler.js';
import type { PipelineTrace } from '../media/pipeline-call-handler.js';
import type { CallStore, TurnLatencyFigures } from '../records/store.js';

export interface EndedCall {
  endedAt: number;
  reason: string;
  latency: LatencySummary;
}

/** Marks of one agent reply in progress: the caller's utterance before it, and a barge-in during it. */
interface PendingReply {
  speechEnd?: number;
  endOfTurn?: number;
  firstAgentPacketOut?: number;
  bargeAt?: number;
  figures: TurnLatencyFigures;
}

/**
 * Writes WebRTC calls into the records store as they progress: the call row at start, each
 * caller/agent turn with its timestamp, each agent turn's latency figures (end-of-utterance delay,
 * end-to-end, interruption stop) when the turn is recorded, and the end reason and time at the end.
 * `ended(callId)` keeps the raw latency marks of the last few ended calls for tests and benches.
 */
export class StoreCallRecorder implements CallRecorder {
  private readonly endedCalls = new Map<string, EndedCall>();
  private readonly replies = new Map<string, PendingReply[]>();

  constructor(
    private readonly store: CallStore,
    private readonly onEnded: (callId: string, ended: EndedCall) => void = () => undefined,
    private readonly keepEnded = 1000,
  ) {}

  callStarted(call: { callId: string; tenant: string; startedAt: number }): void {
    this.store.createCall({ id: call.callId, tenantId: call.tenant, channel: 'webrtc', callerNumber: null, language: 'en', startedAt: new Date(call.startedAt).toISOString() });
    this.replies.set(call.callId, []);
  }

  turn(callId: string, turn: TurnRecord): void {
    const id = this.store.appendTurn(callId, { speaker: turn.role, text: turn.text ?? '', at: new Date(turn.startedAt).toISOString() }, 'webrtc-demo');
    if (turn.role !== 'agent') return;
    const queue = this.replies.get(callId);
    const i = queue?.findIndex((r) => r.endOfTurn !== undefined) ?? -1;
    if (!queue || i < 0) return;
    const [reply] = queue.splice(i, 1);
    if (reply && Object.keys(reply.figures).length > 0) this.store.recordTurnLatency(id, reply.figures);
  }

  latency(callId: string, mark: LatencyMark, at: number): void {
    const queue = this.replies.get(callId);
    if (!queue) return;
    let cur = queue.at(-1);
    if (mark === 'speech_start') {
      if (!cur || cur.endOfTurn !== undefined) queue.push({ figures: {} });
      return;
    }
    if (!cur) {
      cur = { figures: {} };
      queue.push(cur);
    }
    const answering = queue.find((r) => r.endOfTurn !== undefined) ?? cur;
    switch (mark) {
      case 'speech_end':
        cur.speechEnd = at;
        return;
      case 'end_of_turn':
        cur.endOfTurn = at;
        if (cur.speechEnd !== undefined) cur.figures.endOfUtteranceDelayMs = at - cur.speechEnd;
        return;
      case 'first_agent_packet_out':
        if (answering.endOfTurn !== undefined && answering.firstAgentPacketOut === undefined && answering.speechEnd !== undefined) {
          answering.firstAgentPacketOut = at;
          answering.figures.endToEndMs = at - answering.speechEnd;
        }
        return;
      case 'barge_in_detected':
        answering.bargeAt ??= at;
        return;
      case 'agent_audio_stopped':
        if (answering.bargeAt !== undefined && answering.figures.interruptionStopMs === undefined) answering.figures.interruptionStopMs = at - answering.bargeAt;
        return;
      default:
        return;
    }
  }

  callEnded(callId: string, ended: EndedCall): void {
    this.replies.delete(callId);
    this.store.endCall(callId, { reason: ended.reason, endedAt: new Date(ended.endedAt).toISOString() });
    this.endedCalls.set(callId, ended);
    if (this.endedCalls.size > this.keepEnded) {
      const oldest = this.endedCalls.keys().next().value;
      if (oldest !== undefined) this.endedCalls.delete(oldest);
    }
    this.onEnded(callId, ended);
  }

  /**
   * Persists the speech pipeline's per-turn figures (transcription delay, LLM TTFT, TTS TTFB, ...)
   * posted by the media workers on `channelName`. The worker's dialog session wrote the agent turn
   * through its own connection; the figures go to the latest agent turn with that text (the heard
   * part after a barge-in), else the latest agent turn without figures.
   */
  followPipelineTrace(channelName: string): { close(): void } {
    const channel = new BroadcastChannel(channelName);
    channel.unref();
    channel.onmessage = (ev) => {
      const t = (ev as { data: PipelineTrace }).data;
      if (t.type !== 'turn') return;
      try {
        this.pipelineTurn(t.callId, t.record.heardText ?? t.record.agentText, {
          endOfUtteranceDelayMs: t.record.endOfUtteranceDelayMs,
          transcriptionDelayMs: t.record.transcriptionDelayMs,
          llmTtftMs: t.record.llmTtftMs,
          ttsTtfbMs: t.record.ttsTtfbMs,
          endToEndMs: t.record.endToEndMs,
        });
      } catch {
        // A trace for a call this process does not store (another node's database): nothing to attach to.
      }
    };
    return { close: () => channel.close() };
  }

  /** Attaches figures to an agent turn of a call written by another connection; returns the turn id or null. */
  pipelineTurn(callId: string, agentText: string, figures: TurnLatencyFigures): number | null {
    const agents = (this.store.getCall(callId)?.turns ?? []).filter((x) => x.speaker === 'agent');
    const text = agentText.trim();
    const target = agents.findLast((x) => x.latency === null && x.text.trim() === text) ?? agents.findLast((x) => x.latency === null);
    if (!target) return null;
    this.store.recordTurnLatency(target.id, figures);
    return target.id;
  }

  ended(callId: string): EndedCall | undefined {
    return this.endedCalls.get(callId);
  }
}
