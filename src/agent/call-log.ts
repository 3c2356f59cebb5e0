// What a dialog session needs from the records layer, defined here so the agent does not
// depend on the store. Asynchronous, because the store may be remote: PostgreSQL, or the main
// thread's records writer reached over a MessagePort from a media worker (src/media/worker-call-log.ts).
// The records store's async interface (src/records/records-store.ts) implements it structurally.
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

/**
 * The session makes one call's writes, booking and summary one after the other (each awaited before the
 * next starts), so an implementation may apply them as they come; every write is made as the call
 * progresses. `appointments` is read at the start of each turn, outside that order.
 */
export interface CallLog {
  createCall(call: NewCallEntry): Promise<void>;
  /** Appends one transcript entry; resolves to an id that this CallLog's `updateTurnText` accepts. */
  appendTurn(callId: string, entry: TranscriptEntry, engine?: string): Promise<number>;
  /** Barge-in: the agent's turn was heard only up to `text`. */
  updateTurnText(turnId: number, text: string): Promise<void>;
  /** Stores the summary (and queues its notifications in the same transaction); the call is reported ended only after this resolves. */
  saveSummary(summary: CallSummary, opts?: { endReason?: string }): Promise<void>;
  appointments(tenantId: string, fromIso: string, toIso: string): Promise<BookedSlot[]>;
  /** Books the slot unless it overlaps one of the same technician (checked atomically by the store): rejects with SlotTakenError. */
  bookAppointment(tenantId: string, callId: string, slot: BookedSlot): Promise<void>;
}

export class SlotTakenError extends Error {
  constructor(technician: string, start: string) {
    super(`slot ${start} with ${technician} is already booked`);
    this.name = 'SlotTakenError';
  }
}
