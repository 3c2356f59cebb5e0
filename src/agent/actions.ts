// The action layer shared by both engines. Every tenant rule is enforced here, whatever the engine asked for:
// emergencies are escalated, out-of-area addresses are never booked, hours and free slots are respected.
import { DateTime } from 'luxon';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Tenant, EmergencyKind, EmergencyRuleConfig } from './tenant/schema.js';
import type { Intent, Language, PreferredTime, Trade, Urgency } from './types.js';
import type { WorkingState } from './dialog/working-state.js';
import { findSlots, isSlotBookable, type BookedAppointment, type Slot } from './booking/slots.js';
import { isOpen, localNow } from './booking/hours.js';
import { formatWhen, say } from './dialog/phrases.js';
import { readBackPhone } from './nlu/contact.js';
import { extractPreferredTime, describePreferredTime } from './nlu/time.js';

export interface ActionContext {
  tenant: Tenant;
  now(): Date;
  callerNumber: string | null;
  /** Appointments already in the store (the ledger), for slot search. */
  booked(): BookedAppointment[];
}

export interface ActionResult {
  ok: boolean;
  /** Sentences to say to the caller (already in the call's language). */
  say: string[];
  error?: string;
  data?: unknown;
}

const ok = (say: string[] = [], data?: unknown): ActionResult => ({ ok: true, say, data });
const refuse = (error: string): ActionResult => ({ ok: false, say: [], error });

function lang(ws: WorkingState): Language {
  return ws.conv.language;
}

// ---------- service area ----------

export function postalInArea(tenant: Tenant, postalCode: string): boolean {
  const p = postalCode.replace(/\s+/g, '').toUpperCase();
  return tenant.serviceArea.postalPrefixes.some((pre) => p.startsWith(pre.toUpperCase()));
}

export function checkServiceArea(ctx: ActionContext, ws: WorkingState, postalCode: string): ActionResult {
  const inArea = postalInArea(ctx.tenant, postalCode);
  ws.conv.slots.postalCode = postalCode.toUpperCase();
  ws.conv.slots.inServiceArea = inArea;
  // Out of area is an outcome in itself unless something stronger (an escalation, a hand-off) already happened.
  if (!inArea && (ws.conv.outcome === null || ws.conv.outcome === 'info_provided')) ws.conv.outcome = 'out_of_area';
  if (inArea && ws.conv.outcome === 'out_of_area') ws.conv.outcome = null;
  return ok([], { postalCode: ws.conv.slots.postalCode, inServiceArea: inArea });
}

// ---------- emergencies ----------

/** The tenant's rule for an emergency kind, or null when this tenant does not treat it as one right now. */
export function emergencyRule(ctx: ActionContext, ws: WorkingState, kind: EmergencyKind): EmergencyRuleConfig | null {
  const rule = ctx.tenant.emergencies.rules.find((r) => r.kind === kind);
  if (!rule) return null;
  if (kind === 'no_heat') {
    const month = localNow(ctx.tenant, ctx.now()).month;
    if (!ctx.tenant.emergencies.noHeat.months.includes(month)) return null;
    const temp = Number(ws.conv.slots.details.indoorTemp);
    if (Number.isFinite(temp) && temp >= ctx.tenant.emergencies.noHeat.indoorBelowC) return null;
  }
  return rule;
}

/** Marks the situation as an emergency (from either engine). Life-safety instructions are owed first. */
export function declareEmergency(ctx: ActionContext, ws: WorkingState, kind: EmergencyKind): boolean {
  const rule = emergencyRule(ctx, ws, kind);
  if (!rule) return false;
  ws.emergencyKind ??= kind;
  ws.conv.urgency = 'emergency';
  ws.conv.intent = 'emergency';
  ws.conv.trade = rule.trade;
  return true;
}

export function safetyInstructions(ctx: ActionContext, ws: WorkingState): string | null {
  if (!ws.emergencyKind) return null;
  const rule = ctx.tenant.emergencies.rules.find((r) => r.kind === ws.emergencyKind);
  return rule?.safety?.[lang(ws)] ?? null;
}

