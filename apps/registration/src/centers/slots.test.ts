import { describe, expect, it } from 'vitest';
import { generateSlots, wallClockProblems } from './slots.js';

// Europe/Paris springs forward on 2030-03-31 (02:00 → 03:00) and falls back on 2030-10-27 (03:00 → 02:00).
const PARIS = 'Europe/Paris';

describe('slot generation', () => {
  it('follows real time across a daylight-saving change, without overlap or gap', () => {
    // 01:00–04:00 local lasts two hours on the spring-forward day.
    const slots = generateSlots({ date: '2030-03-31', startTime: '01:00', endTime: '04:00', slotMinutes: 60, timeZone: PARIS });
    expect(slots.map((s) => s.startsAt.toISOString())).toEqual(['2030-03-31T00:00:00.000Z', '2030-03-31T01:00:00.000Z']);
    expect(slots[1].endsAt.toISOString()).toBe('2030-03-31T02:00:00.000Z');
  });

  it('gives the repeated hour of the fall-back day its own slots: 01:00–04:00 local is four real hours', () => {
    const slots = generateSlots({ date: '2030-10-27', startTime: '01:00', endTime: '04:00', slotMinutes: 60, timeZone: PARIS });
    expect(slots.map((s) => s.startsAt.toISOString())).toEqual([
      '2030-10-26T23:00:00.000Z', // 01:00 summer time
      '2030-10-27T00:00:00.000Z', // 02:00 summer time
      '2030-10-27T01:00:00.000Z', // 02:00 winter time, the hour again
      '2030-10-27T02:00:00.000Z', // 03:00 winter time
    ]);
    expect(slots.at(-1)?.endsAt.toISOString()).toBe('2030-10-27T03:00:00.000Z');
  });

  it('drops a last slot that would run past the end of the session', () => {
    const slots = generateSlots({ date: '2030-01-10', startTime: '09:00', endTime: '10:45', slotMinutes: 30, timeZone: 'Asia/Kolkata' });
    expect(slots).toHaveLength(3);
    expect(slots[0].startsAt.toISOString()).toBe('2030-01-10T03:30:00.000Z');
  });
});

describe('session times on the center’s clock', () => {
  it('names a start and an end that the clocks skip on the spring-forward day', () => {
    expect(wallClockProblems({ date: '2030-03-31', startTime: '02:00', endTime: '03:00', timeZone: PARIS })).toEqual([
      { path: 'body.startTime', message: 'does not exist on 2030-03-31 in Europe/Paris: the clocks go forward from 02:00 to 03:00' },
    ]);
    expect(wallClockProblems({ date: '2030-03-31', startTime: '02:15', endTime: '02:45', timeZone: PARIS }).map((p) => p.path)).toEqual([
      'body.startTime',
      'body.endTime',
    ]);
    expect(wallClockProblems({ date: '2030-03-31', startTime: '01:00', endTime: '02:30', timeZone: PARIS })).toEqual([
      { path: 'body.endTime', message: 'does not exist on 2030-03-31 in Europe/Paris: the clocks go forward from 02:00 to 03:00' },
    ]);
  });

  it('names a start or an end that happens twice on the fall-back day', () => {
    expect(wallClockProblems({ date: '2030-10-27', startTime: '02:30', endTime: '05:00', timeZone: PARIS })).toEqual([
      {
        path: 'body.startTime',
        message: 'happens twice on 2030-10-27 in Europe/Paris: the clocks go back from 03:00 to 02:00; choose a time outside 02:00–03:00',
      },
    ]);
    expect(wallClockProblems({ date: '2030-10-27', startTime: '01:00', endTime: '02:00', timeZone: PARIS }).map((p) => p.path)).toEqual([
      'body.endTime',
    ]);
  });

  it('accepts times that exist once, on change days and on ordinary days', () => {
    for (const [date, startTime, endTime] of [
      ['2030-03-31', '01:00', '04:00'],
      ['2030-03-31', '03:00', '05:00'],
      ['2030-10-27', '01:00', '04:00'],
      ['2030-10-27', '03:00', '09:00'],
      ['2030-06-12', '02:30', '03:30'],
    ] as const) {
      expect(wallClockProblems({ date, startTime, endTime, timeZone: PARIS }), `${date} ${startTime}–${endTime}`).toEqual([]);
    }
    expect(wallClockProblems({ date: '2030-03-31', startTime: '02:30', endTime: '03:30', timeZone: 'Asia/Kolkata' })).toEqual([]);
  });
});
