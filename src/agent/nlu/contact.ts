// Contact details in free speech: phone numbers, postal codes, street addresses, names.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

const DIGIT_WORDS: Record<string, string> = {
  zero: '0', oh: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9',
  zéro: '0', un: '1', deux: '2', trois: '3', quatre: '4', cinq: '5', sept: '7', huit: '8', neuf: '9',
};

/** Spoken digits ("five one four") become numerals so the number parser sees them. */
function spokenDigitsToNumerals(text: string): string {
  return text.replace(/\b(zero|oh|one|two|three|four|five|six|seven|eight|nine|zéro|un|deux|trois|quatre|cinq|sept|huit|neuf)\b/gi, (w) => DIGIT_WORDS[w.toLowerCase()] ?? w);
}

/** The first phone number in the text as E.164, or null. North American numbers by default. */
export function extractPhone(text: string, country: CountryCode = 'CA'): string | null {
  const t = spokenDigitsToNumerals(text);
  const candidates = t.match(/\+?\d[\d\s().,-]{8,24}\d/g) ?? [];
  for (const c of candidates) {
    const digits = c.replace(/[^\d+]/g, '');
    if (digits.replace('+', '').length < 10) continue;
    const p = parsePhoneNumberFromString(digits, country);
    if (p?.isValid()) return p.number;
  }
  return null;
}

/** Reads a North American number back in digit groups: "514 555 0123". */
export function readBackPhone(e164: string): string {
  const p = parsePhoneNumberFromString(e164);
  if (!p) return e164;
  const national = p.nationalNumber;
  if (national.length === 10) return `${national.slice(0, 3)} ${national.slice(3, 6)} ${national.slice(6)}`;
  return p.formatInternational();
}

const CA_POSTAL = /\b([abceghj-nprstvxy]\d[abceghj-nprstv-z])\s?-?(\d[abceghj-nprstv-z]\d)\b/i;
const CA_FSA_ONLY = /\b([abceghj-nprstvxy]\d[abceghj-nprstv-z])\b/i;

/** A Canadian postal code ("H2X 1K4"), or a US ZIP code that is not the house number. */
export function extractPostalCode(text: string, opts: { allowFsaOnly?: boolean } = {}): string | null {
  const ca = CA_POSTAL.exec(text);
  if (ca?.[1] && ca[2]) return `${ca[1].toUpperCase()} ${ca[2].toUpperCase()}`;
  const withoutPhones = text.replace(/\+?\d[\d\s().-]{8,18}\d/g, ' ');
  const zips = [...withoutPhones.matchAll(/(^|[^\d])(\d{5})(-\d{4})?(?!\d)/g)];
  for (const z of zips) {
    const idx = (z.index ?? 0) + (z[1]?.length ?? 0);
    const after = withoutPhones.slice(idx + 5, idx + 30);
    // A five-digit number followed by a street name is a house number, not a ZIP code.
    if (/^\s+[A-Za-zÀ-ÿ]/.test(after) && !/^\s+(and|et|please|svp)\b/i.test(after)) continue;
    return z[2] ?? null;
  }
  if (opts.allowFsaOnly) {
    const fsa = CA_FSA_ONLY.exec(text);
    if (fsa?.[1]) return fsa[1].toUpperCase();
  }
  return null;
}

const STREET_TYPES_EN = 'street|st|avenue|ave|road|rd|boulevard|blvd|drive|dr|lane|ln|court|ct|way|place|pl|crescent|cres|terrace|parkway|circle|highway';
const STREET_TYPES_FR = 'rue|avenue|av|boulevard|boul|chemin|ch|place|rang|montee|montée|cote|côte|croissant|terrasse|allee|allée|route';

