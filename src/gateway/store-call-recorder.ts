import type { CallRecorder, LatencySummary } from '../media/webrtc-call-record.js';
import type { CallStore } from '../records/store.js';

export interface EndedCall {
  endedAt: number;
  reason: string;
  latency: LatencySummary;
}

/**
 * Writes WebRTC calls into the records store: the call row at start and each
 * caller/agent turn with its timestamp. The store has no columns yet for latency
 * marks or for ending a call without a summary, so those are kept here
 * (`ended(callId)`) and handed to `onEnded` for the summary step to persist.
 */
export class StoreCallRecorder implements CallRecorder {
  private readonly endedCalls = new Map<string, EndedCall>();

  constructor(
    private readonly store: CallStore,
    private readonly onEnded: (callId: string, ended: EndedCall) => void = () => undefined,
    private readonly keepEnded = 1000,
  ) {}

  callStarted(call: { callId: string; tenant: string; startedAt: number }): void {
    this.store.createCall({ id: call.callId, tenantId: call.tenant, channel: 'webrtc', callerNumber: null, language: 'en', startedAt: new Date(call.startedAt).toISOString() });
  }

  turn(callId: string, turn: { role: 'caller' | 'agent'; startedAt: number; text?: string }): void {
    this.store.appendTurn(callId, { speaker: turn.role, text: turn.text ?? '', at: new Date(turn.startedAt).toISOString() }, 'webrtc-demo');
  }

  latency(): void {
    // Marks are summarised per call by CallLatency and arrive with callEnded.
  }

  callEnded(callId: string, ended: EndedCall): void {
    this.endedCalls.set(callId, ended);
    if (this.endedCalls.size > this.keepEnded) {
      const oldest = this.endedCalls.keys().next().value;
      if (oldest !== undefined) this.endedCalls.delete(oldest);
    }
    this.onEnded(callId, ended);
  }

  ended(callId: string): EndedCall | undefined {
    return this.endedCalls.get(callId);
  }
}
