// The dialog policy: given the state, the next thing to do. The rules engine executes it directly; the LLM
// engine receives it as guidance in tool results. Either way the action layer has the last word.
import type { ActionContext, TransferReason } from '../actions.js';
import { routineBookingMode, searchSlots, transferTarget, recap } from '../actions.js';
import type { Slot } from '../booking/slots.js';
import type { Trade } from '../types.js';
import type { Pending, WorkingState } from './working-state.js';
import { formatWhen, say } from './phrases.js';
import { readBackPhone } from '../nlu/contact.js';

export type ToolName =
  | 'escalate' | 'book' | 'create_request' | 'transfer' | 'transfer_on_call' | 'take_message' | 'end_call';

export type Step =
  | { kind: 'tool'; tool: ToolName; args: Record<string, unknown>; then?: string[] }
  | { kind: 'say'; text: string[]; pending: Pending | null; offered?: Slot; outcome?: 'out_of_area' | 'info_provided' };

export interface TurnFacts {
  yesNo: 'yes' | 'no' | null;
  /** The question asked before this turn. */
  pendingBefore: Pending | null;
}

const QUALIFICATIONS: Record<Trade, string[]> = {
  hvac: ['systemType', 'since'],
  plumbing: ['location', 'scope'],
  electrical: ['affected', 'burning'],
};

const ask = (text: string, pending: Pending): Step => ({ kind: 'say', text: [text], pending });

function contactStep(ctx: ActionContext, ws: WorkingState): Step | null {
  const l = ws.conv.language;
  const s = ws.conv.slots;
  if (!s.name) return ask(say(l, 'ask_name'), 'name');
  if (!s.phone || !s.phoneConfirmed) {
    if (ctx.callerNumber && ws.pending !== 'phone' && !s.phone) return ask(say(l, 'ask_phone_confirm', { phone: readBackPhone(ctx.callerNumber) }), 'phone_confirm');
    return ask(say(l, 'ask_phone'), 'phone');
  }
  return null;
}

function addressStep(ws: WorkingState): Step | null {
  const l = ws.conv.language;
  const s = ws.conv.slots;
  if (!s.address) return ask(say(l, 'ask_address'), 'address');
  if (!s.postalCode) return ask(say(l, 'ask_postal'), 'postal');
  return null;
}

function anythingElse(ws: WorkingState, facts: TurnFacts): Step {
  const l = ws.conv.language;
  if (facts.pendingBefore === 'anything_else' && facts.yesNo === 'yes') return ask(say(l, 'what_else'), 'problem');
  return ask(say(l, 'anything_else'), 'anything_else');
}

function goodbye(ctx: ActionContext, ws: WorkingState): Step {
  return { kind: 'tool', tool: 'end_call', args: {}, then: [say(ws.conv.language, 'goodbye', { company: ctx.tenant.name, recap: recap(ctx, ws) })] };
}

function handoffReason(ws: WorkingState): TransferReason {
  return ws.conv.intent === 'complaint' ? 'complaint' : ws.conv.intent === 'sales' ? 'sales' : 'office';
}

