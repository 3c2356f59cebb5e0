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
export class CallLatency {
  readonly summary: LatencySummary;
  private current: TurnLatency = {};
  private bargeAt: number | undefined;

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
        return;
      case 'first_agent_packet_out':
        if (s.firstAgentPacketOut === undefined) {
          s.firstAgentPacketOut = at;
          s.setupMs = at - s.acceptedAt;
          m.setupSeconds.observe(s.setupMs / 1000);
        }
        if (t.endOfTurn !== undefined && t.firstAgentPacketOut === undefined && t.speechEnd !== undefined) {
          t.firstAgentPacketOut = at;
          t.endToEndMs = at - t.speechEnd;
          m.endToEndSeconds.observe(t.endToEndMs / 1000);
        }
        return;
      case 'barge_in_detected':
        this.bargeAt = at;
        (this.summary.turns.length === 0 ? this.newTurn() : t).bargeInDetected = at;
        return;
      case 'agent_audio_stopped':
        if (this.bargeAt !== undefined) {
          const turn = this.current;
          turn.agentAudioStopped = at;
          turn.interruptionStopMs = at - this.bargeAt;
          m.bargeInSeconds.observe(turn.interruptionStopMs / 1000);
          this.bargeAt = undefined;
        }
        return;
    }
  }

  private newTurn(): TurnLatency {
    this.current = {};
    this.summary.turns.push(this.current);
    return this.current;
  }
}
