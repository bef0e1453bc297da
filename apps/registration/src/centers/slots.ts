import { DateTime, FixedOffsetZone } from 'luxon';

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

/** How long a session lasts in real time (less or more than its wall-clock hours on a change day). */
export function sessionMinutes(s: { date: string; startTime: string; endTime: string; timeZone: string }): number {
  const at = (time: string) => DateTime.fromISO(`${s.date}T${time}`, { zone: s.timeZone });
  return at(s.endTime).diff(at(s.startTime), 'minutes').minutes;
}

export interface WallClockProblem {
  path: 'body.startTime' | 'body.endTime';
  message: string;
}

const MINUTE = 60_000;

/**
 * A session's start and end as the center's clock shows them must each name one instant:
 * a time the clocks skip (spring forward) or pass twice (fall back) is refused rather
 * than guessed, since luxon would silently move the first and pick one of the second.
 * A session that only spans a change is fine: its slots follow real time.
 */
export function wallClockProblems(s: { date: string; startTime: string; endTime: string; timeZone: string }): WallClockProblem[] {
  const problems: WallClockProblem[] = [];
  for (const [path, time] of [
    ['body.startTime', s.startTime],
    ['body.endTime', s.endTime],
  ] as const) {
    const at = DateTime.fromISO(`${s.date}T${time}`, { zone: s.timeZone });
    if (!at.isValid) continue;
    const skipped = at.toFormat('HH:mm') !== time;
    const twice = !skipped && at.getPossibleOffsets().length > 1;
    if (!skipped && !twice) continue;
    const change = clockChangeNear(at.toMillis(), s.timeZone);
    const where = `on ${s.date} in ${s.timeZone}`;
    if (skipped) problems.push({ path, message: `does not exist ${where}: the clocks go forward from ${change.from} to ${change.to}` });
    else
      problems.push({
        path,
        message: `happens twice ${where}: the clocks go back from ${change.from} to ${change.to}; choose a time outside ${change.to}–${change.from}`,
      });
  }
  return problems;
}

/** The clock change within six hours of an instant, as the wall-clock times before and after it. */
function clockChangeNear(ms: number, timeZone: string): { from: string; to: string } {
  const offsetAt = (m: number) => DateTime.fromMillis(m * MINUTE, { zone: timeZone }).offset;
  let lo = Math.floor(ms / MINUTE) - 360;
  let hi = lo + 720;
  const before = offsetAt(lo);
  // Clocks change on whole minutes: find the first minute with the new offset.
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(mid) === before) lo = mid;
    else hi = mid;
  }
  return {
    from: DateTime.fromMillis(hi * MINUTE, { zone: FixedOffsetZone.instance(before) }).toFormat('HH:mm'),
    to: DateTime.fromMillis(hi * MINUTE, { zone: timeZone }).toFormat('HH:mm'),
  };
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