/** The on-call person this week (ISO week number modulo the rotation). */
export function onCallPerson(ctx: ActionContext): { name: string; phone: string } {
  const week = localNow(ctx.tenant, ctx.now()).weekNumber;
  const list = ctx.tenant.routing.onCall;
  return list[week % list.length] ?? list[0]!;
}

export function escalate(ctx: ActionContext, ws: WorkingState, reason?: string): ActionResult {
  if (ws.escalated) return ok([], { already: true });
  const l = lang(ws);
  const out: string[] = [];
  const safety = safetyInstructions(ctx, ws);
  const safetyNow = Boolean(safety && !ws.safetyGiven);
  if (safety && safetyNow) {
    out.push(safety);
    ws.safetyGiven = true;
  }
  const person = onCallPerson(ctx);
  const mode = ctx.tenant.emergencies.action;
  ws.escalated = true;
  ws.onCall = person.name;
  ws.conv.urgency = 'emergency';
  if (ws.conv.intent !== 'emergency') ws.conv.intent = 'emergency';
  ws.conv.outcome = 'escalated';
  const emergency = ws.emergencyKind ?? reason ?? 'caller_reported';
  ws.effects.push({ kind: 'escalate', emergency, onCall: person.phone, mode });
  ws.followUps.push(`On-call ${person.name} (${person.phone}) ${mode === 'page' ? 'paged' : 'receiving transfer'} for ${emergency}`);
  if (mode === 'page') out.push(say(l, 'paged', { onCall: person.name, minutes: ctx.tenant.emergencies.callbackMinutes }));
  return ok(out, { onCall: person.name, mode, safety: safetyNow });
}

// ---------- details ----------

export interface DetailInput {
  intent?: Intent;
  urgency?: Urgency;
  trade?: Trade;
  problem?: string;
  name?: string;
  phone?: string;
  phoneConfirmed?: boolean;
  address?: string;
  postalCode?: string;
  preferredTime?: string | PreferredTime;
  details?: Record<string, string>;
  emergency?: EmergencyKind;
}

const INTENT_RANK: Record<Intent, number> = {
  emergency: 7, complaint: 6, sales: 5, scheduling: 4, follow_up: 3, service_request: 2, question: 1, other: 0,
};

/** Intent can change mid-call: a stronger signal replaces a weaker one; an emergency is never downgraded. */
export function updateIntent(ws: WorkingState, intent: Intent): void {
  const cur = ws.conv.intent;
  if (cur === 'emergency') return;
  if (cur === null || INTENT_RANK[intent] > INTENT_RANK[cur] || cur === 'question' || cur === 'other') ws.conv.intent = intent;
}

const URGENCY_RANK: Record<Urgency, number> = { routine: 0, urgent: 1, emergency: 2 };

export function recordDetail(ctx: ActionContext, ws: WorkingState, d: DetailInput): ActionResult {
  const s = ws.conv.slots;
  const problems: string[] = [];
  if (d.emergency) declareEmergency(ctx, ws, d.emergency);
  if (d.intent) updateIntent(ws, d.intent);
  if (d.trade) {
    if (ctx.tenant.trades.includes(d.trade)) {
      if (ws.conv.urgency !== 'emergency' || ws.conv.trade === null) ws.conv.trade = d.trade;
    } else {
      ws.outOfTrade = d.trade;
    }
  }
  // Urgency only rises through this action; "emergency" must come from a tenant rule (declareEmergency / escalate).
  if (d.urgency && d.urgency !== 'emergency' && URGENCY_RANK[d.urgency] > URGENCY_RANK[ws.conv.urgency]) ws.conv.urgency = d.urgency;
  if (d.problem) {
    const p = d.problem.trim();
    if (!s.problem) s.problem = p;
    else if (!s.problem.includes(p) && s.problem.split(/(?<=[.!?])\s/).length < 2) s.problem = `${s.problem.replace(/[.!?]*$/, '.')} ${p}`;
  }
  if (d.name) s.name = d.name.trim();
  if (d.phone) {
    const p = parsePhoneNumberFromString(d.phone, 'CA');
    if (p?.isValid()) {
      s.phone = p.number;
      s.phoneConfirmed = d.phoneConfirmed ?? true;
    } else problems.push(`phone: "${d.phone}" is not a valid phone number`);
  } else if (d.phoneConfirmed && ctx.callerNumber && !s.phone) {
    s.phone = ctx.callerNumber;
    s.phoneConfirmed = true;
  }
  if (d.address) s.address = d.address.trim();
  if (d.postalCode) checkServiceArea(ctx, ws, d.postalCode);
  if (d.preferredTime) {
    const pt = typeof d.preferredTime === 'string'
      ? extractPreferredTime(d.preferredTime, localNow(ctx.tenant, ctx.now())) ?? { text: d.preferredTime }
      : d.preferredTime;
    s.preferredTime = pt;
    ws.offeredSlot = null;
  }
  if (d.details) Object.assign(s.details, d.details);
  // A reported indoor temperature can turn "no heat" from an emergency into an urgent call, until escalated.
  if (ws.emergencyKind === 'no_heat' && !ws.escalated && !emergencyRule(ctx, ws, 'no_heat')) {
    ws.emergencyKind = null;
    ws.conv.urgency = 'urgent';
    ws.conv.intent = 'service_request';
  }
  return problems.length ? { ok: false, say: [], error: problems.join('; ') } : ok([], { slots: s });
}

