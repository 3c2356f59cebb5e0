// An empty call: the caller said nothing and left no number to call back (a click-to-call widget
// opened and closed, a hang-up during the greeting). Its record is kept like any call's, but an
// SMS or an email about it tells the office nothing it can act on, so by default only webhooks get it.
import type { CallSummary } from './summary-view.js';
import type { EmptyCallPolicy } from './targets-schema.js';
import type { DeliveryTarget } from './targets.js';

/** No caller words in the transcript and no caller number. */
export function isEmptyCall(summary: CallSummary): boolean {
  if (summary.caller.phone) return false;
  return !(summary.transcript ?? []).some((t) => t.speaker === 'caller' && t.text.trim() !== '');
}

/** The targets a call's summary goes to: all of them, except for an empty call under `webhook` or `none`. */
export function targetsForCall(targets: readonly DeliveryTarget[], summary: CallSummary, policy: EmptyCallPolicy): DeliveryTarget[] {
  if (policy === 'all' || !isEmptyCall(summary)) return [...targets];
  return policy === 'webhook' ? targets.filter((t) => t.kind === 'webhook') : [];
}
