import { describe, expect, it } from 'vitest';
import { generateSlots } from './slots.js';

describe('slot generation', () => {
  it('follows real time across a daylight-saving change, without overlap or gap', () => {
    // Europe/Paris springs forward at 02:00 on 2030-03-31: 01:00–04:00 local lasts two hours.
    const slots = generateSlots({ date: '2030-03-31', startTime: '01:00', endTime: '04:00', slotMinutes: 60, timeZone: 'Europe/Paris' });
    expect(slots.map((s) => s.startsAt.toISOString())).toEqual(['2030-03-31T00:00:00.000Z', '2030-03-31T01:00:00.000Z']);
    expect(slots[1].endsAt.toISOString()).toBe('2030-03-31T02:00:00.000Z');
  });

  it('drops a last slot that would run past the end of the session', () => {
    const slots = generateSlots({ date: '2030-01-10', startTime: '09:00', endTime: '10:45', slotMinutes: 30, timeZone: 'Asia/Kolkata' });
    expect(slots).toHaveLength(3);
    expect(slots[0].startsAt.toISOString()).toBe('2030-01-10T03:30:00.000Z');
  });
});