// ---------- booking ----------

export function bookingBlockers(ctx: ActionContext, ws: WorkingState): string[] {
  const s = ws.conv.slots;
  const out: string[] = [];
  if (!ws.conv.trade) out.push('trade is unknown');
  if (!s.name) out.push('caller name is missing');
  if (!s.phone) out.push('callback number is missing');
  if (!s.address) out.push('service address is missing');
  if (!s.postalCode) out.push('postal code is missing');
  else if (s.inServiceArea === false) out.push('the address is outside the service area: never book it');
  return out;
}

export function routineBookingMode(ctx: ActionContext): 'book' | 'request' | 'message' {
  if (ctx.tenant.booking.mode === 'request_only') return 'request';
  if (!isOpen(ctx.tenant, ctx.now())) return ctx.tenant.afterHours.routine;
  return 'book';
}

export function searchSlots(ctx: ActionContext, ws: WorkingState, preferred?: PreferredTime | null): Slot[] {
  if (!ws.conv.trade) return [];
  return findSlots({
    tenant: ctx.tenant, trade: ws.conv.trade, now: ctx.now(), booked: ctx.booked(),
    preferred: preferred ?? ws.conv.slots.preferredTime, exclude: ws.rejectedSlots, limit: 3,
  });
}

export function book(ctx: ActionContext, ws: WorkingState, slot: Slot): ActionResult {
  const blockers = bookingBlockers(ctx, ws);
  if (blockers.length) return refuse(`cannot book: ${blockers.join('; ')}`);
  if (routineBookingMode(ctx) !== 'book' && ws.conv.urgency !== 'emergency') return refuse('cannot book now: this tenant takes a request instead (use create_request)');
  if (!ws.conv.trade || !isSlotBookable({ tenant: ctx.tenant, trade: ws.conv.trade, now: ctx.now(), booked: ctx.booked() }, slot)) {
    return refuse('that slot is not available (outside hours, too soon, too far ahead, or taken); call find_slots');
  }
  ws.appointment = { start: slot.start, end: slot.end, technician: slot.technician };
  ws.conv.outcome = 'booked';
  ws.offeredSlot = null;
  ws.effects.push({ kind: 'book', appointment: ws.appointment });
  const when = formatWhen(slot.start, ctx.tenant.timeZone, lang(ws));
  return ok([say(lang(ws), 'booked', { when, tech: slot.technician })], { appointment: ws.appointment });
}

export function createRequest(ctx: ActionContext, ws: WorkingState): ActionResult {
  const s = ws.conv.slots;
  if (!s.name || !s.phone) return refuse('cannot create a request without the caller name and callback number');
  if (s.inServiceArea === false) return refuse('the address is outside the service area');
  ws.conv.outcome = 'request_created';
  const pt = describePreferredTime(s.preferredTime);
  ws.effects.push({ kind: 'request_created', preferredTime: pt });
  ws.followUps.push(`Office to call ${s.name} back to confirm a time${pt ? ` (prefers ${pt})` : ''}`);
  const l = lang(ws);
  if (ws.conv.intent === 'scheduling') return ok([say(l, 'request_reschedule')]);
  if (!isOpen(ctx.tenant, ctx.now())) return ok([say(l, 'request_after_hours', { when: say(l, 'when_next_business') })]);
  return ok([say(l, 'request_created')]);
}