export function nextStep(ctx: ActionContext, ws: WorkingState, facts: TurnFacts): Step {
  const l = ws.conv.language;
  const s = ws.conv.slots;
  const intent = ws.conv.intent;

  if (ws.conv.urgency === 'emergency' && !ws.escalated) return { kind: 'tool', tool: 'escalate', args: { reason: ws.emergencyKind ?? 'emergency' } };
  if (ws.transferTo && !ws.conv.ended) return { kind: 'tool', tool: 'end_call', args: {} };
  if (ws.closingRequested) return goodbye(ctx, ws);

  if (ws.outOfTrade && !ws.outOfTradeTold && ws.conv.trade === null && intent !== 'complaint') {
    ws.outOfTradeTold = true;
    return { kind: 'say', text: [say(l, 'not_offered', { trade: ws.outOfTrade === 'electrical' ? (l === 'fr' ? "d'électricité" : 'electrical') : ws.outOfTrade }), say(l, 'anything_else')], pending: 'anything_else', outcome: 'info_provided' };
  }

  switch (intent) {
    case 'emergency': {
      const c = contactStep(ctx, ws);
      if (c) return c;
      if (ctx.tenant.emergencies.action === 'transfer') return { kind: 'tool', tool: 'transfer_on_call', args: {} };
      const a = addressStep(ws);
      if (a) return a;
      return anythingElse(ws, facts);
    }
    case 'complaint':
    case 'sales':
    case 'follow_up': {
      if (ws.conv.outcome === 'message_taken') return anythingElse(ws, facts);
      const c = contactStep(ctx, ws);
      if (c) return c;
      const reason = handoffReason(ws);
      if (transferTarget(ctx, reason)) return { kind: 'tool', tool: 'transfer', args: { reason }, then: [] };
      if (!s.problem) return ask(say(l, 'message_prompt'), 'message');
      return { kind: 'tool', tool: 'take_message', args: { reason: s.problem } };
    }
    case 'scheduling': {
      if (ws.conv.outcome === 'request_created') return anythingElse(ws, facts);
      const c = contactStep(ctx, ws);
      if (c) return c;
      if (!s.preferredTime) return ask(say(l, 'ask_time'), 'time');
      return { kind: 'tool', tool: 'create_request', args: {} };
    }
    case 'service_request': {
      if (ws.conv.outcome === 'out_of_area' && !ws.outOfAreaTold) {
        ws.outOfAreaTold = true;
        const msg = ctx.tenant.serviceArea.outOfArea[l] ?? ctx.tenant.serviceArea.outOfArea.en ?? '';
        return { kind: 'say', text: [msg, say(l, 'anything_else')], pending: 'anything_else' };
      }
      if (ws.conv.outcome && ws.conv.outcome !== 'info_provided') return anythingElse(ws, facts);
      if (!ws.conv.trade) return ask(say(l, ws.unclearTurns > 0 ? 'ask_problem_again' : 'ask_problem'), 'problem');
      // A leak first needs to know whether the water is shut off; other plumbing problems, how far it spreads.
      const leak = ws.conv.trade === 'plumbing' && /\b(leak|fuite|fuit|coule)/i.test(s.problem ?? '');
      const maintenance = /\b(maintenance|tune-?up|yearly|annual|serviced|servicing|entretien|inspection)\b/i.test(s.problem ?? '');
      const quals = leak ? ['location', 'waterShutOff'] : maintenance ? QUALIFICATIONS[ws.conv.trade].slice(0, 1) : QUALIFICATIONS[ws.conv.trade];
      const nextQual = quals.find((k) => !(k in s.details) && !ws.askedQualifications.includes(k));
      if (nextQual && ws.askedQualifications.length < 2) {
        ws.askedQualifications.push(nextQual);
        return ask(say(l, `ask_qual_${nextQual}`), `qual:${nextQual}`);
      }
      const c = contactStep(ctx, ws);
      if (c) return c;
      const a = addressStep(ws);
      if (a) return a;
      if (ws.wantsCallback) return { kind: 'tool', tool: 'create_request', args: {} };
      const mode = routineBookingMode(ctx);
      if (mode === 'message') return { kind: 'tool', tool: 'take_message', args: { reason: s.problem ?? 'service request' } };
      if (!s.preferredTime) return ask(say(l, 'ask_time'), 'time');
      if (mode === 'request') return { kind: 'tool', tool: 'create_request', args: {} };
      if (facts.pendingBefore === 'slot_confirm' && ws.offeredSlot) {
        if (facts.yesNo === 'yes') return { kind: 'tool', tool: 'book', args: { ...ws.offeredSlot } };
        ws.rejectedSlots.push(ws.offeredSlot);
        ws.offeredSlot = null;
        if (s.preferredTime.text && facts.yesNo === 'no' && !s.preferredTime.date && !s.preferredTime.part && s.preferredTime.hour === undefined && !s.preferredTime.asap) {
          return ask(say(l, 'ask_new_time'), 'time');
        }
      }
      const slots = searchSlots(ctx, ws);
      const first = slots[0];
      if (!first) return { kind: 'tool', tool: 'create_request', args: {}, then: [say(l, 'no_slots')] };
      const when = formatWhen(first.start, ctx.tenant.timeZone, l);
      const exact = matchesWanted(ctx, first, ws);
      return { kind: 'say', text: [say(l, exact ? 'offer' : 'offer_other', { when, tech: first.technician })], pending: 'slot_confirm', offered: first };
    }
    case 'question':
      return { ...anythingElse(ws, facts), outcome: 'info_provided' } as Step;
    case 'other':
    case null: {
      if (ws.unclearTurns >= 2) {
        ws.conv.intent = 'other';
        const c = contactStep(ctx, ws);
        if (c) return c;
        if (!s.problem) return ask(say(l, 'message_prompt'), 'message');
        return { kind: 'tool', tool: 'take_message', args: { reason: s.problem } };
      }
      return ask(say(l, ws.unclearTurns > 0 ? 'ask_problem_again' : 'ask_problem'), 'problem');
    }
  }
}

function matchesWanted(ctx: ActionContext, slot: Slot, ws: WorkingState): boolean {
  const p = ws.conv.slots.preferredTime;
  if (!p || p.asap || (!p.date && !p.part && p.hour === undefined)) return true;
  const d = new Date(slot.start);
  const local = new Intl.DateTimeFormat('en-CA', { timeZone: ctx.tenant.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' }).formatToParts(d);
  const get = (t: string): string => local.find((x) => x.type === t)?.value ?? '';
  const date = `${get('year')}-${get('month')}-${get('day')}`;
  const hour = Number(get('hour'));
  if (p.date && p.date !== date) return false;
  if (p.hour !== undefined && p.hour !== hour) return false;
  if (p.part === 'morning' && hour >= 12) return false;
  if (p.part === 'afternoon' && (hour < 12 || hour >= 17)) return false;
  return true;
}
