import type { CallState, IceCandidateMessage, TranscriptRole } from './protocol.js';

/**
 * What signaling needs from the media layer (implemented by the worker pool):
 * start a call, hand it the caller's offer and candidates, hang it up.
 * Signaling stays on the main thread; the media layer may run the call anywhere.
 */
export interface CallHost {
  startCall(init: CallInit, events: CallSignalEvents): CallControl;
}

export interface CallInit {
  callId: string;
  tenant: string;
  /** ms since epoch when signaling accepted the call. */
  acceptedAt: number;
}

export interface CallControl {
  /** Applies the caller's SDP offer and resolves with the gateway's answer. */
  offer(sdp: string): Promise<string>;
  addCandidate(candidate: IceCandidateMessage | null): void;
  hangup(reason: string): void;
}

/** Media → signaling notifications for one call. */
export interface CallSignalEvents {
  candidate(candidate: IceCandidateMessage): void;
  state(state: CallState, reason?: string): void;
  transcript(role: TranscriptRole, text: string, final: boolean, at: number): void;
}
