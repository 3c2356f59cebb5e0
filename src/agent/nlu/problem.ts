// What the caller's problem is: trade, emergency kind, urgency cues, and intent signals (EN + FR, Canadian French included).
import type { Intent, Trade } from '../types.js';
import type { EmergencyKind } from '../tenant/schema.js';
import { matchesAny } from './normalize.js';

const TRADE_PATTERNS: Record<Trade, RegExp[]> = {
  hvac: [
    /\b(furnace|boiler|heat pump|heating|no heat|heat|thermostat|air condition\w*|a\/?c|ac unit|radiators?|ventilation|ducts?|hvac|freezing in here|cold in the house)\b/,
    /\b(fournaise|chauffage|chaudiere|thermopompe|climatiseur|climatisation|thermostat|calorifere|ventilation|chaleur|on gele|gele dans|froid dans la maison|air climatise)\b/,
  ],
  plumbing: [
    /\b(leak\w*|pipes?|drains?|toilets?|sinks?|faucets?|water heater|hot water|sewer|sewage|flood\w*|clog\w*|plumb\w*|shower|bath ?tub|sump pump|water everywhere|backed up|backing up)\b/,
    /\b(fuit\w*|fuite|tuyau\w*|drains?|toilettes?|evier|lavabo|robinet|chauffe-eau|chauffe eau|eau chaude|egouts?|refoul\w*|inond\w*|bouche|plomberie|douche|bain|pompe de puisard|degat d'eau|de l'eau partout|renvoi)\b/,
  ],
  electrical: [
    /\b(outlets?|breakers?|electrical panel|panel|power|electricity|electrical|lights?|sparks?|sparking|wiring|light switch|switch)\b/,
    /\b(prises?|disjoncteurs?|panneau|courant|electricite|electrique|lumieres?|etincelles?|filage|interrupteur)\b/,
  ],
};

