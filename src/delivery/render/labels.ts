// Words of the notifications in the call's language (EN, FR).
import { DateTime } from 'luxon';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { CallSummary, SummaryLanguage, SummaryOutcome, SummaryTrade, SummaryUrgency } from '../summary-view.js';

interface Words {
  urgency: Record<SummaryUrgency, string>;
  trade: Record<SummaryTrade, string>;
  outcome: Record<SummaryOutcome, string>;
  call: string;
  caller: string;
  callback: string;
  address: string;
  problem: string;
  preferredTime: string;
  outcomeLabel: string;
  appointment: string;
  transferredTo: string;
  followUps: string;
  callTime: string;
  unknown: string;
  outOfArea: string;
  noProblem: string;
  with: string;
  /** Label separator: French typography puts a space before the colon. */
  colon: string;
}

const EN: Words = {
  urgency: { emergency: 'EMERGENCY', urgent: 'Urgent', routine: 'Routine' },
  trade: { hvac: 'Heating & cooling', plumbing: 'Plumbing', electrical: 'Electrical' },
  outcome: {
    booked: 'Appointment booked', request_created: 'Service request created', escalated: 'Escalated to on-call',
    transferred: 'Transferred', message_taken: 'Message taken', info_provided: 'Information given',
    out_of_area: 'Outside service area', abandoned: 'Call abandoned',
  },
  call: 'call', caller: 'Caller', callback: 'Callback number', address: 'Address', problem: 'Problem',
  preferredTime: 'Preferred time', outcomeLabel: 'Outcome', appointment: 'Appointment', transferredTo: 'Transferred to',
  followUps: 'Follow-ups', callTime: 'Call', unknown: 'not given', outOfArea: 'outside service area',
  noProblem: 'No problem described.', with: 'with', colon: ': ',
};

const FR: Words = {
  urgency: { emergency: 'URGENCE', urgent: 'Urgent', routine: 'Courant' },
  trade: { hvac: 'Chauffage et climatisation', plumbing: 'Plomberie', electrical: 'Électricité' },
  outcome: {
    booked: 'Rendez-vous pris', request_created: 'Demande de service créée', escalated: 'Transmis à la personne de garde',
    transferred: 'Appel transféré', message_taken: 'Message pris', info_provided: 'Renseignements donnés',
    out_of_area: 'Hors du territoire desservi', abandoned: 'Appel abandonné',
  },
  call: 'appel', caller: 'Client', callback: 'Numéro de rappel', address: 'Adresse', problem: 'Problème',
  preferredTime: 'Moment souhaité', outcomeLabel: 'Résultat', appointment: 'Rendez-vous', transferredTo: 'Transféré à',
  followUps: 'Suivis', callTime: 'Appel', unknown: 'non fourni', outOfArea: 'hors territoire',
  noProblem: 'Aucun problème décrit.', with: 'avec', colon: ' : ',
};

export function words(lang: SummaryLanguage): Words {
  return lang === 'fr' ? FR : EN;
}

/** +15145550123 → "+1 514 555 0123"; anything unparsable is returned as given. */
export function displayPhone(phone: string | null, lang: SummaryLanguage): string {
  if (!phone) return words(lang).unknown;
  const p = parsePhoneNumberFromString(phone);
  return p ? p.formatInternational() : phone;
}

/** A summary timestamp in its own offset, e.g. "Dec 1, 2026, 10:00 AM" / "1 déc. 2026, 10 h 00". */
export function displayTime(iso: string, lang: SummaryLanguage): string {
  const dt = DateTime.fromISO(iso, { setZone: true });
  return dt.isValid ? dt.setLocale(lang === 'fr' ? 'fr-CA' : 'en-CA').toLocaleString(DateTime.DATETIME_MED) : iso;
}

export function displayAddress(s: CallSummary): string {
  const w = words(s.language);
  const parts = [s.serviceAddress.line, s.serviceAddress.postalCode].filter((p): p is string => !!p);
  const text = parts.length ? parts.join(', ') : w.unknown;
  return s.serviceAddress.inServiceArea === false ? `${text} (${w.outOfArea})` : text;
}

export function tradeLabel(s: CallSummary): string | null {
  return s.trade ? words(s.language).trade[s.trade] : null;
}
