// Summary fields as the CRMs want them: split names, phone digits, a title flagging emergencies,
// and a note with the details.
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { CallSummary } from '../summary-view.js';
import { displayAddress, displayPhone, displayTime, tradeLabel, words } from '../render/labels.js';

export function splitName(s: CallSummary): { firstName: string; lastName: string } {
  const parts = (s.caller.name ?? '').trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return { firstName: s.language === 'fr' ? 'Appelant' : 'Caller', lastName: s.caller.phone ?? 'unknown' };
  if (parts.length === 1) return { firstName: parts[0] as string, lastName: '-' };
  return { firstName: parts.slice(0, -1).join(' '), lastName: parts[parts.length - 1] as string };
}

/** National significant digits (5145550123 for +15145550123), what CRM phone searches match on. */
export function nationalDigits(phone: string | null): string | null {
  if (!phone) return null;
  const p = parsePhoneNumberFromString(phone);
  return p ? String(p.nationalNumber) : phone.replace(/\D/g, '') || null;
}

export function samePhone(stored: string | null | undefined, national: string): boolean {
  if (!stored) return false;
  const digits = stored.replace(/\D/g, '');
  return digits.length >= 7 && (digits.endsWith(national) || national.endsWith(digits));
}

const squash = (v: string | null | undefined) => (v ?? '').replace(/[\s.,-]/g, '').toUpperCase();

/**
 * Whether a stored address is the caller's service address: same postal code and same street line
 * (case, spaces and punctuation ignored); a part the caller did not give is not compared.
 */
export function sameAddress(stored: { street: string | null | undefined; postalCode: string | null | undefined }, s: CallSummary): boolean {
  const { line, postalCode } = s.serviceAddress;
  if (!line && !postalCode) return false;
  return (!postalCode || squash(stored.postalCode) === squash(postalCode)) && (!line || squash(stored.street) === squash(line));
}

/** "EMERGENCY - Plumbing: water pouring through the ceiling" (at most 120 characters). */
export function crmTitle(s: CallSummary): string {
  const w = words(s.language);
  const trade = tradeLabel(s);
  const base = `${s.urgency === 'routine' ? '' : `${w.urgency[s.urgency]} - `}${trade ?? w.outcome[s.outcome]}${s.problem ? `${w.colon}${s.problem}` : ''}`;
  return base.length > 120 ? `${base.slice(0, 117)}...` : base;
}

export function crmNote(s: CallSummary): string {
  const w = words(s.language);
  const lines = [
    `${w.urgency[s.urgency]}${s.urgency === 'emergency' ? ' !!!' : ''}`,
    `${w.caller}${w.colon}${s.caller.name ?? w.unknown}`,
    `${w.callback}${w.colon}${displayPhone(s.caller.phone, s.language)}`,
    `${w.address}${w.colon}${displayAddress(s)}`,
    `${w.problem}${w.colon}${s.problem ?? w.noProblem}`,
    ...(s.preferredTime ? [`${w.preferredTime}${w.colon}${s.preferredTime}`] : []),
    `${w.outcomeLabel}${w.colon}${w.outcome[s.outcome]}`,
    ...(s.appointment ? [`${w.appointment}${w.colon}${displayTime(s.appointment.start, s.language)} ${w.with} ${s.appointment.technician}`] : []),
    ...(s.followUps.length ? [`${w.followUps}${w.colon}${s.followUps.join('; ')}`] : []),
    `firstring ${w.call} ${s.callId}`,
  ];
  return lines.join('\n');
}
