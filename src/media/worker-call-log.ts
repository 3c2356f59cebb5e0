// The media worker's CallLog: every operation of its dialog sessions goes over the records port
// to the main thread's records writer, which applies it to the configured store (SQLite or
// PostgreSQL). The worker never opens the database, so no commit or fsync runs on its media clock.
// Writes are posted as the call progresses (a crash keeps what was said up to then); the summary,
// the appointments and a booking wait for the writer's answer.
import type { MessagePort } from 'node:worker_threads';
import { SlotTakenError, type BookedSlot, type CallLog } from '../agent/call-log.js';
import type { RecordsPortReply, RecordsPortRequest } from './records-port-messages.js';

interface Pending {
  resolve(reply: Extract<RecordsPortReply, { ok: true }>): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export interface WorkerCallLogOptions {
  /** How long a request (summary, appointments, booking) may wait for the writer. Default 30 s. */
  requestTimeoutMs?: number;
}

export function createWorkerCallLog(port: MessagePort, o: WorkerCallLogOptions = {}): CallLog {
  const timeoutMs = o.requestTimeoutMs ?? 30_000;
  const pending = new Map<number, Pending>();
  /** The worker's turn ids, with their call (updateTurnText names only the turn). */
  const turnCall = new Map<number, string>();
  let nextTurn = 0;
  let nextReq = 0;
  let closed = false;

  const failAll = (why: string): void => {
    closed = true;
    for (const [req, p] of pending) {
      clearTimeout(p.timer);
      pending.delete(req);
      p.reject(new Error(why));
    }
  };
  port.on('message', (r: RecordsPortReply) => {
    const p = pending.get(r.req);
    if (!p) return;
    pending.delete(r.req);
    clearTimeout(p.timer);
    if (r.ok) p.resolve(r);
    else p.reject(Object.assign(new Error(r.message), { name: r.name }));
  });
  port.on('close', () => failAll('records port closed'));

  const post = (m: RecordsPortRequest): void => {
    if (closed) throw new Error('records port closed');
    port.postMessage(m);
  };
  const request = (m: RecordsPortRequest & { req: number }): Promise<Extract<RecordsPortReply, { ok: true }>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(m.req);
        reject(new Error(`records writer did not answer ${m.op} within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(m.req, { resolve, reject, timer });
      try {
        post(m);
      } catch (err) {
        pending.delete(m.req);
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });

  return {
    async createCall(call) {
      post({ op: 'createCall', call });
    },
    async appendTurn(callId, entry, engine) {
      const turn = ++nextTurn;
      post({ op: 'appendTurn', callId, turn, entry, ...(engine !== undefined ? { engine } : {}) });
      turnCall.set(turn, callId);
      return turn;
    },
    async updateTurnText(turn, text) {
      const callId = turnCall.get(turn);
      if (callId === undefined) throw new Error(`unknown turn ${turn}`);
      post({ op: 'updateTurnText', callId, turn, text });
    },
    async saveSummary(summary, opts = {}) {
      for (const [turn, callId] of turnCall) if (callId === summary.callId) turnCall.delete(turn);
      await request({ op: 'saveSummary', req: ++nextReq, summary, ...(opts.endReason !== undefined ? { endReason: opts.endReason } : {}) });
    },
    async appointments(tenantId, from, to): Promise<BookedSlot[]> {
      const r = await request({ op: 'appointments', req: ++nextReq, tenantId, from, to });
      return r.slots ?? [];
    },
    async bookAppointment(tenantId, callId, slot) {
      try {
        await request({ op: 'bookAppointment', req: ++nextReq, tenantId, callId, slot });
      } catch (err) {
        if (err instanceof Error && err.name === 'SlotTakenError') throw new SlotTakenError(slot.technician, slot.start);
        throw err;
      }
    },
  };
}
