// Preferred times in EN and FR ("tomorrow morning", "lundi après-midi", "as soon as possible", "à 14 h"),
// resolved against the current time in the tenant's time zone.
import { DateTime } from 'luxon';
import type { PreferredTime } from '../types.js';
import { normalize } from './normalize.js';

const WEEKDAYS: [RegExp, number][] = [
  [/\b(monday|lundi)\b/, 1], [/\b(tuesday|mardi)\b/, 2], [/\b(wednesday|mercredi)\b/, 3], [/\b(thursday|jeudi)\b/, 4],
  [/\b(friday|vendredi)\b/, 5], [/\b(saturday|samedi)\b/, 6], [/\b(sunday|dimanche)\b/, 7],
];

export function extractPreferredTime(text: string, now: DateTime): PreferredTime | null {
  // Past references ("since Monday", "depuis hier", "last week") say when the problem began, not when to come.
  const n = normalize(text).replace(/\b(since|depuis|last|dernier|derniere|ago)\s+(le |la |this |ce |cette )?(\w+)( (morning|matin|soir|night|nuit|week|semaine))?/g, ' ');
  const out: PreferredTime = { text: text.trim() };
  let found = false;
  if (/\b(as soon as possible|asap|earliest|first available|soonest|whenever|any ?time|le plus tot possible|des que possible|au plus vite|n'importe quand|premiere disponibilite|quand vous voulez|le plus vite)\b/.test(n)) {
    out.asap = true;
    found = true;
  }
  let day: DateTime | null = null;
  if (/\b(day after tomorrow|apres-demain|apres demain)\b/.test(n)) day = now.plus({ days: 2 });
  else if (/\b(tomorrow|demain)\b/.test(n)) day = now.plus({ days: 1 });
  else if (/\b(today|this (morning|afternoon|evening)|aujourd'hui|ce matin|cet apres-midi|ce soir)\b/.test(n)) day = now;
  else if (/\b(next week|la semaine prochaine|semaine prochaine)\b/.test(n)) day = now.plus({ weeks: 1 }).startOf('week');
  for (const [re, wd] of WEEKDAYS) {
    if (!day && re.test(n)) {
      let d = now.plus({ days: ((wd - now.weekday + 7) % 7) || 7 });
      if (/\b(next|prochain)\b/.test(n) && d.diff(now, 'days').days < 7 && /\b(next week|semaine prochaine)\b/.test(n)) d = d.plus({ weeks: 1 });
      day = d;
    }
  }
  if (day) {
    out.date = day.toISODate() ?? undefined;
    found = true;
  }
  if (/\b(morning|matin|avant-midi|avant midi|am)\b/.test(n)) out.part = 'morning';
  else if (/\b(afternoon|apres-midi|apres midi|pm)\b/.test(n)) out.part = 'afternoon';
  else if (/\b(evening|tonight|soir|soiree)\b/.test(n)) out.part = 'evening';
  if (out.part) found = true;
  const clock = /\b(?:at|around|for|a|vers|pour)\s+(\d{1,2})(?:(?::|h\s?)(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|h|heures?)?\b/.exec(n) ?? /\b(\d{1,2})\s*(?::(\d{2}))?\s*(am|pm|h|heures)\b/.exec(n);
  if (clock?.[1]) {
    let hour = Number(clock[1]);
    const mer = clock[3] ?? '';
    if (/^p/.test(mer) && hour < 12) hour += 12;
    if (!mer && hour >= 1 && hour <= 6) hour += 12; // "at 2" during business hours means 2 pm
    if (hour >= 0 && hour <= 23 && (mer || clock[0].trim().match(/^(at|around|a|vers|pour)/))) {
      out.hour = hour;
      found = true;
    }
  }
  return found ? out : null;
}

/** A short description for summaries: "2026-12-02 morning", "asap", or the caller's words. */
export function describePreferredTime(p: PreferredTime | null): string | null {
  if (!p) return null;
  const parts = [p.asap ? 'asap' : null, p.date ?? null, p.part ?? null, p.hour !== undefined ? `${String(p.hour).padStart(2, '0')}:00` : null].filter(Boolean);
  return parts.length ? parts.join(' ') : p.text;
}
