/**
 * The public center search shows each center's free seats on a day, read from the real
 * registration service's cached availability (`GET /centers/:id/availability`), as a
 * citizen choosing a center would see them; a booking is reflected at once because
 * registration forgets the cached day when a seat is taken.
 */
import { QUEUES, type AvailabilityView, type CenterSearchResponse, type RegistrationEvent } from '@jab/contracts';
import { centerSaved } from '@jab/contracts/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatus } from './http.testing.js';
import { Platform, REGION_A } from './platform.testing.js';

let p: Platform;

beforeAll(async () => {
  // Search's worker role too, to index the centers registration saved; the longest
  // availability timeout, so that a loaded machine cannot turn a slow answer into null.
  p = await Platform.start({ report: false, env: { search: { ROLE: 'all', AVAILABILITY_TIMEOUT_MS: '5000' } } });
  // Registration runs without its relay here: hand search its center.saved events as the relay would.
  const { rows } = await p.services.registration.pool.query<{ payload: RegistrationEvent }>(
    `SELECT payload FROM registration.outbox WHERE type = 'center.saved' ORDER BY seq`,
  );
  expect(rows.map((r) => r.payload.type === 'center.saved' && r.payload.data.centerId).sort()).toEqual(
    [p.world.centerA, p.world.centerB].sort(),
  );
  for (const { payload } of rows) await p.services.search.enqueue(QUEUES.searchFromRegistration, payload);
  await p.services.search.drained(QUEUES.searchFromRegistration);
}, 180_000);

afterAll(() => p?.stop(), 60_000);

async function searchCenters(query: string): Promise<CenterSearchResponse> {
  const res = expectStatus(await p.api('search', 'GET', `/centers?${query}`), 200, 'a center search');
  return JSON.parse(res.text) as CenterSearchResponse;
}

async function availabilityOfA(day: string) {
  const body = await searchCenters(`region=${REGION_A}&date=${day}`);
  const hit = body.items.find((c) => c.id === p.world.centerA);
  if (!hit) throw new Error(`center A is not among ${JSON.stringify(body.items.map((c) => c.id))}`);
  return hit.availability;
}

/** Seats registration itself says are left for booking that day (first and later doses). */
async function registrationSeats(day: string): Promise<number> {
  const res = expectStatus(await p.api('registration', 'GET', `/centers/${p.world.centerA}/availability?date=${day}`), 200, 'availability');
  const view = JSON.parse(res.text) as AvailabilityView;
  return view.slots.reduce((sum, s) => sum + s.remaining.dose1 + s.remaining.laterDoses, 0);
}

describe('center search with availability', () => {
  it("shows a center's free seats on the day of its sessions, as registration counts them", async () => {
    const { day } = p.world;
    const seats = await registrationSeats(day);
    // Two sessions of one 30-minute slot with 5,000 first-dose seats; the victim holds one.
    expect(seats).toBe(9_999);
    expect(await availabilityOfA(day)).toEqual({
      date: day,
      freeSeats: seats,
      firstFreeAt: new Date(`${day}T09:00:00Z`).toISOString(),
    });
  });

  it('shows one seat fewer right after a booking (registration forgets its cached day)', async () => {
    const { day } = p.world;
    // Read twice first: the second read is served from registration's cache.
    const before = (await availabilityOfA(day))?.freeSeats;
    expect((await availabilityOfA(day))?.freeSeats).toBe(before);
    await p.appointment();
    expect(before).toBeTypeOf('number');
    expect((await availabilityOfA(day))?.freeSeats).toBe((before as number) - 1);
  });

  it('counts a day without sessions as no seats, and a center registration does not know as unknown (null)', async () => {
    const emptyDay = new Date(Date.parse(`${p.world.day}T00:00:00Z`) + 7 * 24 * 3600_000).toISOString().slice(0, 10);
    expect(await availabilityOfA(emptyDay)).toEqual({ date: emptyDay, freeSeats: 0, firstFreeAt: null });

    const unknown = randomUUID();
    const saved = centerSaved({ centerId: unknown });
    await p.services.search.enqueue(QUEUES.searchFromRegistration, saved);
    await p.services.search.drained(QUEUES.searchFromRegistration);
    const body = await searchCenters(`q=marshwort&date=${p.world.day}`);
    expect(body.items).toEqual([expect.objectContaining({ id: unknown, availability: null })]);
  });

  it('lets shared caches keep a page a minute, one with seats 2 s, and never one where seats were unknown', async () => {
    const cacheControl = async (query: string) => (await p.api('search', 'GET', `/centers?${query}`)).headers.get('cache-control');
    expect(await cacheControl(`region=${REGION_A}`)).toBe('public, max-age=0, s-maxage=60, stale-while-revalidate=60');
    expect(await cacheControl(`region=${REGION_A}&date=${p.world.day}`)).toBe('public, max-age=0, s-maxage=2, stale-while-revalidate=5');
    // The center registration does not know (saved above) shows as unknown: that page is not to be kept.
    expect(await cacheControl(`q=marshwort&date=${p.world.day}`)).toBe('no-store');
  });

  it('leaves availability out when no date is asked for', async () => {
    const body = await searchCenters(`region=${REGION_A}`);
    expect(body.items.map((c) => c.id)).toContain(p.world.centerA);
    for (const item of body.items) expect(item).not.toHaveProperty('availability');
  });
});
