// Opening hours and holidays in the tenant's time zone (luxon).
import { DateTime } from 'luxon';
import type { Tenant, WeekHoursConfig } from '../tenant/schema.js';

const DAY_KEYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

export function localNow(tenant: Tenant, at: Date): DateTime {
  return DateTime.fromJSDate(at, { zone: tenant.timeZone });
}

export function isHoliday(tenant: Tenant, day: DateTime): boolean {
  return tenant.holidays.includes(day.toISODate() ?? '');
}

/** The opening intervals of one local day as DateTimes (empty on holidays). */
export function intervalsOn(tenant: Tenant, day: DateTime, hours: WeekHoursConfig = tenant.hours): { start: DateTime; end: DateTime }[] {
  if (isHoliday(tenant, day)) return [];
  const key = DAY_KEYS[day.weekday - 1] ?? 'monday';
  return hours[key].map((i) => ({ start: atTime(day, i.open), end: atTime(day, i.close) }));
}

function atTime(day: DateTime, hhmm: string): DateTime {
  const [h, m] = hhmm.split(':').map(Number);
  return day.set({ hour: h ?? 0, minute: m ?? 0, second: 0, millisecond: 0 });
}

export function isOpen(tenant: Tenant, at: Date): boolean {
  const now = localNow(tenant, at);
  return intervalsOn(tenant, now).some((i) => now >= i.start && now < i.end);
}

/** Hours as a sentence per language, e.g. "Monday to Friday 8:00 to 17:00; Saturday 9:00 to 12:00". */
export function describeHours(tenant: Tenant, lang: 'en' | 'fr'): string {
  const names = lang === 'fr'
    ? ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche']
    : ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
  const fmt = (s: string): string => (lang === 'fr' ? s.replace(/^0/, '').replace(':', ' h ').replace(' h 00', ' h') : s);
  const groups: { from: number; to: number; text: string }[] = [];
  DAY_KEYS.forEach((k, i) => {
    const text = tenant.hours[k].map((iv) => (lang === 'fr' ? `de ${fmt(iv.open)} à ${fmt(iv.close)}` : `${iv.open} to ${iv.close}`)).join(', ');
    if (!text) return;
    const last = groups[groups.length - 1];
    if (last && last.text === text && last.to === i - 1) last.to = i;
    else groups.push({ from: i, to: i, text });
  });
  return groups
    .map((g) => {
      const days = g.from === g.to ? names[g.from] : lang === 'fr' ? `du ${names[g.from]} au ${names[g.to]}` : `${names[g.from]} to ${names[g.to]}`;
      return `${days} ${g.text}`;
    })
    .join('; ');
}