/** The street line of an address ("4520 rue Saint-Denis", "12 Elm Street, apt 3"), or null. */
export function extractAddressLine(text: string): string | null {
  const fr = new RegExp(`\\b(\\d{1,6}[a-z]?(?:-\\d{1,5})?)\\s*,?\\s+((?:${STREET_TYPES_FR})\\.?\\s+[A-Za-zÀ-ÿ'’. -]+?)(?=\\s*(?:,|\\bet\\b|\\band\\b|\\bapp|\\bapt|\\bà\\b|\\bin\\b|\\bmy\\b|\\bmon\\b|\\bma\\b|\\bcode\\b|\\bpostal\\b|[A-Za-z]\\d[A-Za-z]|\\d|$|\\.))`, 'i');
  const en = new RegExp(`\\b(\\d{1,6}[a-z]?)\\s+([A-Za-zÀ-ÿ'’. -]+?\\s(?:${STREET_TYPES_EN})\\.?)(?=\\s*(?:,|\\band\\b|\\bapt|\\bin\\b|\\bzip\\b|\\bpostal\\b|[A-Za-z]\\d[A-Za-z]|\\d|$|\\.|\\s))`, 'i');
  for (const re of [fr, en]) {
    const m = re.exec(text);
    if (m?.[1] && m[2]) {
      const street = m[2].trim().replace(/\s+/g, ' ');
      const unit = /\b(?:apt|apartment|app|appartement|unit|suite)\.?\s*#?\s*(\w+)/i.exec(text.slice((m.index ?? 0) + m[0].length, (m.index ?? 0) + m[0].length + 30));
      return `${m[1]} ${street}${unit?.[1] ? `, apt ${unit[1]}` : ''}`;
    }
  }
  return null;
}

const NAME_PATTERNS = [
  /\b(?:my name is|my name's|name is|this is|it's|it is)\s+([A-Za-zÀ-ÿ'’-]+(?:\s+[A-Za-zÀ-ÿ'’-]+){0,2})/i,
  /\b(?:je m'appelle|je m’appelle|mon nom est|mon nom c'est|c'est|ici|moi c'est)\s+([A-Za-zÀ-ÿ'’-]+(?:\s+[A-Za-zÀ-ÿ'’-]+){0,2})/i,
];
const NOT_NAME = /^(calling|about|because|here|at|the|a|an|my|for|to|not|so|really|very|just|due|still|also|only|been|pas|un|une|le|la|pour|que|qui|correct|ca|ça|bien|parfait|exact|urgent|gas|fine|ok|okay|right|that|this|it|no|yes|oui|non|tout|vrai|juste|toujours|déjà|deja|encore|seulement)$/i;
const NAME_STOP = /\s+(?:and|et|at|au|à|from|my|mon|ma|i|je|calling|because|parce|here|ici|phone|number|numero|numéro|the|le|la)\b.*$/i;

function titleCase(s: string): string {
  return s
    .toLowerCase()
    .split(/\s+/)
    .map((w) => w.replace(/(^|[-'’])(\p{L})/gu, (_, sep: string, c: string) => sep + c.toUpperCase()))
    .join(' ');
}

/** A name introduced explicitly ("my name is Jean Tremblay"); with `expectName` a bare short answer counts too. */
export function extractName(text: string, expectName: boolean): string | null {
  for (const re of NAME_PATTERNS) {
    const m = re.exec(text);
    if (m?.[1]) {
      const cand = m[1].replace(NAME_STOP, '').trim();
      const first = cand.split(/\s+/)[0] ?? '';
      if (cand && !NOT_NAME.test(first) && !/\d/.test(cand)) {
        // "it's"/"c'est"/"this is" only introduce a name when one was asked for or it looks like one.
        const weak = /^(?:this is|it's|it is|c'est|ici|moi c'est)/i.test(m[0]);
        if (!weak || expectName || /^[A-ZÀ-Ý]/.test(first)) return titleCase(cand);
      }
    }
  }
  if (expectName) {
    const bare = text
      .replace(/^(?:\s*(?:yes|yeah|sure|ok|okay|oui|ouais|alors|so|um|uh|euh|bien sûr|of course)[,.!\s]+)+/i, '')
      .replace(/[.!,]+$/g, '')
      .trim();
    const words = bare.split(/\s+/).filter(Boolean);
    if (words.length >= 1 && words.length <= 3 && !/\d/.test(bare) && !NOT_NAME.test(words[0] ?? '')) return titleCase(bare);
  }
  return null;
}