// ---------- hand-offs ----------

export type TransferReason = 'complaint' | 'sales' | 'office';

/** The transfer target for a reason, when someone is there to answer now. */
export function transferTarget(ctx: ActionContext, reason: TransferReason): string | null {
  const route = ctx.tenant.routing[reason] ?? (reason !== 'office' ? ctx.tenant.routing.office : undefined);
  if (!route) return null;
  if (route.when === 'business' && !isOpen(ctx.tenant, ctx.now())) return null;
  return route.target;
}

export function transfer(ctx: ActionContext, ws: WorkingState, reason: TransferReason): ActionResult {
  const target = transferTarget(ctx, reason);
  if (!target) return refuse(`nobody is available for ${reason} right now: take a message instead`);
  const l = lang(ws);
  ws.transferTo = target;
  ws.conv.outcome = 'transferred';
  ws.effects.push({ kind: 'transfer', target, reason });
  const who = say(l, reason === 'complaint' ? 'who_manager' : reason === 'sales' ? 'who_sales' : 'who_office');
  return ok([say(l, 'transfer', { who })], { transferTo: target });
}

/** Emergency transfer to the on-call person (tenants whose emergency action is "transfer"). */
export function transferOnCall(ctx: ActionContext, ws: WorkingState): ActionResult {
  const person = onCallPerson(ctx);
  ws.transferTo = person.phone;
  ws.effects.push({ kind: 'transfer', target: person.phone, reason: 'emergency' });
  return ok([say(lang(ws), 'transfer_oncall', { onCall: person.name })], { transferTo: person.phone });
}

export function takeMessage(ctx: ActionContext, ws: WorkingState, reason: string): ActionResult {
  const s = ws.conv.slots;
  if (!s.name || !s.phone) return refuse('cannot take a message without the caller name and callback number');
  const l = lang(ws);
  ws.conv.outcome = 'message_taken';
  ws.effects.push({ kind: 'take_message', reason });
  ws.followUps.push(`Call back ${s.name} at ${readBackPhone(s.phone)}: ${reason}`);
  const who = say(l, ws.conv.intent === 'complaint' ? 'who_manager' : ws.conv.intent === 'sales' ? 'who_sales' : 'who_office');
  const when = isOpen(ctx.tenant, ctx.now()) ? (l === 'fr' ? 'aujourd\'hui' : 'today') : say(l, 'when_next_business');
  return ok([say(l, 'message_taken', { who, when })]);
}

/** Ends the call; refused while an emergency has not been escalated (the engine escalates first). */
export function endCall(ctx: ActionContext, ws: WorkingState): ActionResult {
  if (ws.conv.urgency === 'emergency' && !ws.escalated) return refuse('an emergency must be escalated before ending the call');
  ws.conv.ended = true;
  ws.pending = null;
  if (ws.conv.outcome === null && ws.conv.intent !== null) ws.conv.outcome = 'info_provided';
  ws.effects.push({ kind: 'end_call' });
  return ok([]);
}

/** The recap said at the end, confirming what happens next. */
export function recap(ctx: ActionContext, ws: WorkingState): string {
  const l = lang(ws);
  switch (ws.conv.outcome) {
    case 'booked':
      return ws.appointment ? say(l, 'recap_booked', { when: formatWhen(ws.appointment.start, ctx.tenant.timeZone, l), tech: ws.appointment.technician }) : '';
    case 'request_created':
      return say(l, 'recap_request');
    case 'escalated':
      return ctx.tenant.emergencies.action === 'page' ? say(l, 'recap_escalated', { onCall: ws.onCall ?? '', minutes: ctx.tenant.emergencies.callbackMinutes }) : '';
    case 'message_taken':
      return say(l, 'recap_message');
    default:
      return '';
  }
}

export function nowIso(ctx: ActionContext): string {
  return DateTime.fromJSDate(ctx.now(), { zone: ctx.tenant.timeZone }).toISO({ suppressMilliseconds: true }) ?? '';
}
