// The records port between a media worker and the main thread's records writer
// (src/wiring/records-writer.ts): the dialog sessions' call-log operations, in the order the
// worker made them. Writes are posted and not answered; requests carry `req` and get one reply.
import type { BookedSlot, NewCallEntry } from '../agent/call-log.js';
import type { CallSummary, TranscriptEntry } from '../agent/types.js';

export type RecordsPortRequest =
  | { op: 'createCall'; call: NewCallEntry }
  /** `turn`: the worker's id of the turn, later named by updateTurnText of the same call. */
  | { op: 'appendTurn'; callId: string; turn: number; entry: TranscriptEntry; engine?: string }
  | { op: 'updateTurnText'; callId: string; turn: number; text: string }
  | { op: 'saveSummary'; req: number; summary: CallSummary; endReason?: string }
  | { op: 'appointments'; req: number; tenantId: string; from: string; to: string }
  | { op: 'bookAppointment'; req: number; tenantId: string; callId: string; slot: BookedSlot };

export type RecordsPortReply =
  | { req: number; ok: true; slots?: BookedSlot[] }
  /** `name` is the error's class name (SlotTakenError for a taken slot). */
  | { req: number; ok: false; name: string; message: string };
