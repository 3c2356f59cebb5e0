// Free appointment slots: technician hours within opening hours, minus booked appointments, lead time and horizon respected.
import { DateTime } from 'luxon';
import type { Tenant } from '../tenant/schema.js';
import type { PreferredTime, Trade } from '../types.js';
import { intervalsOn, localNow } from './hours.js';

export interface Slot {
  start: string;
  end: string;
  technician: string;
}

export interface BookedAppointment {
  start: string;
  end: string;
  technician: string;
}

export interface SlotQuery {
  tenant: Tenant;
  trade: Trade;
  now: Date;
  booked: BookedAppointment[];
  preferred?: PreferredTime | null;
  exclude?: Slot[];
  limit?: number;
}

const PART_RANGE: Record<'morning' | 'afternoon' | 'evening', [number, number]> = { morning: [0, 12], afternoon: [12, 17], evening: [17, 24] };

function sameSlot(a: Slot, b: Slot): boolean {
  return a.start === b.start && a.technician === b.technician;
}

function matchesPreference(start: DateTime, p: PreferredTime | null | undefined): boolean {
  if (!p || p.asap) return true;
  if (p.date && start.toISODate() !== p.date) return false;
  if (p.part) {
    const [from, to] = PART_RANGE[p.part];
    if (start.hour < from || start.hour >= to) return false;
  }
  if (p.hour !== undefined && start.hour !== p.hour) return false;
  return true;
}

/** Every free slot in time order; those matching the preference first when any do. */
export function findSlots(q: SlotQuery): Slot[] {
  const { tenant } = q;
  const type = tenant.booking.appointmentTypes.find((a) => a.trade === q.trade);
  if (!type) return [];
  const now = localNow(tenant, q.now);
  const earliest = now.plus({ minutes: tenant.booking.leadTimeMinutes });
  const horizon = now.startOf('day').plus({ days: tenant.booking.horizonDays + 1 });
  const techs = tenant.booking.technicians.filter((t) => t.trades.includes(q.trade));
  const all: Slot[] = [];
  for (let day = now.startOf('day'); day < horizon; day = day.plus({ days: 1 })) {
    const open = intervalsOn(tenant, day);
    for (const tech of techs) {
      const techIntervals = tech.hours ? intervalsOn(tenant, day, tech.hours) : open;
      for (const ti of techIntervals) {
        for (const oi of open) {
          const from = ti.start > oi.start ? ti.start : oi.start;
          const to = ti.end < oi.end ? ti.end : oi.end;
          for (let s = from; s.plus({ minutes: type.durationMinutes }) <= to; s = s.plus({ minutes: tenant.booking.slotStepMinutes })) {
            if (s < earliest) continue;
            const e = s.plus({ minutes: type.durationMinutes });
            const clash = q.booked.some((b) => b.technician === tech.name && DateTime.fromISO(b.start) < e && DateTime.fromISO(b.end) > s);
            if (clash) continue;
            all.push({ start: s.toISO({ suppressMilliseconds: true }) ?? '', end: e.toISO({ suppressMilliseconds: true }) ?? '', technician: tech.name });
          }
        }
      }
    }
  }
  // A declined time is declined whoever the technician: never offer the same start again.
  const free = all.filter((s) => !(q.exclude ?? []).some((x) => x.start === s.start));
  free.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.technician.localeCompare(b.technician)));
  // Closest to the preference first: exact match, then the same day and part, the same day, on or after that day.
  const p = q.preferred;
  const local = (s: Slot): DateTime => DateTime.fromISO(s.start, { zone: tenant.timeZone });
  const tiers: ((s: Slot) => boolean)[] = [
    (s) => matchesPreference(local(s), p),
    (s) => matchesPreference(local(s), p ? { ...p, hour: undefined } : p),
    (s) => matchesPreference(local(s), p ? { text: p.text, date: p.date } : p),
    (s) => !p?.date || (local(s).toISODate() ?? '') >= p.date,
    () => true,
  ];
  const ordered: Slot[] = [];
  for (const tier of tiers) for (const s of free) if (!ordered.includes(s) && tier(s)) ordered.push(s);
  return ordered.slice(0, q.limit ?? 5);
}

/** True when a slot is still bookable: within hours, after lead time, before the horizon, and free. */
export function isSlotBookable(q: Omit<SlotQuery, 'preferred' | 'exclude' | 'limit'>, slot: Slot): boolean {
  return findSlots({ ...q, limit: 10_000 }).some((s) => sameSlot(s, slot) && s.end === slot.end);
}
