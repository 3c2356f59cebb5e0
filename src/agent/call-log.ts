// What a dialog session needs from the records layer, defined here so the agent does not
// depend on the store: the records store (src/records) implements it structurally.
import type { CallSummary, Channel, Language, TranscriptEntry } from './types.js';

export interface NewCallEntry {
  id: string;
  tenantId: string;
  channel: Channel;
  callerNumber: string | null;
  language: Language;
  startedAt: string;
}

export interface BookedSlot {
  technician: string;
  start: string;
  end: string;
}

export interface CallLog {
  createCall(call: NewCallEntry): void;
  /** Appends one transcript entry; returns the turn's id. */
  appendTurn(callId: string, entry: TranscriptEntry, engine?: string): number;
  /** Barge-in: the agent's turn was heard only up to `text`. */
  updateTurnText(turnId: number, text: string): void;
  /** Stores the summary; the call is reported ended only after this returns. */
  saveSummary(summary: CallSummary, opts?: { endReason?: string }): void;
  appointments(tenantId: string, fromIso: string, toIso: string): BookedSlot[];
  /** Throws when the slot was taken meanwhile. */
  bookAppointment(tenantId: string, callId: string, slot: BookedSlot): void;
}
