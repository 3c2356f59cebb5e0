// Short answers: yes/no, "that's all", and qualification details per trade.
import { normalize } from './normalize.js';

export function yesNo(text: string): 'yes' | 'no' | null {
  const n = normalize(text);
  const no = /^ ?(no|nope|nah|not really|non|pas vraiment|negative|wrong|incorrect|that's not)\b/.test(n) || /\b(doesn't work|does not work|won't work|can't make|ca marche pas|ne marche pas pour moi|pas correct|c'est pas ca|ce n'est pas)\b/.test(n);
  const yes = /^ ?(yes|yeah|yep|yup|sure|correct|right|that's right|that's correct|ok|okay|sounds good|perfect|great|absolutely|exactly|please do|go ahead|book it|oui|ouais|exact|exactement|c'est ca|c'est correct|parfait|d'accord|ca marche|ca me va|bien sur|en plein ca|certainement|allez-y)\b/.test(n) || /\b(that works|works for me|that's fine|ca me convient|ca marche)\b/.test(n);
  if (no && !/^ ?(yes|oui)/.test(n)) return 'no';
  if (yes) return 'yes';
  return null;
}

/** The caller has nothing more ("no thanks, that's all", "c'est tout, merci", "bye"). */
export function isClosing(text: string): boolean {
  const n = normalize(text);
  return /\b(that's all|that is all|that's it|nothing else|no(,)? thanks?|no thank you|bye|goodbye|have a good|c'est tout|rien d'autre|non merci|bonne journee|au revoir|bye bye|ca va etre tout|ce sera tout)\b/.test(n) || /^ ?(no|non|nope)[ .!]*$/.test(n);
}

export interface DetailHit {
  key: string;
  value: string;
}

/** Qualification answers present in the utterance (heating: system, since, indoor temp; plumbing: location, shut-off, scope; electrical: affected, burning). */
export function extractDetails(text: string): DetailHit[] {
  const n = normalize(text);
  const hits: DetailHit[] = [];
  const sys = /\b(gas furnace|oil furnace|electric furnace|furnace|boiler|heat pump|baseboards?|radiant floor|fournaise (au gaz|a l'huile|electrique)|fournaise|chaudiere|thermopompe|plinthes?|plancher radiant)\b/.exec(n);
  if (sys?.[1]) hits.push({ key: 'systemType', value: sys[1] });
  const since = /\b(since (this morning|last night|yesterday|[a-z]+day|\d+ (hours?|days?))|for (\d+|two|three|a few|a couple of) (hours?|days?)|depuis (ce matin|hier( soir)?|la nuit|cette nuit|[a-z]+di|\d+ (heures?|jours?)|deux jours|trois jours))\b/.exec(n);
  if (since?.[1]) hits.push({ key: 'since', value: since[1] });
  const temp = /\b(\d{1,2})\s*(degrees?|degres?|celsius|°)\b/.exec(n) ?? /\b(?:it's|il fait|fait)\s+(\d{1,2})\s*(inside|dans la maison|en dedans)?\b/.exec(n);
  if (temp?.[1]) hits.push({ key: 'indoorTemp', value: temp[1] });
  const loc = /\b(basement|kitchen|bathroom|laundry room|garage|attic|crawl ?space|ceiling|sous-sol|cuisine|salle de bain|salle de lavage|garage|grenier|plafond)\b/.exec(n);
  const fixtureRoom = /\b(bath ?tub|shower|toilet|douche|bain|baignoire|toilette)\b/.exec(n);
  if (loc?.[1]) hits.push({ key: 'location', value: loc[1] });
  else if (fixtureRoom?.[1]) hits.push({ key: 'location', value: /^(douche|bain|baignoire|toilette)$/.test(fixtureRoom[1]) ? 'salle de bain' : 'bathroom' });
  if (/\b(shut (it |the water |the main )?off|turned (the water |the main |it )?off|closed the (main|valve)|water is off|ferme l'eau|ferme la valve|coupe l'eau|l'eau est fermee|ferme l'entree d'eau|j'ai ferme)\b/.test(n)) hits.push({ key: 'waterShutOff', value: 'yes' });
  else if (/\b(can't (find|shut)|didn't shut|not shut off|still running|pas ferme|trouve pas la valve|l'eau coule encore)\b/.test(n)) hits.push({ key: 'waterShutOff', value: 'no' });
  const scope = /\b(whole house|entire house|every (fixture|faucet|drain)|all the (drains|faucets|fixtures)|just (one|the) \w+|only (one|the) \w+|toute la maison|tous les (drains|robinets)|juste (un|une|le|la) \w+|seulement (un|une|le|la) \w+)\b/.exec(n);
  if (scope?.[1]) hits.push({ key: 'scope', value: scope[1] });
  const aff = /\b(outlets?|lights?|breakers?|panel|whole house|half the house|kitchen|prises?|lumieres?|disjoncteurs?|panneau|toute la maison)\b/.exec(n);
  if (aff?.[1]) hits.push({ key: 'affected', value: aff[1] });
  if (/\b(burning|sparks?|smoke|brule|etincelles?|fumee)\b/.test(n) && !/\b(no|not|pas|aucune?)\s+(burning|sparks?|smoke|odeur|etincelles?|fumee)/.test(n)) hits.push({ key: 'burning', value: 'yes' });
  else if (/\b(no (burning|smell|sparks?|smoke)|pas d'(odeur|etincelles?)|aucune (odeur|etincelle))\b/.test(n)) hits.push({ key: 'burning', value: 'no' });
  return hits;
}
