// A dialog session: one call's conversation, shared by the voice pipeline and the text API.
// Each turn runs on a copy of the state and is committed only when its stream completes, so a speculative
// turn that is aborted leaves no trace (no state change, no booking, no escalation, no transcript entry).
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import type { Tenant } from './tenant/schema.js';
import type { BookedSlot, CallLog } from './call-log.js';
import type { ActionContext } from './actions.js';
import { nowIso } from './actions.js';
import type { DialogEngine, ChatTurn, EngineTurn } from './engine.js';
import { createRulesEngine } from './dialog/rules-dialog-engine.js';
import { cloneWorkingState, expectingFor, initialWorkingState, type WorkingState } from './dialog/working-state.js';
import { buildSummary } from './summary.js';
import type {
  AgentReply, CallSummary, Channel, Clock, ConversationState, EndReason, Language, ReplyChunk, TranscriptEntry,
} from './types.js';

export interface DialogSession {
  readonly callId: string;
  readonly tenantId: string;
  greeting(): AgentReply;
  respond(callerText: string, opts?: { signal?: AbortSignal; language?: Language }): AsyncIterable<ReplyChunk>;
  commitHeard(heardText: string): void;
  /** Resolves once every write the session made so far (greeting, turns, heard text) has been applied. */
  recorded(): Promise<void>;
  state(): ConversationState;
  end(reason: EndReason): Promise<CallSummary>;
}

export interface DialogSessionOptions {
  tenant: Tenant;
  channel: Channel;
  callerNumber?: string | null;
  language?: 'auto' | Language;
  engine?: DialogEngine;
  store: CallLog;
  clock?: Clock;
  callId?: string;
  log?: Logger;
}

export class SessionEndedError extends Error {
  constructor(callId: string) {
    super(`conversation ${callId} has ended`);
    this.name = 'SessionEndedError';
  }
}

