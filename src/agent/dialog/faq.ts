// Answers to frequent questions: hours, service area, next availability, emergency service, and the tenant's own FAQs.
import type { ActionContext } from '../actions.js';
import { searchSlots } from '../actions.js';
import { describeHours } from '../booking/hours.js';
import type { WorkingState } from './working-state.js';
import { formatWhen, say } from './phrases.js';

export function answerFaq(ctx: ActionContext, ws: WorkingState, topic: string): string {
  const l = ws.conv.language;
  switch (topic) {
    case 'hours':
      return say(l, 'faq_hours', { hours: describeHours(ctx.tenant, l) });
    case 'service_area':
      return say(l, 'faq_area', { prefixes: ctx.tenant.serviceArea.postalPrefixes.join(', ') });
    case 'next_availability': {
      const trade = ws.conv.trade ?? ctx.tenant.trades[0]!;
      const probe = { ...ws, conv: { ...ws.conv, trade } };
      const slot = searchSlots(ctx, probe, null)[0];
      return slot ? say(l, 'faq_next', { when: formatWhen(slot.start, ctx.tenant.timeZone, l) }) : say(l, 'no_slots');
    }
    case 'emergency_service':
      return say(l, 'faq_emergency');
    default: {
      const faq = ctx.tenant.faqs.find((f) => f.id === topic);
      return faq?.answer[l] ?? faq?.answer.en ?? faq?.answer.fr ?? say(l, 'faq_unknown');
    }
  }
}

/** Answers the topics asked this turn; marks them answered. */
export function answerPendingFaqs(ctx: ActionContext, ws: WorkingState): string[] {
  const out = ws.faqPending.map((t) => answerFaq(ctx, ws, t));
  ws.faqAnswered.push(...ws.faqPending);
  if (out.length && ws.conv.outcome === null && ws.conv.intent === 'question') ws.conv.outcome = 'info_provided';
  ws.faqPending = [];
  return out;
}
