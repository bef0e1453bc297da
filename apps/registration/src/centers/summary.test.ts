import type { AvailabilityView, SlotAvailability } from '@jab/contracts';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { summarize } from './centers.service.js';

// A center-day in brief, as the center search shows it (`GET /availability/summary`); the
// route itself is exercised end to end in tools/resilience/src/center-availability.test.ts.
const DAY = '2031-03-04';
const VACCINE_A = randomUUID();
const VACCINE_B = randomUUID();

const slot = (startsAt: string, remaining: SlotAvailability['remaining'], vaccineId = VACCINE_A): SlotAvailability => ({
  id: randomUUID(),
  vaccineId,
  startsAt,
  endsAt: new Date(Date.parse(startsAt) + 30 * 60_000).toISOString(),
  remaining,
});

const viewOf = (centerId: string, date = DAY): AvailabilityView => ({
  centerId,
  date,
  timeZone: 'UTC',
  version: 1,
  slots: [
    slot(`${date}T09:00:00.000Z`, { dose1: 0, laterDoses: 0, walkIn: 9 }),
    slot(`${date}T09:30:00.000Z`, { dose1: 3, laterDoses: 2, walkIn: 9 }),
    slot(`${date}T10:00:00.000Z`, { dose1: 4, laterDoses: 0, walkIn: 0 }),
  ],
});

describe('summarize', () => {
  it('counts the bookable seats of slots not yet started, walk-ins left out, and names the earliest', () => {
    const centerId = randomUUID();
    const view = viewOf(centerId);
    view.slots.unshift(
      slot(`${DAY}T08:00:00.000Z`, { dose1: 50, laterDoses: 50, walkIn: 0 }),
    );
    expect(summarize(view, new Date(`${DAY}T08:30:00.000Z`))).toEqual({
      date: DAY,
      freeSeats: 9,
      firstFreeAt: `${DAY}T09:30:00.000Z`,
    });
  });

  it('narrows to the vaccine searched for, and says null when no seat is left', () => {
    const view = viewOf(randomUUID());
    view.slots.push(
      slot(
        `${DAY}T08:45:00.000Z`,
        { dose1: 7, laterDoses: 1, walkIn: 0 },
        VACCINE_B,
      ),
    );
    const early = new Date(`${DAY}T06:00:00.000Z`);
    expect(summarize(view, early, VACCINE_B)).toEqual({
      date: DAY,
      freeSeats: 8,
      firstFreeAt: `${DAY}T08:45:00.000Z`,
    });
    expect(summarize(view, early)).toEqual({
      date: DAY,
      freeSeats: 17,
      firstFreeAt: `${DAY}T08:45:00.000Z`,
    });
    expect(summarize(view, new Date(`${DAY}T23:00:00.000Z`))).toEqual({
      date: DAY,
      freeSeats: 0,
      firstFreeAt: null,
    });
  });
});