export function createDialogSession(o: DialogSessionOptions): DialogSession {
  const clock = o.clock ?? (() => new Date());
  const engine = o.engine ?? createRulesEngine();
  const callId = o.callId ?? randomUUID();
  const tenant = o.tenant;
  const callerNumber = o.callerNumber ?? null;
  const fixedLanguage = o.language && o.language !== 'auto' && tenant.languages.includes(o.language) ? o.language : null;
  let ws: WorkingState = initialWorkingState(fixedLanguage ?? tenant.defaultLanguage);
  ws.languageKnown = fixedLanguage !== null;
  const transcript: TranscriptEntry[] = [];
  const history: ChatTurn[] = [];
  let lastAgentTurnId: number | null = null;
  let summary: CallSummary | null = null;
  let ending: Promise<CallSummary> | null = null;

  // The call's context (clock, tenant) for timestamps. Appointments are read from the store at the start
  // of each turn (the ledger may be remote) into that turn's own context; the booking itself is checked
  // again atomically by the store when the turn commits.
  const ctx: ActionContext = { tenant, now: clock, callerNumber, booked: () => [] };
  const readLedger = async (): Promise<BookedSlot[]> => {
    const now = DateTime.fromJSDate(clock());
    return o.store.appointments(tenant.id, now.minus({ days: 1 }).toISO() ?? '', now.plus({ days: tenant.booking.horizonDays + 2 }).toISO() ?? '');
  };

  // The call's writes, applied one after the other in the order the conversation made them. A failed
  // write is logged and the next ones still run; the summary and bookings report their own failure.
  let writes: Promise<unknown> = Promise.resolve();
  const inOrder = <T>(op: () => Promise<T>): Promise<T> => {
    const done = writes.then(op);
    writes = done.catch(() => undefined);
    return done;
  };
  const write = (what: string, op: () => Promise<unknown>): void => {
    inOrder(op).catch((err: unknown) => o.log?.error({ callId, err: err instanceof Error ? err.message : String(err) }, `call record: ${what} failed`));
  };

  const startedAt = nowIso(ctx);
  write('createCall', () => o.store.createCall({ id: callId, tenantId: tenant.id, channel: o.channel, callerNumber, language: ws.conv.language, startedAt }));

  const record = (speaker: 'caller' | 'agent', text: string, at: string, engineName?: string): void => {
    const entry = { speaker, text, at };
    transcript.push(entry);
    write('appendTurn', async () => {
      const id = await o.store.appendTurn(callId, entry, engineName);
      if (speaker === 'agent') lastAgentTurnId = id;
    });
    history.push({ role: speaker === 'caller' ? 'user' : 'assistant', content: text });
  };

  const snapshot = (): ConversationState => structuredClone(ws.conv);
  let greeted: AgentReply | null = null;
  let turnSeq = 0;
  /** A completed turn being committed (its booking awaits the store): later turns and end() start after it. */
  let committing: Promise<void> = Promise.resolve();

  return {
    callId,
    tenantId: tenant.id,
    greeting() {
      if (greeted) return greeted;
      const lang = ws.conv.language;
      const text = tenant.greeting[lang] ?? tenant.greeting.en ?? tenant.greeting.fr ?? '';
      greeted = { text, language: lang };
      record('agent', text, nowIso(ctx));
      return greeted;
    },

    async *respond(callerText, opts = {}) {
      if (summary || ending || ws.conv.ended) throw new SessionEndedError(callId);
      const at = nowIso(ctx);
      await committing;
      if (summary || ending || ws.conv.ended) throw new SessionEndedError(callId);
      // A newer respond() supersedes this one: only the latest turn may commit.
      const seq = ++turnSeq;
      const text = callerText.trim();
      const booked = await readLedger();
      if (opts.signal?.aborted) return;
      const work = cloneWorkingState(ws);
      work.effects = [];
      const turnCtx: ActionContext = { ...ctx, booked: () => booked };
      const turn: EngineTurn = { ctx: turnCtx, ws: work, text, history, ...(opts.language ? { language: opts.language } : {}), ...(opts.signal ? { signal: opts.signal } : {}) };
      const pieces: string[] = [];
      for await (const piece of engine.run(turn)) {
        if (opts.signal?.aborted) return;
        pieces.push(piece);
        yield { type: 'text', text: piece, language: work.conv.language };
      }
      if (opts.signal?.aborted || summary || ending || seq !== turnSeq) return;
      // Commit: the turn completed; from here it commits even if superseded meanwhile (later turns and
      // end() wait for it). A booking goes after the call's earlier writes (its call row) and is refused
      // by the store if the slot was taken meanwhile: the turn then fails and leaves no trace.
      const replyText = pieces.join('').trim();
      const commit = (async () => {
        for (const effect of work.effects) {
          if (effect.kind === 'book') await inOrder(() => o.store.bookAppointment(tenant.id, callId, effect.appointment));
        }
        ws = work;
        record('caller', text, at);
        record('agent', replyText, nowIso(ctx), turn.answeredBy ?? engine.name);
        // The turn is on record before its final chunk (a CallLog that posts its writes resolves at once).
        await writes;
      })();
      committing = commit.catch(() => undefined);
      await commit;
      o.log?.debug({ callId, engine: turn.answeredBy, intent: ws.conv.intent, outcome: ws.conv.outcome }, 'turn committed');
      const endAction = work.effects.some((e) => e.kind === 'end_call');
      yield {
        type: 'final',
        text: replyText,
        language: ws.conv.language,
        state: snapshot(),
        actions: work.effects,
        endCall: endAction || ws.conv.ended,
        transferTo: ws.conv.ended ? ws.transferTo : null,
        engine: turn.answeredBy ?? engine.name,
        expecting: ws.conv.ended ? null : expectingFor(ws.pending),
      };
    },

    commitHeard(heardText) {
      const last = transcript.findLast((t) => t.speaker === 'agent');
      if (!last) return;
      last.text = heardText;
      const h = history.findLast((m) => m.role === 'assistant');
      if (h) h.content = heardText;
      // Runs after the agent turn's append (queued before), so its id is known by then.
      write('updateTurnText', async () => {
        if (lastAgentTurnId !== null) await o.store.updateTurnText(lastAgentTurnId, heardText);
      });
    },

    recorded: () => writes.then(() => undefined),

    state: snapshot,

    end(reason) {
      if (summary) return Promise.resolve(summary);
      ending ??= committing.then(async () => {
        const s = buildSummary({
          callId, tenantId: tenant.id, channel: o.channel, startedAt, endedAt: nowIso(ctx), callerNumber, ws, transcript, reason,
        });
        // After every write of the call, and stored before the call is reported ended.
        await inOrder(() => o.store.saveSummary(s, { endReason: reason }));
        summary = s;
        ws.conv.ended = true;
        return s;
      });
      return ending;
    },
  };
}
