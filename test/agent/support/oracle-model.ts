// A scripted "good model" for the OpenAI stub: it plays each caller turn on a shadow rules dialog and answers
// with the tool calls a careful model would make (record_details with what it understood, then the actions),
// followed by the reply text. It proves the openai client, the tool-call plumbing and the action layer end to end.
import type { ChatRequest, ChatScript, ScriptedResponse, ScriptedToolCall } from '../../../bench/openai-stub/chat.js';
import type { ActionContext } from '../../../src/agent/actions.js';
import type { Tenant } from '../../../src/agent/tenant/schema.js';
import type { Language } from '../../../src/agent/types.js';
import { rulesTurn } from '../../../src/agent/dialog/rules-engine.js';
import { cloneWorkingState, initialWorkingState, type WorkingState } from '../../../src/agent/dialog/working-state.js';
import { yesNo } from '../../../src/agent/nlu/answers.js';

export interface OracleOptions {
  tenant: Tenant;
  clock: () => Date;
  callerNumber: string | null;
  language: 'auto' | Language;
}

function lastMessage(req: ChatRequest): ChatRequest['messages'][number] | undefined {
  return req.messages[req.messages.length - 1];
}

function promptState(req: ChatRequest): { safetyGiven?: boolean } {
  const sys = req.messages.find((m) => m.role === 'system')?.content ?? '';
  const m = /Conversation state: (\{.*\})\s*$/s.exec(sys);
  return m?.[1] ? (JSON.parse(m[1]) as { safetyGiven?: boolean }) : {};
}

/** The tool calls that take the real state from `before` to `after`, as a model would express them. */
export function toolCallsFor(before: WorkingState, after: WorkingState, callerText: string): ScriptedToolCall[] {
  const a = after.conv;
  const b = before.conv;
  const rec: Record<string, unknown> = {};
  if (a.intent !== b.intent && a.intent) rec.intent = a.intent;
  if (a.trade !== b.trade && a.trade) rec.trade = a.trade;
  if (after.outOfTrade !== before.outOfTrade && after.outOfTrade) rec.trade = after.outOfTrade;
  if (a.urgency !== b.urgency && a.urgency !== 'emergency') rec.urgency = a.urgency;
  if (after.emergencyKind !== before.emergencyKind && after.emergencyKind) rec.emergency = after.emergencyKind;
  const pa = a.slots.problem;
  const pb = b.slots.problem;
  if (pa && pa !== pb) rec.problem = pb && pa.startsWith(pb) ? pa.slice(pb.length).replace(/^[.\s]+/, '') : pa;
  if (a.slots.name !== b.slots.name && a.slots.name) rec.name = a.slots.name;
  if (a.slots.phone !== b.slots.phone && a.slots.phone) rec.phone = a.slots.phone;
  if (a.slots.phoneConfirmed && !b.slots.phoneConfirmed) rec.phone_confirmed = true;
  if (a.slots.address !== b.slots.address && a.slots.address) rec.address = a.slots.address;
  if (a.slots.postalCode !== b.slots.postalCode && a.slots.postalCode) rec.postal_code = a.slots.postalCode;
  if (JSON.stringify(a.slots.preferredTime) !== JSON.stringify(b.slots.preferredTime) && a.slots.preferredTime) {
    rec.preferred_time = a.slots.preferredTime.asap && !/\b(asap|soon|tot|vite|earliest|first)\b/i.test(a.slots.preferredTime.text) ? 'as soon as possible' : a.slots.preferredTime.text;
  }
  const newDetails = Object.fromEntries(Object.entries(a.slots.details).filter(([k, v]) => b.slots.details[k] !== v));
  if (Object.keys(newDetails).length) rec.details = newDetails;
  const yn = yesNo(callerText);
  if (yn) rec.caller_answer = yn;
  if (after.closingRequested && !before.closingRequested) rec.wants_to_end = true;
  const calls: ScriptedToolCall[] = Object.keys(rec).length ? [{ name: 'record_details', arguments: rec }] : [];
  for (const e of after.effects) {
    switch (e.kind) {
      case 'escalate': calls.push({ name: 'escalate_emergency', arguments: { reason: e.emergency } }); break;
      case 'book': calls.push({ name: 'book_appointment', arguments: { ...e.appointment } }); break;
      case 'request_created': calls.push({ name: 'create_request', arguments: {} }); break;
      case 'transfer': calls.push({ name: 'transfer_call', arguments: { reason: e.reason === 'emergency' ? 'on_call' : e.reason } }); break;
      case 'take_message': calls.push({ name: 'take_message', arguments: { reason: e.reason } }); break;
      case 'end_call': calls.push({ name: 'end_call', arguments: {} }); break;
    }
  }
  return calls;
}

export function oracleModel(o: OracleOptions): ChatScript {
  const fixed = o.language !== 'auto' && o.tenant.languages.includes(o.language) ? o.language : null;
  let shadow = initialWorkingState(fixed ?? o.tenant.defaultLanguage);
  shadow.languageKnown = fixed !== null;
  const ctx: ActionContext = { tenant: o.tenant, now: o.clock, callerNumber: o.callerNumber, booked: () => [] };
  let plan: ScriptedResponse[] = [];
  return (req) => {
    const last = lastMessage(req);
    if (last?.role === 'user') {
      const before = cloneWorkingState(shadow);
      if (promptState(req).safetyGiven) shadow.safetyGiven = true;
      shadow.effects = [];
      const sentences = rulesTurn(ctx, shadow, last.content ?? '');
      const calls = toolCallsFor(before, shadow, last.content ?? '');
      const content = sentences.join(' ');
      plan = calls.length ? [{ toolCalls: calls }, { content }] : [{ content }];
      shadow = cloneWorkingState(shadow);
    }
    return plan.shift() ?? { content: '' };
  };
}

