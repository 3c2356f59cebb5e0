/**
 * End-of-turn decision from VAD silence plus context: how long to wait after
 * the caller stops depends on what the agent asked and whether the answer
 * already looks complete.
 */
import type { EndpointingConfig } from './config.js';
import type { DialogExpecting } from './types.js';

export type Expectation = 'yes_no' | 'phone' | 'number' | 'time' | 'open';

/** What kind of answer the agent's last words ask for. */
export function expectationOf(agentText: string): Expectation {
  const t = agentText.toLowerCase();
  const q = t.slice(t.lastIndexOf('.', t.length - 2) + 1); // the last sentence carries the question
  if (/(phone|callback|call you back|number to reach|téléphone|numéro)/.test(q)) return 'phone';
  if (/(what time|which time|when would|when can|what day|morning or afternoon|quelle heure|quel jour|quand|matin ou)/.test(q)) return 'time';
  if (/(how many|how old|what temperature|quel âge|combien|quelle température)/.test(q)) return 'number';
  if (/^\s*(is|are|do|does|did|can|could|would|will|should|have|has|was|were|est-ce|avez-vous|êtes-vous|voulez-vous|pouvez-vous)\b/.test(q) || /\b(right|correct|okay|c'est bien ça|d'accord)\s*\?\s*$/.test(q)) {
    return 'yes_no';
  }
  return 'open';
}

/**
 * The dialog's own statement of what it asked, refined by the question text:
 * a "number" is read as a phone number (wait for ten digits) unless the
 * question asks for a count or a temperature, so a caller reading digits in
 * groups is not cut off.
 */
export function expectationFromDialog(expecting: DialogExpecting | undefined, agentText: string): Expectation {
  const fromText = expectationOf(agentText);
  switch (expecting) {
    case 'yes_no':
    case 'time':
      return expecting;
    case 'number':
      return fromText === 'number' ? 'number' : 'phone';
    case 'name':
    case 'address':
    case 'open':
      return 'open';
    default:
      return fromText;
  }
}

const DIGIT_WORDS = new Set([
  'zero', 'oh', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine',
  'zéro', 'un', 'une', 'deux', 'trois', 'quatre', 'cinq', 'sept', 'huit', 'neuf',
]);

/** Number of digits spoken or written in `text`. */
export function digitCount(text: string): number {
  let n = 0;
  for (const tok of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (/^\d+$/.test(tok)) n += tok.length;
    else if (DIGIT_WORDS.has(tok)) n++;
  }
  return n;
}

const YES_NO = /^(yes|yeah|yep|yup|no|nope|sure|correct|right|exactly|absolutely|of course|okay|ok|that's right|oui|non|ouais|exact|d'accord|c'est ça|bien sûr)\b/;
const TIME = /\b(\d{1,2}(:\d{2})?\s*(a\.?m\.?|p\.?m\.?|h)|\d{1,2}\s*h\s*\d{0,2}|noon|midi|morning|afternoon|evening|tonight|today|tomorrow|matin|après-midi|soir|demain|aujourd'hui|monday|tuesday|wednesday|thursday|friday|saturday|sunday|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|o'clock|asap|as soon as possible|dès que possible|(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+(o'clock|thirty|fifteen|forty-five|a\.?m\.?|p\.?m\.?))\b/;
/** Words a sentence does not end on: conjunctions, articles, prepositions, hesitations. */
const DANGLING = new Set([
  'and', 'or', 'but', 'so', 'then', 'because', 'the', 'a', 'an', 'my', 'our', 'to', 'of', 'in', 'on', 'at', 'with', 'for', 'from', 'is', 'was', 'um', 'uh', 'erm', 'like', 'if', 'when', 'that',
  'et', 'ou', 'mais', 'donc', 'puis', 'parce', 'le', 'la', 'les', 'un', 'une', 'des', 'mon', 'ma', 'mes', 'de', 'du', 'à', 'au', 'avec', 'pour', 'dans', 'sur', 'euh', 'bon', 'quand', 'si', 'que',
]);

export type Completeness = 'complete' | 'incomplete' | 'unknown';

export function completeness(callerText: string, expectation: Expectation): Completeness {
  const t = callerText.trim().toLowerCase();
  if (!t) return 'unknown';
  if (/(\.\.\.|…|,|-)$/.test(t)) return 'incomplete';
  const words = t.replace(/[.!?]+$/, '').split(/\s+/);
  if (DANGLING.has(words.at(-1) ?? '')) return 'incomplete';
  switch (expectation) {
    case 'yes_no':
      return YES_NO.test(t) ? 'complete' : 'unknown';
    case 'phone': {
      const d = digitCount(t);
      return d >= 10 ? 'complete' : d > 0 ? 'incomplete' : 'unknown';
    }
    case 'number':
      return digitCount(t) > 0 || /\b(ten|eleven|twelve|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|dix|vingt|trente|quarante|cinquante|soixante|cent)\b/.test(t) ? 'complete' : 'unknown';
    case 'time':
      return TIME.test(t) ? 'complete' : 'unknown';
    case 'open':
      return 'unknown';
  }
}

export interface EndpointDecision {
  waitMs: number;
  reason: 'quick' | 'default' | 'incomplete';
}

/** How long to wait after the VAD's end of speech before the turn is the agent's. */
export function endOfTurnWait(cfg: EndpointingConfig, baseWaitMs: number, expectation: Expectation, callerText: string): EndpointDecision {
  const c = completeness(callerText, expectation);
  if (c === 'incomplete') return { waitMs: Math.max(cfg.incompleteWaitMs, baseWaitMs), reason: 'incomplete' };
  if (c === 'complete') return { waitMs: Math.min(cfg.quickWaitMs, baseWaitMs), reason: 'quick' };
  return { waitMs: baseWaitMs, reason: 'default' };
}

/** Short acknowledgements that must not take the turn while the agent speaks. */
const BACKCHANNEL = /^(mm+-?hmm+|m+hm+|uh-?huh|hmm+|mm+|yeah|yes|yep|okay|ok|right|sure|i see|got it|alright|oui|ouais|d'accord|ok d'accord|ah bon|oh|ah|okay okay|yeah yeah)$/;

export function isBackchannel(text: string): boolean {
  const t = text.toLowerCase().replace(/[.,!?]/g, '').replace(/\s+/g, ' ').trim();
  return t.length > 0 && BACKCHANNEL.test(t);
}
