/**
 * Builds the JSGF grammar for the offline recognizer from the tenant's
 * vocabulary plus the answers a receptionist expects (digits, yes/no, times,
 * trade phrases). Words missing from the pronunciation dictionary are left
 * out, because pocketsphinx refuses a grammar with an unknown word.
 */
import { readFileSync } from 'node:fs';

export const POCKETSPHINX_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';
export const CMUDICT_PATH = `${POCKETSPHINX_MODEL_DIR}/cmudict-en-us.dict`;

const DIGITS = 'zero oh one two three four five six seven eight nine';
const MINUTES = "o'clock fifteen thirty forty-five";
const YES_NO = 'yes yeah yep no nope correct right sure okay';
const TIMES = 'noon morning afternoon evening tonight today tomorrow monday tuesday wednesday thursday friday saturday sunday';
/**
 * Free words stay content words: short function words ("i", "a", "the") in the
 * free list make the decoder insert them everywhere, so they live only inside phrases.
 */
const TRADE =
  'furnace heater heating boiler thermostat conditioner cooling pipe leak leaking burst flood flooding flooded water basement kitchen bathroom toilet sink drain clogged blocked sewer backup gas smell electrical electrician power outlet breaker sparks sparking burning smoke wires lights plumber plumbing hot cold tank noise';
const COMMON = 'working stopped broken need help please emergency appointment name number phone address street avenue road house thanks hello';

/** Multi-word answers that are far more likely than a free word sequence. */
const PHRASES = [
  'my furnace stopped working',
  'my furnace is not working',
  'my phone number is',
  'my number is',
  'my name is',
  'my address is',
  'a pipe burst',
  'i have a burst pipe',
  'a burst pipe',
  'in my basement',
  'in the basement',
  'water is everywhere',
  'there is water everywhere',
  'my basement is flooding',
  'i smell gas',
  'the water heater is leaking',
  'there is no heat',
  'there is no hot water',
  'the toilet is clogged',
  'the drain is blocked',
  'the power is out',
  'i need a plumber',
  'i need an electrician',
  'can someone come today',
  'that is correct',
  'thank you',
  'that is right',
  'at night',
  'in the morning',
  'in the afternoon',
];

let dictionary: Set<string> | undefined;

/** Words the acoustic model can pronounce (loaded once). */
export function dictionaryWords(): Set<string> {
  if (!dictionary) {
    const text = readFileSync(CMUDICT_PATH, 'utf8');
    const words = new Set<string>();
    for (const line of text.split('\n')) {
      const sp = line.indexOf(' ');
      if (sp <= 0) continue;
      const w = line.slice(0, sp);
      if (!w.endsWith(')')) words.add(w);
    }
    dictionary = words;
  }
  return dictionary;
}

function words(list: string): string[] {
  return list.split(/\s+/).filter(Boolean);
}

/** Splits free vocabulary ("Décarie Boulevard", "heat pump") into lower-case dictionary words. */
export function vocabularyWords(vocabulary: readonly string[]): string[] {
  const dict = dictionaryWords();
  const out = new Set<string>();
  for (const entry of vocabulary) {
    for (const w of entry.toLowerCase().split(/[^\p{L}'.-]+/u)) {
      if (w && dict.has(w)) out.add(w);
    }
  }
  return [...out];
}

function alternatives(items: Iterable<string>): string {
  return [...items].join(' | ');
}

/** The JSGF text (JSGF 1.0) for `vocabulary`. */
export function buildJsgf(vocabulary: readonly string[]): string {
  const dict = dictionaryWords();
  const known = (w: string): boolean => dict.has(w);
  const digits = words(DIGITS).filter(known);
  const minutes = words(MINUTES).filter(known);
  const free = new Set([...words(`${YES_NO} ${TIMES} ${TRADE} ${COMMON}`).filter(known), ...vocabularyWords(vocabulary)]);
  for (const d of digits) free.delete(d);
  const phrases = PHRASES.filter((p) => words(p).every(known));
  const vocabPhrases = vocabulary
    .map((v) => v.toLowerCase().trim())
    .filter((v) => v.includes(' ') && words(v).every(known));
  return [
    '#JSGF V1.0;',
    'grammar firstring;',
    `<digit> = ${alternatives(digits)};`,
    `<phrase> = ${alternatives(new Set([...phrases, ...vocabPhrases]))};`,
    `<word> = ${alternatives(free)};`,
    `<time> = <digit> [ ${alternatives(minutes)} ] ( a.m. | p.m. );`,
    // A number once announced is read as digits, not as look-alike words.
    '<number> = ( my | the ) [ phone | callback ] number is <digit>+;',
    'public <utterance> = ( /20/ <number> | /10/ <phrase> | /8/ <time> | /5/ <digit> | /1/ <word> )+;',
    '',
  ].join('\n');
}