const EMERGENCY_PATTERNS: Record<EmergencyKind, RegExp[]> = {
  gas_smell: [/\b(smell(s|ing)? (of |like )?gas|gas smell|gas leak|smells? like gas|rotten eggs?( smell)?|(might|could) be (a )?gas|odeur de gaz|sent le gaz|fuite de gaz|ca sent le gaz|oeufs? pourris?|odeur d'oeufs? pourris?)\b/],
  burst_pipe: [/\b(burst|bursted|broke|broken|split|cracked) (water )?pipe|pipe (has )?(burst|broke|split|exploded)|tuyau (a |est )?(eclate|pete|fendu|casse|brise)|tuyau eclate\b/],
  flooding: [/\b(flood\w*|water everywhere|water all over|inond\w*|de l'eau partout|degat d'eau)\b/],
  sewage_backup: [/\b(sewage|sewer (is )?back\w*|backing up (into|in)|backed up into|refoul\w*|egouts? (qui )?refoul\w*|eaux? d'egout)\b/],
  no_heat: [
    /\b(no heat|no heating|furnace (is )?(stopped|not working|isn't working|won't (start|turn on)|died|dead|broke|quit)|heat (is )?(not working|stopped|went out)|heating (is )?(not working|stopped)|(stopped|not) heating|freezing in (here|the house))\b/,
    /\b(pas de chauffage|plus de chauffage|pas de chaleur|plus de chaleur|fournaise (ne )?(marche|fonctionne|part) (pas|plus)|fournaise (est )?(morte|brisee|arretee|en panne|a arrete|a lache)|chauffage (ne )?(marche|fonctionne) (pas|plus)|chauffage (est )?en panne|on gele)\b/,
  ],
  sparking: [/\b(spark\w*|arcing|etincel\w*|ca fait des flammeches|flammeches)\b/],
  burning_smell: [/\b(burning smell|smell(s|ing)? (of |like )?(burning|smoke)|smoke (is )?coming|odeur de (brule|fumee)|sent le (brule|fumee)|ca sent le brule|boucane)\b/],
  no_power: [/\b(no power|power('s| is)? out|lost (all )?power|no electricity|(plus|pas) (de|d') ?(courant|electricite)|panne (de courant|d'electricite|generale))\b/],
};

/** Which emergency situations the utterance describes. */
export function detectEmergencies(text: string): EmergencyKind[] {
  // "no burning smell", "pas d'odeur de gaz": a denied symptom is not a symptom.
  const norm = text.replace(/\b(no|not|never|without|pas de|pas d'|aucune?|sans)\s+(any\s+)?(burning|sparks?|smell\w*|smoke|odeur|etincelles?|fumee|gas|gaz)\b( (smell|de (gaz|brule)))?/g, ' ');
  const kinds: EmergencyKind[] = [];
  for (const [kind, pats] of Object.entries(EMERGENCY_PATTERNS) as [EmergencyKind, RegExp[]][]) {
    if (matchesAny(norm, pats)) kinds.push(kind);
  }
  // A leak that is merely "not flooding" must not count as flooding.
  if (kinds.includes('flooding') && /\b(not|no|pas|aucun\w*) (flood\w*|inond\w*)\b/.test(norm)) kinds.splice(kinds.indexOf('flooding'), 1);
  return kinds;
}

const EMERGENCY_TRADE: Record<EmergencyKind, Trade> = {
  gas_smell: 'hvac', burst_pipe: 'plumbing', flooding: 'plumbing', sewage_backup: 'plumbing', no_heat: 'hvac',
  sparking: 'electrical', burning_smell: 'electrical', no_power: 'electrical',
};

export function tradeOfEmergency(kind: EmergencyKind): Trade {
  return EMERGENCY_TRADE[kind];
}

/** The trade the utterance is about; water heaters are plumbing even though they "heat". */
export function detectTrade(norm: string): Trade | null {
  const n = norm.replace(/\b(water heater|hot water|chauffe-eau|chauffe eau|eau chaude)\b/g, ' plumbing ');
  const scores: [Trade, number][] = (Object.keys(TRADE_PATTERNS) as Trade[]).map((t) => [
    t,
    TRADE_PATTERNS[t].reduce((acc, p) => acc + (n.match(new RegExp(p.source, 'g'))?.length ?? 0), 0) + (t === 'plumbing' && /\bplumbing\b/.test(n) ? 1 : 0),
  ]);
  scores.sort((a, b) => b[1] - a[1]);
  const best = scores[0];
  if (!best || best[1] === 0) return null;
  return best[0];
}

const URGENT = [
  /\b(urgent|asap|as soon as possible|right away|today|leak\w*|dripping|no hot water|clogged|backed up|won't drain|not draining|tripping|keeps tripping|half the house|(not|n't) (cooling|heating|working)|making a (loud )?noise|stopped working|won't start|blowing (cold|warm|hot) air)\b/,
  /\b(urgent|urgence|au plus vite|le plus tot possible|aujourd'hui|fuit|fuite|coule|pas d'eau chaude|plus d'eau chaude|pus d'eau chaude|bouche|disjoncte|saute|bruit|ne fonctionne plus|ne marche plus|en panne)\b/,
];
export function soundsUrgent(norm: string): boolean {
  return matchesAny(norm, URGENT);
}

const INTENT_PATTERNS: [Exclude<Intent, 'emergency'>, RegExp[]][] = [
  ['complaint', [
    /\b(complain\w*|complaint|not happy|unhappy|terrible|worst|ripped off|rude|dissatisfied|unacceptable|disappointed|angry|furious|speak to (a |the )?manager|still (broken|not fixed|leaking) after|you guys (messed|screwed) up)\b/,
    /\b(plainte|plaindre|pas content\w*|pas satisfait\w*|insatisfait\w*|mecontent\w*|inacceptable|decu\w*|fache\w*|le gerant|parler au gerant|toujours brise|mal fait)\b/,
  ]],
  ['sales', [
    /\b(quote|estimate|new furnace|new boiler|new system|replace (my|the) (whole |entire )?(furnace|system|boiler|water heater|heating)|install(ing|ation)? (a |of )?(new )?(heat pump|furnace|boiler|system|air condition\w*)|renovation|remodel\w*|whole house (repiping|re-piping)|repipe)\b/,
    /\b(soumission|estimation|devis|nouvelle fournaise|nouveau systeme|remplacer (ma|mon|le|la) (fournaise|systeme|chaudiere|chauffe-eau)|install\w* (une |un )?(nouvelle |nouveau )?(thermopompe|fournaise|chaudiere|systeme|climatiseur)|renovation)\b/,
  ]],
  ['scheduling', [
    /\b(reschedul\w*|change (my|the) appointment|move (my|the) appointment|cancel (my|the) appointment|postpone|different (day|time) for (my|the) appointment)\b/,
    /\b(deplacer (mon|le) rendez-vous|changer (mon|le) rendez-vous|reporter (mon|le) rendez-vous|annuler (mon|le) rendez-vous|remettre (mon|le) rendez-vous)\b/,
  ]],
  ['follow_up', [
    /\b(follow(ing)? up|follow-up|technician (came|was here)|you were here|came (by|out) (last|yesterday)|status of|my invoice|the invoice|my bill|warranty on the (work|repair)|part (was|is) (ordered|on order)|checking on)\b/,
    /\b(suivi|faire un suivi|le technicien est (venu|passe)|vous etes venus|ma facture|la facture|la garantie|piece commandee|ou en est)\b/,
  ]],
  ['service_request', [
    /\b(need (a|someone|somebody|to book|an appointment)|book (a|an)|appointment|schedule (a|an|someone)|send (someone|somebody|a tech\w*)|come (and |to )?(look|fix|check)|repair|fix|service|maintenance|tune-?up|not working|broken|doesn't work|won't|stopped)\b/,
    /\b(besoin (d'un|d'une|de quelqu'un)|prendre (un )?rendez-vous|rendez-vous|envoyer (quelqu'un|un tech\w*)|reparer|reparation|entretien|ne marche pas|ne fonctionne pas|brise|venir voir)\b/,
  ]],
  ['question', [
    /\b(what are your hours|your hours|are you open|when are you open|do you (service|serve|cover|come to|work in|go to)|how much|what do you charge|prices?|rates?|next availability|next available|earliest (appointment|availability)|do you (do|fix|repair|install)|what brands)\b|\?\s*$/,
    /\b(vos heures|heures d'ouverture|etes-vous ouverts?|vous etes ouverts?|desservez|vous allez a|combien|vos prix|tarifs?|prochaine disponibilite|faites-vous|reparez-vous|quelles marques)\b/,
  ]],
];

/** Intent signals in priority order; the first is the strongest. Emergencies are detected separately. */
export function detectIntents(norm: string): Exclude<Intent, 'emergency'>[] {
  return INTENT_PATTERNS.filter(([, pats]) => matchesAny(norm, pats)).map(([intent]) => intent);
}

export type FaqTopic = 'hours' | 'service_area' | 'next_availability' | 'emergency_service' | string;

const BUILTIN_FAQ: [FaqTopic, RegExp][] = [
  ['hours', /\b(your hours|what are your hours|are you open|when are you open|open on|opening hours|vos heures|heures d'ouverture|etes-vous ouverts?|vous etes ouverts?|ouvert le|ouverts le)\b/],
  ['service_area', /\b(do you (service|serve|cover|come to|work in|go to)|service area|what areas|desservez|vous allez a|secteur|territoire)\b/],
  ['next_availability', /\b(next availability|next available|earliest (appointment|availability|slot)|when can (someone|you) come|prochaine disponibilite|quand pouvez-vous venir|premiere disponibilite)\b/],
  ['emergency_service', /\b(24\/7|24 hours|emergency service|weekends?|urgences? (la nuit|24)|fin de semaine)\b/],
];

/** FAQ topics asked about: built-in ones, then the tenant's own FAQ ids whose keywords appear. */
export function detectFaqTopics(norm: string, tenantFaqs: { id: string; keywords: { en: string[]; fr: string[] } }[]): FaqTopic[] {
  const topics: FaqTopic[] = BUILTIN_FAQ.filter(([, p]) => p.test(norm)).map(([t]) => t);
  for (const faq of tenantFaqs) {
    const words = [...faq.keywords.en, ...faq.keywords.fr].map((w) => normalizeKeyword(w));
    if (words.some((w) => norm.includes(` ${w} `) || norm.includes(` ${w}?`) || norm.includes(` ${w},`))) topics.push(faq.id);
  }
  return topics;
}

function normalizeKeyword(w: string): string {
  return w.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();
}
