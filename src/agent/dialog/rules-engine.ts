// The rules engine: deterministic understanding plus the dialog policy, executed through the action layer.
import type { ActionContext } from '../actions.js';
import type { Language } from '../types.js';
import type { WorkingState } from './working-state.js';
import { applyLanguage, understand } from './understand.js';
import { nextStep } from './policy.js';
import { runAction } from './tools.js';
import { answerPendingFaqs } from './faq.js';
import { say } from './phrases.js';
import { readBackPhone } from '../nlu/contact.js';

/** Runs one caller turn on `ws` (a working copy) and returns the sentences to say, in order. */
export function rulesTurn(ctx: ActionContext, ws: WorkingState, callerText: string, forcedLanguage?: Language): string[] {
  const pendingBefore = ws.pending;
  const phoneBefore = ws.conv.slots.phone;
  const tradeBefore = ws.conv.trade;
  const switched = applyLanguage(ctx, ws, callerText, forcedLanguage);
  const u = understand(ctx, ws, callerText);
  const out: string[] = [];
  if (switched) out.push(say(ws.conv.language, 'switch_lang'));
  if (!tradeBefore && ws.conv.trade && ws.conv.intent === 'service_request' && ws.conv.urgency !== 'emergency') out.push(say(ws.conv.language, 'can_help'));
  const phone = ws.conv.slots.phone;
  if (phone && phone !== phoneBefore && phone !== ctx.callerNumber) out.push(say(ws.conv.language, 'phone_readback', { phone: readBackPhone(phone) }));
  const safetyBefore = ws.safetyGiven;
  const dialog = continueDialog(ctx, ws, { yesNo: u.yesNo, pendingBefore });
  // Life-safety instructions are always the very first words of the turn.
  if (!safetyBefore && ws.safetyGiven && dialog.length) return [dialog[0]!, ...out, ...dialog.slice(1)];
  return [...out, ...dialog];
}

/** Executes policy steps until the agent has something to ask or say; shared by the rules turn and the fallback. */
export function continueDialog(ctx: ActionContext, ws: WorkingState, facts: { yesNo: 'yes' | 'no' | null; pendingBefore: WorkingState['pending'] }): string[] {
  const out: string[] = [];
  const faq = answerPendingFaqs(ctx, ws);
  const emergencyFirst = ws.conv.urgency === 'emergency' && !ws.escalated;
  if (!emergencyFirst) out.push(...faq);
  for (let i = 0; i < 8 && !ws.conv.ended; i++) {
    const step = nextStep(ctx, ws, facts);
    if (step.kind === 'say') {
      out.push(...step.text);
      ws.pending = step.pending;
      if (step.offered) ws.offeredSlot = step.offered;
      if (step.outcome && (ws.conv.outcome === null || ws.conv.outcome === 'info_provided')) ws.conv.outcome = step.outcome;
      break;
    }
    const r = runAction(ctx, ws, step.tool, step.args);
    if (!r.ok) {
      // The policy only proposes actions whose preconditions hold; should one still be refused, stop here
      // rather than loop, and let the caller steer ("anything else?").
      out.push(say(ws.conv.language, 'anything_else'));
      ws.pending = 'anything_else';
      break;
    }
    if (step.tool === 'escalate') {
      const safety = (r.data as { safety?: boolean } | undefined)?.safety ? r.say.slice(0, 1) : [];
      const rest = r.say.slice(safety.length);
      out.push(...safety, say(ws.conv.language, 'sorry_emergency'), ...rest, ...faq);
    } else {
      if (step.tool === 'transfer' && step.args.reason === 'complaint') out.push(say(ws.conv.language, 'transfer_complaint_ack'));
      out.push(...r.say, ...(step.then ?? []));
    }
  }
  return out;
}
