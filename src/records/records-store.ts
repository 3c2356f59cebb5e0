// The asynchronous records-store interface: what the dashboard, the operator API and the sweeper use,
// implemented by PostgreSQL (pg-store.ts) and by an adapter over the synchronous SQLite store.
import type { CallSummary, TranscriptEntry } from '../agent/types.js';
import type { CallStore } from './store.js';
import type {
  CallFilter, CallListItem, CallRecord, EndCallInput, NewCall, SaveSummaryOptions, StoredAppointment, TransferInput,
  TurnLatencyFigures, UsageRow,
} from './types.js';

export interface RecordsStore {
  readonly kind: 'sqlite' | 'postgres';
  createCall(call: NewCall): Promise<void>;
  appendTurn(callId: string, entry: TranscriptEntry, engine?: string): Promise<number>;
  updateTurnText(turnId: number, text: string): Promise<void>;
  recordTurnLatency(turnId: number, figures: TurnLatencyFigures): Promise<void>;
  endCall(callId: string, end: EndCallInput): Promise<void>;
  recordTransfer(callId: string, transfer: TransferInput): Promise<void>;
  saveSummary(summary: CallSummary, opts?: SaveSummaryOptions): Promise<void>;
  getCall(id: string): Promise<CallRecord | null>;
  listCalls(filter: CallFilter): Promise<CallListItem[]>;
  usage(range: { from: string; to: string; tenantId?: string }): Promise<UsageRow[]>;
  abandonOpenCalls(endedAt: string): Promise<string[]>;
  purgeTranscripts(tenantId: string, beforeIso: string, nowIso: string): Promise<number>;
  appointments(tenantId: string, fromIso: string, toIso: string): Promise<StoredAppointment[]>;
  bookAppointment(tenantId: string, callId: string, appt: StoredAppointment): Promise<void>;
  close(): Promise<void>;
}

/** The store as the async interface: the SQLite store adapted, a `RecordsStore` as is. */
export function recordsOf(s: CallStore | RecordsStore): RecordsStore {
  return 'database' in s ? asyncStore(s) : s;
}

/** The SQLite store seen through the async interface (errors become rejections). */
export function asyncStore(s: CallStore): RecordsStore {
  const wrap = <A extends unknown[], R>(f: (...a: A) => R) => (...a: A): Promise<R> => {
    try {
      return Promise.resolve(f(...a));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  };
  return {
    kind: 'sqlite',
    createCall: wrap(s.createCall),
    appendTurn: wrap(s.appendTurn),
    updateTurnText: wrap(s.updateTurnText),
    recordTurnLatency: wrap(s.recordTurnLatency),
    endCall: wrap(s.endCall),
    recordTransfer: wrap(s.recordTransfer),
    saveSummary: wrap(s.saveSummary),
    getCall: wrap(s.getCall),
    listCalls: wrap(s.listCalls),
    usage: wrap(s.usage),
    abandonOpenCalls: wrap(s.abandonOpenCalls),
    purgeTranscripts: wrap(s.purgeTranscripts),
    appointments: wrap(s.appointments),
    bookAppointment: wrap(s.bookAppointment),
    close: wrap(s.close),
  };
}
