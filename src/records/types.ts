// Shapes of the call records, shared by the SQLite store, its async facade and the PostgreSQL store.
import type { CallSummary, Channel, TranscriptEntry } from '../agent/types.js';
import type { BookedSlot, NewCallEntry } from '../agent/call-log.js';

export { SlotTakenError } from '../agent/call-log.js';

/** A call as the dialog session opens it (the agent's `CallLog` port). */
export type NewCall = NewCallEntry;

/** One turn's latency figures in ms (names as the speech pipeline reports them); null when not measured. */
export interface TurnLatencyFigures {
  endOfUtteranceDelayMs?: number | null;
  transcriptionDelayMs?: number | null;
  llmTtftMs?: number | null;
  ttsTtfbMs?: number | null;
  endToEndMs?: number | null;
  interruptionStopMs?: number | null;
}

export interface StoredTurn extends TranscriptEntry {
  id: number;
  engine: string | null;
  latency: TurnLatencyFigures | null;
}

export type CallStatus = 'active' | 'ended' | 'abandoned';
export type TransferOutcome = 'requested' | 'connected' | 'failed';

export interface CallRecord extends NewCall {
  endedAt: string | null;
  status: CallStatus;
  /** Why the call ended: caller_hangup, agent_end, error, abandoned, or a media-layer reason. */
  endReason: string | null;
  outcome: string | null;
  transferTarget: string | null;
  transferOutcome: TransferOutcome | null;
  /** Set once the retention sweeper deleted the transcript. */
  transcriptPurgedAt: string | null;
  /** The gateway node that took the call (NODE_ID); null for calls recorded before node ids. */
  nodeId: string | null;
  turns: StoredTurn[];
  summary: CallSummary | null;
}

/** A row of a call list (no transcript). */
export interface CallListItem {
  id: string;
  tenantId: string;
  channel: Channel;
  callerNumber: string | null;
  startedAt: string;
  endedAt: string | null;
  status: CallStatus;
  endReason: string | null;
  outcome: string | null;
  urgency: string | null;
  trade: string | null;
  callerName: string | null;
  problem: string | null;
}

export interface CallFilter {
  tenantId: string;
  /** Inclusive lower and exclusive upper bound of the start time (ISO 8601). */
  from?: string;
  to?: string;
  urgency?: string;
  outcome?: string;
  trade?: string;
  limit?: number;
}

export interface EndCallInput {
  reason: string;
  endedAt: string;
}

export interface TransferInput {
  target: string;
  outcome: TransferOutcome;
}

/**
 * Summary delivery wired into a store: every saved summary enqueues the tenant's notifications in the
 * summary's own transaction; `afterCommit` runs after the commit (wake the delivery worker there).
 */
export interface SummaryDelivery {
  /** The tenant's `notifications` config (unvalidated; an invalid one is reported to afterCommit, never rolls back the summary). */
  notifications: (tenantId: string) => unknown;
  afterCommit?: (callId: string, enqueued: number, configError?: string) => void;
}

export interface SaveSummaryOptions {
  /** Why the call ended (the session's EndReason). */
  endReason?: string;
  /** The call was left open by a crash and is closed on restart: status 'abandoned' instead of 'ended'. */
  crashed?: boolean;
}

/** Per-tenant usage over a period, for billing. */
export interface UsageRow {
  tenantId: string;
  calls: number;
  /** Sum of call durations of ended calls, in seconds. */
  seconds: number;
  /** Agent turns (each one LLM and TTS request at most). */
  agentTurns: number;
  /** Caller turns (each one STT transcript). */
  callerTurns: number;
}

export type StoredAppointment = BookedSlot;

export class UnknownCallError extends Error {
  constructor(callId: string) {
    super(`unknown call ${callId}`);
    this.name = 'UnknownCallError';
  }
}
