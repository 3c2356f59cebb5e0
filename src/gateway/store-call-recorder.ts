import { BroadcastChannel } from 'node:worker_threads';
import type { CallRecorder, LatencySummary } from '../media/webrtc-call-record.js';
import type { LatencyMark, TurnRecord } from '../media/webrtc-call-handler.js';
import { onPipelineTraces } from '../media/pipeline-trace.js';
import type { Logger } from '../observability/logger.js';
import { callRecords, type CallRecords } from '../records/call-records.js';
import { asyncStore } from '../records/records-store.js';
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

export interface StoreCallRecorderOptions {
  onEnded?: (callId: string, ended: EndedCall) => void;
  /** How many ended calls `ended()` remembers (a bounded cache for tests and benches). Default 64. */
  keepEnded?: number;
  /** Where failed writes are logged. */
  log?: Logger;
}

/**
 * Writes WebRTC calls into the records store as they progress: the call row at start, each
 * caller/agent turn with its timestamp, each agent turn's latency figures (end-of-utterance delay,
 * end-to-end, interruption stop) when the turn is recorded, and the end reason and time at the end.
 * Its writes go through the call's queue of `CallRecords`, shared with the records writer that
 * applies the media workers' dialog sessions, so one call's operations keep their order.
 * `ended(callId)` keeps the raw latency marks of the last few ended calls for tests and benches.
 */
export class StoreCallRecorder implements CallRecorder {
  private readonly endedCalls = new Map<string, EndedCall>();
  private readonly replies = new Map<string, PendingReply[]>();
  private readonly records: CallRecords;
  private readonly onEnded: (callId: string, ended: EndedCall) => void;
  private readonly keepEnded: number;

  /** `store`: the records writer's `CallRecords`, or a SQLite store (adapted, with its own queue). */
  constructor(store: CallRecords | CallStore, private readonly o: StoreCallRecorderOptions = {}) {
    this.records = 'database' in store ? callRecords(asyncStore(store)) : store;
    this.onEnded = o.onEnded ?? (() => undefined);
    this.keepEnded = o.keepEnded ?? 64;
  }

  /** Resolves once the writes submitted so far for `callId` are applied. */
  settled(callId: string): Promise<void> {
    return this.records.settled(callId);
  }

  private write(callId: string, what: string, op: Parameters<CallRecords['inCall']>[1]): void {
    this.records.inCall(callId, op).catch((err: unknown) => this.o.log?.error({ callId, err: err instanceof Error ? err.message : String(err) }, `call record: ${what} failed`));
  }

  callStarted(call: { callId: string; tenant: string; startedAt: number }): void {
    const entry = { id: call.callId, tenantId: call.tenant, channel: 'webrtc' as const, callerNumber: null, language: 'en' as const, startedAt: new Date(call.startedAt).toISOString() };
    this.write(call.callId, 'createCall', (s) => s.createCall(entry));
    this.replies.set(call.callId, []);
  }

  turn(callId: string, turn: TurnRecord): void {
    let figures: TurnLatencyFigures | null = null;
    if (turn.role === 'agent') {
      const queue = this.replies.get(callId);
      const i = queue?.findIndex((r) => r.endOfTurn !== undefined) ?? -1;
      const reply = queue && i >= 0 ? queue.splice(i, 1)[0] : undefined;
      if (reply && Object.keys(reply.figures).length > 0) figures = reply.figures;
    }
    const entry = { speaker: turn.role, text: turn.text ?? '', at: new Date(turn.startedAt).toISOString() };
    this.write(callId, 'appendTurn', async (s) => {
      const id = await s.appendTurn(callId, entry, 'webrtc-demo');
      if (figures) await s.recordTurnLatency(id, figures);
    });
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
    const end = { reason: ended.reason, endedAt: new Date(ended.endedAt).toISOString() };
    this.write(callId, 'endCall', (s) => s.endCall(callId, end));
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
   * through the records writer; the figures go, after the call's writes received so far, to the
   * latest agent turn with that text (the heard part after a barge-in), else the latest agent turn
   * without figures.
   */
  followPipelineTrace(channelName: string): { close(): void } {
    const channel = new BroadcastChannel(channelName);
    channel.unref();
    onPipelineTraces(channel, (t) => {
      if (t.type !== 'turn') return;
      // A trace for a call this process does not store (another node's database) has nothing to attach to.
      this.pipelineTurn(t.callId, t.record.heardText ?? t.record.agentText, {
        endOfUtteranceDelayMs: t.record.endOfUtteranceDelayMs,
        transcriptionDelayMs: t.record.transcriptionDelayMs,
        llmTtftMs: t.record.llmTtftMs,
        ttsTtfbMs: t.record.ttsTtfbMs,
        endToEndMs: t.record.endToEndMs,
      }).catch(() => undefined);
    });
    return { close: () => channel.close() };
  }

  /** Attaches figures to an agent turn of a call written by another writer; resolves to the turn id or null. */
  pipelineTurn(callId: string, agentText: string, figures: TurnLatencyFigures): Promise<number | null> {
    return this.records.inCall(callId, async (s) => {
      const agents = ((await s.getCall(callId))?.turns ?? []).filter((x) => x.speaker === 'agent');
      const text = agentText.trim();
      const target = agents.findLast((x) => x.latency === null && x.text.trim() === text) ?? agents.findLast((x) => x.latency === null);
      if (!target) return null;
      await s.recordTurnLatency(target.id, figures);
      return target.id;
    });
  }

  ended(callId: string): EndedCall | undefined {
    return this.endedCalls.get(callId);
  }
}
