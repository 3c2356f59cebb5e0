// A dialog session: one call's conversation, shared by the voice pipeline and the text API.
// Each turn runs on a copy of the state and is committed only when its stream completes, so a speculative
// turn that is aborted leaves no trace (no state change, no booking, no escalation, no transcript entry).
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import type { Tenant } from './tenant/schema.js';
import type { CallLog } from './call-log.js';
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

  const ctx: ActionContext = {
    tenant,
    now: clock,
    callerNumber,
    booked: () => {
      const now = DateTime.fromJSDate(clock());
      return o.store.appointments(tenant.id, now.minus({ days: 1 }).toISO() ?? '', now.plus({ days: tenant.booking.horizonDays + 2 }).toISO() ?? '');
    },
  };
  const startedAt = nowIso(ctx);
  o.store.createCall({ id: callId, tenantId: tenant.id, channel: o.channel, callerNumber, language: ws.conv.language, startedAt });

  const record = (speaker: 'caller' | 'agent', text: string, at: string, engineName?: string): void => {
    const entry = { speaker, text, at };
    transcript.push(entry);
    const id = o.store.appendTurn(callId, entry, engineName);
    if (speaker === 'agent') lastAgentTurnId = id;
    history.push({ role: speaker === 'caller' ? 'user' : 'assistant', content: text });
  };

  const snapshot = (): ConversationState => structuredClone(ws.conv);
  let greeted: AgentReply | null = null;
  let turnSeq = 0;

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
      // A newer respond() supersedes this one: only the latest turn may commit.
      const seq = ++turnSeq;
      const text = callerText.trim();
      const at = nowIso(ctx);
      const work = cloneWorkingState(ws);
      work.effects = [];
      const turn: EngineTurn = { ctx, ws: work, text, history, ...(opts.language ? { language: opts.language } : {}), ...(opts.signal ? { signal: opts.signal } : {}) };
      const pieces: string[] = [];
      for await (const piece of engine.run(turn)) {
        if (opts.signal?.aborted) return;
        pieces.push(piece);
        yield { type: 'text', text: piece, language: work.conv.language };
      }
      if (opts.signal?.aborted || summary || ending || seq !== turnSeq) return;
      // Commit: the turn completed.
      for (const effect of work.effects) {
        if (effect.kind === 'book') o.store.bookAppointment(tenant.id, callId, effect.appointment);
      }
      const replyText = pieces.join('').trim();
      ws = work;
      record('caller', text, at);
      record('agent', replyText, nowIso(ctx), turn.answeredBy ?? engine.name);
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
      if (!last || lastAgentTurnId === null) return;
      last.text = heardText;
      const h = history.findLast((m) => m.role === 'assistant');
      if (h) h.content = heardText;
      o.store.updateTurnText(lastAgentTurnId, heardText);
    },

    state: snapshot,

    end(reason) {
      if (summary) return Promise.resolve(summary);
      ending ??= Promise.resolve().then(() => {
        const s = buildSummary({
          callId, tenantId: tenant.id, channel: o.channel, startedAt, endedAt: nowIso(ctx), callerNumber, ws, transcript, reason,
        });
        o.store.saveSummary(s, { endReason: reason });
        summary = s;
        ws.conv.ended = true;
        return s;
      });
      return ending;
    },
  };
}
