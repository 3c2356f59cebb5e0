// English/French detection by marker words, tuned for Canadian French callers.
import type { Language } from '../types.js';
import { normalize } from './normalize.js';

const FR = new Set([
  'je', "j'", 'j', 'mon', 'ma', 'mes', 'est', 'le', 'la', 'les', 'du', 'des', 'pas', 'chez', 'oui', 'non', 'bonjour',
  'merci', 'fournaise', 'chauffe-eau', 'eau', 'plus', 'il', 'y', 'une', 'avec', 'pour', "c'est", 'ca', 'sent', 'odeur',
  'tuyau', 'bouche', 'demain', 'matin', 'svp', 'nous', 'vous', 'mais', 'et', 'dans', 'sous-sol', 'fuite', 'chauffage',
  'appelle', "m'appelle", 'rue', 'apres-midi', 'avant-midi', 'aujourd', "aujourd'hui", 'ouais', 'parfait', 'bien',
  'fait', 'froid', 'rendez-vous', 'voudrais', 'aimerais', 'besoin', 'quoi', 'quand', 'comment', "qu'est-ce", 'depuis',
  'hier', 'semaine', 'prochaine', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche', 'numero',
  'courant', 'toilette', 'evier', 'salut', 'allo', 'gaz', 'maison', 'notre', 'votre', 'ne', 'marche', 'fonctionne',
  "l'eau", "d'eau", "n'est", "n'a", "j'ai", "c'est", 'suis', 'avez', 'etes', 'heures', 'ouvert', 'ouverts', 'combien',
  'desole', 'tout', 'rien', 'francais', 'parle', 'parler', 'peux', 'peut', 'plaindre', 'plainte', 'soumission',
]);
const EN = new Set([
  'i', "i'm", 'im', 'my', 'the', 'is', 'it', "it's", 'an', 'and', 'to', 'of', 'have', 'no', 'yes', 'hi', 'hello',
  'thanks', 'thank', 'please', 'furnace', 'water', 'heater', 'leak', 'leaking', 'smell', 'there', 'this', 'tomorrow',
  'morning', 'need', 'can', 'you', 'we', 'our', 'with', 'for', 'what', 'when', 'how', 'yeah', 'yep', 'sure', 'okay',
  'afternoon', 'today', 'name', 'number', 'street', 'not', 'working', "don't", "doesn't", "won't", 'basement',
  'toilet', 'sink', 'pipe', 'power', 'outlet', 'heat', 'would', 'like', 'book', 'appointment', 'since', 'yesterday',
  'week', 'next', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'that', 'are', 'do',
  'your', 'open', 'hours', 'much', 'english', 'speak', 'sorry', "that's", 'all', 'just', 'get', 'at', 'in', 'on',
  'be', 'was', 'been', 'call', 'calling', 'want', 'fix', 'broken', 'stopped', 'right', 'correct', 'nope', 'bye',
]);
/** Words that exist in both languages or in neither carry no weight (e.g. "a", "correct", "parfait" stays FR only). */

export interface LanguageScore {
  en: number;
  fr: number;
}

export function scoreLanguage(text: string): LanguageScore {
  const words = normalize(text).trim().split(/[ ,.]+/).filter(Boolean);
  let en = 0;
  let fr = 0;
  for (const w of words) {
    if (FR.has(w)) fr++;
    if (EN.has(w)) en++;
    if (/^(j|l|d|n|c|m|qu|s)'/.test(w)) fr++;
  }
  return { en, fr };
}

/** An explicit request to change language ("en français svp", "can we speak English"). */
export function requestedLanguage(text: string): Language | null {
  const n = normalize(text);
  if (/\b(en francais|parler francais|speak french|in french|parlez-vous francais)\b/.test(n)) return 'fr';
  if (/\b(in english|speak english|en anglais|parler anglais|parlez-vous anglais|english please)\b/.test(n)) return 'en';
  return null;
}

/**
 * The language of an utterance given the current one: the first utterance decides,
 * later ones switch only on clear evidence (or an explicit request).
 */
export function detectLanguage(text: string, current: Language | null): Language | null {
  const asked = requestedLanguage(text);
  if (asked) return asked;
  const { en, fr } = scoreLanguage(text);
  if (current === null) {
    if (en === fr) return null;
    return en > fr ? 'en' : 'fr';
  }
  const other: Language = current === 'en' ? 'fr' : 'en';
  const otherScore = other === 'en' ? en : fr;
  const curScore = current === 'en' ? en : fr;
  if (otherScore >= 2 && otherScore > curScore * 2) return other;
  return current;
}
