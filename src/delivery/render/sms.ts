// The SMS summary: urgency, name, callback number, address, problem, outcome, kept within two
// segments. Text is folded to the GSM 03.38 alphabet (3GPP TS 23.038 §6.2.1) so accents outside it
// (ê, ç, ô...) do not switch the message to UCS-2, which would cut a segment from 153 to 67 characters.
import type { CallSummary } from '../summary-view.js';
import { displayAddress, displayPhone, tradeLabel, words } from './labels.js';

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€\f';
const GSM = new Set([...GSM_BASIC, ...GSM_EXTENDED]);
const EXT = new Set([...GSM_EXTENDED]);

const REPLACEMENTS: Record<string, string> = {
  '\u2018': "'", '\u2019': "'", '\u201C': '"', '\u201D': '"', '\u2013': '-', '\u2014': '-', '\u2026': '...',
  '\u00A0': ' ', '\u202F': ' ', '\u00AB': '"', '\u00BB': '"', 'œ': 'oe', 'Œ': 'OE', '\t': ' ',
};

/** Maps text onto the GSM 7-bit alphabet: known punctuation replaced, other accents stripped. */
export function toGsm7(text: string): string {
  let out = '';
  for (const ch of text) {
    if (GSM.has(ch)) { out += ch; continue; }
    const rep = REPLACEMENTS[ch];
    if (rep !== undefined) { out += rep; continue; }
    const base = ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    out += [...base].every((c) => GSM.has(c)) ? base : '?';
  }
  return out;
}

/** Segments a message needs: GSM-7 160 alone or 153 per part; UCS-2 70 alone or 67 per part. */
export function smsSegments(text: string): number {
  const chars = [...text];
  if (chars.every((c) => GSM.has(c))) {
    const septets = chars.reduce((n, c) => n + (EXT.has(c) ? 2 : 1), 0);
    return septets <= 160 ? 1 : Math.ceil(septets / 153);
  }
  const units = text.length;
  return units <= 70 ? 1 : Math.ceil(units / 67);
}

const TWO_SEGMENTS_GSM = 306;

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 3)).trimEnd()}...`;
}

export function renderSms(s: CallSummary): string {
  const w = words(s.language);
  const trade = tradeLabel(s);
  const head = `${w.urgency[s.urgency]}${trade ? ` - ${trade}` : ''}`;
  const who = `${s.caller.name ?? w.unknown}, ${displayPhone(s.caller.phone, s.language)}`;
  const where = clip(displayAddress(s), 100);
  const outcome = `${w.outcomeLabel}${w.colon}${w.outcome[s.outcome]}`;
  const problem = s.problem ?? w.noProblem;
  const fixed = toGsm7([head, who, where, '', outcome].join('\n'));
  // The problem gets whatever room is left in two segments (it is the part that can be long).
  const room = TWO_SEGMENTS_GSM - fixed.length - 1;
  const lines = [head, who, where, clip(problem, Math.max(room, 40)), outcome];
  return toGsm7(lines.join('\n'));
}
