import { DateTime } from 'luxon';

export interface SlotTimes {
  startsAt: Date;
  endsAt: Date;
}

/**
 * Cuts a session into slots of `slotMinutes`, from wall-clock times of the center's
 * zone. Slots follow each other in real time, so a DST change inside the session
 * neither overlaps nor drops one; a slot that would run past the end is not made.
 */
export function generateSlots(s: { date: string; startTime: string; endTime: string; slotMinutes: number; timeZone: string }): SlotTimes[] {
  const start = DateTime.fromISO(`${s.date}T${s.startTime}`, { zone: s.timeZone });
  const end = DateTime.fromISO(`${s.date}T${s.endTime}`, { zone: s.timeZone });
  if (!start.isValid || !end.isValid) throw new Error('invalid session times or zone');
  const slots: SlotTimes[] = [];
  for (let from = start; from.plus({ minutes: s.slotMinutes }) <= end; from = from.plus({ minutes: s.slotMinutes })) {
    slots.push({ startsAt: from.toJSDate(), endsAt: from.plus({ minutes: s.slotMinutes }).toJSDate() });
  }
  return slots;
}

/** Today's date on the center's calendar. */
export function localToday(timeZone: string, now = new Date()): string {
  return DateTime.fromJSDate(now, { zone: timeZone }).toISODate() ?? now.toISOString().slice(0, 10);
}

/** The center's calendar day of an instant. */
export function localDay(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toISODate() ?? at.toISOString().slice(0, 10);
}

/** `days` after a calendar day, YYYY-MM-DD. */
export function addDays(day: string, days: number): string {
  return DateTime.fromISO(day, { zone: 'UTC' }).plus({ days }).toISODate() ?? day;
}
