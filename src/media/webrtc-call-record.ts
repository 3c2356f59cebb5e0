import type { GatewayMetrics } from '../observability/metrics.js';
import type { LatencyMark, TurnRecord } from './webrtc-call-handler.js';

/**
 * Where the media layer writes a call's record. The composition root adapts it to
 * the records store; the media layer does not import the layers above it.
 */
export interface CallRecorder {
  callStarted(call: { callId: string; tenant: string; channel: 'webrtc'; startedAt: number }): void;
  turn(callId: string, turn: TurnRecord): void;
  latency(callId: string, mark: LatencyMark, at: number): void;
  callEnded(callId: string, ended: { endedAt: number; reason: string; latency: LatencySummary }): void;
}

/** One turn's latency marks (ms since epoch) and the figures derived from them (ms). */
export interface TurnLatency {
  speechStart?: number;
  speechEnd?: number;
  endOfTurn?: number;
  firstAgentPacketOut?: number;
  bargeInDetected?: number;
  agentAudioStopped?: number;
  endOfUtteranceDelayMs?: number;
  endToEndMs?: number;
  interruptionStopMs?: number;
}

export interface LatencySummary {
  acceptedAt: number;
  firstPacketIn?: number;
  firstAgentPacketOut?: number;
  setupMs?: number;
  turns: TurnLatency[];
}

/**
 * Turns a call's latency marks into per-turn figures and histogram observations:
 * end-of-utterance delay (speech end → end-of-turn decision), end-to-end (speech
 * end → first agent packet out), interruption stop (barge-in → agent audio stopped).
 */
/** How far a stop may follow a barge-in detection to be its reaction. */
const PAIR_WINDOW_MS = 2000;

export class CallLatency {
  readonly summary: LatencySummary;
  private current: TurnLatency = {};
  private bargeAt: number | undefined;
  /** A first agent packet after speech end, reported before the turn's end-of-turn mark (the marks come from two threads). */
  private firstOutPending: number | undefined;
  /** An agent-audio stop not yet paired with a barge-in mark (the marks come from two threads). */
  private stoppedAt: number | undefined;

  constructor(acceptedAt: number, private readonly metrics: GatewayMetrics) {
    this.summary = { acceptedAt, turns: [] };
  }

  mark(mark: LatencyMark, at: number): void {
    const s = this.summary;
    const m = this.metrics;
    const t = this.current;
    switch (mark) {
      case 'first_packet_in':
        if (s.firstPacketIn === undefined) {
          s.firstPacketIn = at;
          m.firstPacketInSeconds.observe((at - s.acceptedAt) / 1000);
        }
        return;
      case 'speech_start':
        if (t.speechStart === undefined || t.endOfTurn !== undefined) this.newTurn().speechStart = at;
        return;
      case 'speech_end':
        t.speechEnd = at;
        return;
      case 'end_of_turn':
        t.endOfTurn = at;
        if (t.speechEnd !== undefined) {
          t.endOfUtteranceDelayMs = at - t.speechEnd;
          m.endOfUtteranceSeconds.observe(t.endOfUtteranceDelayMs / 1000);
        }
        // The reply's first packet (media thread) may have been reported before this mark (handler thread).
        if (this.firstOutPending !== undefined && this.firstOutPending >= at) this.replied(t, this.firstOutPending);
        this.firstOutPending = undefined;
        return;
      case 'first_agent_packet_out':
        if (s.firstAgentPacketOut === undefined) {
          s.firstAgentPacketOut = at;
          s.setupMs = at - s.acceptedAt;
          m.setupSeconds.observe(s.setupMs / 1000);
        }
        if (t.endOfTurn !== undefined && t.firstAgentPacketOut === undefined && t.speechEnd !== undefined) this.replied(t, at);
        else if (t.endOfTurn === undefined && t.speechEnd !== undefined) this.firstOutPending ??= at;
        return;
      case 'barge_in_detected':
        this.bargeAt = at;
        (this.summary.turns.length === 0 ? this.newTurn() : t).bargeInDetected = at;
        // The media thread may have stopped the audio (and said so) before the handler thread's mark arrived.
        if (this.stoppedAt !== undefined && this.stoppedAt >= at && this.stoppedAt - at <= PAIR_WINDOW_MS) this.interrupted(this.stoppedAt);
        this.stoppedAt = undefined;
        return;
      case 'agent_audio_stopped':
        if (this.bargeAt !== undefined && at >= this.bargeAt && at - this.bargeAt <= PAIR_WINDOW_MS) this.interrupted(at);
        else this.stoppedAt = at;
        return;
    }
  }

  /** The turn's reply left at `at` (first agent packet after the end-of-turn decision). */
  private replied(t: TurnLatency, at: number): void {
    t.firstAgentPacketOut = at;
    t.endToEndMs = at - (t.speechEnd as number);
    this.metrics.endToEndSeconds.observe(t.endToEndMs / 1000);
  }

  /** The agent's audio stopped at `at` after the barge-in detected at `bargeAt`. */
  private interrupted(at: number): void {
    const turn = this.current;
    turn.agentAudioStopped = at;
    turn.interruptionStopMs = at - (this.bargeAt as number);
    this.metrics.bargeInSeconds.observe(turn.interruptionStopMs / 1000);
    this.bargeAt = undefined;
  }

  private newTurn(): TurnLatency {
    this.current = {};
    this.summary.turns.push(this.current);
    return this.current;
  }
}
