// The main thread's records writer: serves the records ports of the media workers
// (src/media/worker-call-log.ts) on the configured store (SQLite or PostgreSQL, through the async
// interface), applying each call's operations in the order the worker sent them.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { RecordsPortReply, RecordsPortRequest } from '../media/records-port-messages.js';
import type { CallRecords } from '../records/call-records.js';

export interface RecordsWriter {
  readonly calls: CallRecords;
  /** A new records port for one media worker (transfer it to the worker); the writer serves the other end. */
  connectWorker(): MessagePort;
  /** Waits for the operations received so far, then stops serving the ports. */
  close(): Promise<void>;
}

function errorReply(req: number, err: unknown): RecordsPortReply {
  return err instanceof Error ? { req, ok: false, name: err.name, message: err.message } : { req, ok: false, name: 'Error', message: String(err) };
}

export function startRecordsWriter(calls: CallRecords, log: Logger): RecordsWriter {
  const ports = new Set<MessagePort>();

  const serve = (port: MessagePort): void => {
    /** Per call, the worker's turn ids and the store's. */
    const turnIds = new Map<string, Map<number, number>>();
    const reply = (r: RecordsPortReply): void => port.postMessage(r);
    const answer = (req: number, p: Promise<Extract<RecordsPortReply, { ok: true }>>): void => {
      p.then(reply, (err: unknown) => reply(errorReply(req, err)));
    };
    const write = (callId: string, op: string, p: Promise<unknown>): void => {
      p.catch((err: unknown) => log.error({ callId, op, err: err instanceof Error ? err.message : String(err) }, 'call record write failed'));
    };

    port.on('message', (m: RecordsPortRequest) => {
      switch (m.op) {
        case 'createCall':
          write(m.call.id, m.op, calls.inCall(m.call.id, (s) => s.createCall(m.call)));
          return;
        case 'appendTurn':
          write(m.callId, m.op, calls.inCall(m.callId, async (s) => {
            const id = await s.appendTurn(m.callId, m.entry, m.engine);
            let ids = turnIds.get(m.callId);
            if (!ids) turnIds.set(m.callId, (ids = new Map()));
            ids.set(m.turn, id);
          }));
          return;
        case 'updateTurnText':
          write(m.callId, m.op, calls.inCall(m.callId, async (s) => {
            const id = turnIds.get(m.callId)?.get(m.turn);
            if (id === undefined) throw new Error(`turn ${m.turn} of call ${m.callId} was not stored`);
            await s.updateTurnText(id, m.text);
          }));
          return;
        case 'saveSummary': {
          const callId = m.summary.callId;
          answer(m.req, calls.inCall(callId, async (s) => {
            await s.saveSummary(m.summary, m.endReason !== undefined ? { endReason: m.endReason } : {});
            turnIds.delete(callId);
            return { req: m.req, ok: true };
          }));
          return;
        }
        case 'appointments':
          answer(m.req, calls.store.appointments(m.tenantId, m.from, m.to).then((slots) => ({ req: m.req, ok: true, slots })));
          return;
        case 'bookAppointment':
          answer(m.req, calls.inCall(m.callId, async (s) => {
            await s.bookAppointment(m.tenantId, m.callId, m.slot);
            return { req: m.req, ok: true };
          }));
          return;
        default:
          log.warn({ op: (m as { op?: unknown }).op }, 'records port: unknown operation ignored');
      }
    });
    // The worker exited (or was restarted): its calls' turn ids go with it.
    port.on('close', () => {
      ports.delete(port);
      turnIds.clear();
    });
    port.unref();
    ports.add(port);
  };

  return {
    calls,
    connectWorker() {
      const { port1, port2 } = new MessageChannel();
      serve(port1);
      return port2;
    },
    async close() {
      await calls.drain();
      for (const p of ports) p.close();
      ports.clear();
    },
  };
}
