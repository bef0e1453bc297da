import type { Principal } from '@jab/auth';
import type {
  AvailabilityBatch,
  AvailabilitySummaryBatch,
  AvailabilityView,
  CenterAvailability,
  CenterView,
  CreateCenterRequest,
  CreateSessionRequest,
  SessionView,
} from '@jab/contracts';
import { appendEvent, withTransaction } from '@jab/db';
import { BadRequest, Conflict, Forbidden, NotFound } from '@jab/http';
import type { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { assertVaccinesExist } from '../catalogue/catalogue.service.js';
import { AVAILABILITY_TTL_SECONDS, CENTERS_TTL_SECONDS, availabilityKey, centersKey, type BookingCaches } from './availability.cache.js';
import { assertManagesCenter } from './center-access.js';
import { centerSaved, sessionScheduled } from './centers.events.js';
import { findCenter, insertCenter, insertSession, insertSlots, listCenters, slotsOfDay, type NewSession } from './centers.repo.js';
import { generateSlots, localToday, sessionMinutes, wallClockProblems } from './slots.js';

export interface CentersDeps {
  pool: Pool;
  /** For a center by id, which may be a second behind (decision 0006). */
  readPool: Pool;
  caches: BookingCaches;
}

/** National admins create centers anywhere; a region-scoped center admin only in their region. */
export async function createCenter({ pool, caches }: CentersDeps, p: Principal, input: CreateCenterRequest): Promise<CenterView> {
  const allowed = p.role === 'national-admin' || (p.role === 'center-admin' && !p.centerId && p.region === input.region);
  if (!allowed) throw new Forbidden('You may not create a center in this region.');
  await assertVaccinesExist(pool, input.vaccineIds);
  const center: CenterView = {
    id: uuidv7(),
    names: Object.fromEntries(Object.entries(input.names).filter(([, v]) => v !== undefined)) as Record<string, string>,
    address: input.address,
    region: input.region,
    latitude: input.latitude,
    longitude: input.longitude,
    languages: [...new Set(input.languages)],
    vaccineIds: [...new Set(input.vaccineIds)].sort(),
    timeZone: input.timeZone,
    openingHours: input.openingHours,
  };
  await withTransaction(pool, async (db) => {
    await insertCenter(db, center);
    await appendEvent(db, 'registration', await centerSaved(db, center, 1));
  });
  await caches.invalidateCenters(center.region);
  return center;
}

/**
 * Fills from the writer, like availability: the cache is invalidated after a commit, and a
 * fill from a lagging reader would cache the state that invalidation removed for a whole TTL.
 */
export async function findCenters(
  { pool, caches }: CentersDeps,
  filter: { region?: string; vaccine?: string; language?: string },
): Promise<CenterView[]> {
  // One cached list per region; the finer filters are cheap on it.
  const centers = await caches.centers.getOrLoad(centersKey(filter.region), CENTERS_TTL_SECONDS, () => listCenters(pool, filter.region));
  return centers.filter(
    (c) =>
      (!filter.vaccine || c.vaccineIds.includes(filter.vaccine)) &&
      (!filter.language || c.languages.includes(filter.language as CenterView['languages'][number])),
  );
}

export async function getCenter(pool: Pool, id: string): Promise<CenterView> {
  const center = await findCenter(pool, id);
  if (!center) throw new NotFound('No such center.');
  return center;
}

/** One center-day as the cache holds it: null for a center that does not exist. */
async function loadDay(pool: Pool, centerId: string, date: string): Promise<AvailabilityView | null> {
  const center = await findCenter(pool, centerId);
  if (!center) return null;
  const { version, slots } = await slotsOfDay(pool, centerId, date);
  return { centerId, date, timeZone: center.timeZone, version, slots };
}

/** Slots of one center-day with the seats left, read through the cache (filled from the writer, see findCenters). */
export async function availability({ pool, caches }: CentersDeps, centerId: string, date: string): Promise<AvailabilityView> {
  const view = await caches.availability.getOrLoad(availabilityKey({ centerId, date }), AVAILABILITY_TTL_SECONDS, () =>
    loadDay(pool, centerId, date),
  );
  if (!view) throw new NotFound('No such center.');
  return view;
}

/** Several centers on one day (a search page): one Redis round trip, the database only for the misses. */
export async function availabilities({ pool, caches }: CentersDeps, centerIds: string[], date: string): Promise<AvailabilityBatch> {
  const views = await caches.availability.getManyOrLoad(
    centerIds.map((centerId) => availabilityKey({ centerId, date })),
    AVAILABILITY_TTL_SECONDS,
    (key) => loadDay(pool, key.slice(0, key.indexOf(':')), date),
  );
  return { date, items: centerIds.map((centerId, i) => ({ centerId, availability: views[i] ?? null })) };
}

/**
 * The citizen's view of one center-day in brief: seats left for booking (first and later
 * doses; walk-in quotas are kept for the desk) in slots that have not started, and the
 * start of the earliest such slot. `vaccineId` narrows it to one vaccine.
 */
export function summarize(view: AvailabilityView, now: Date, vaccineId?: string): CenterAvailability {
  // Instants are all `YYYY-MM-DDTHH:MM:SS.sssZ` (UTC, fixed width): they order as strings, without parsing 16 dates a center.
  const cutoff = now.toISOString();
  let freeSeats = 0;
  let first: string | null = null;
  for (const slot of view.slots) {
    if (vaccineId && slot.vaccineId !== vaccineId) continue;
    if (slot.startsAt <= cutoff) continue;
    const free = Math.max(0, slot.remaining.dose1) + Math.max(0, slot.remaining.laterDoses);
    if (free === 0) continue;
    freeSeats += free;
    if (first === null || slot.startsAt < first) first = slot.startsAt;
  }
  return { date: view.date, freeSeats, firstFreeAt: first };
}

/**
 * A search page's centers in brief, from the same cached days (one Redis MGET): what the
 * page shows, so it neither carries every slot of every center nor parses them twice.
 */
export async function availabilitySummaries(
  deps: CentersDeps,
  centerIds: string[],
  date: string,
  vaccineId?: string,
  now = new Date(),
): Promise<AvailabilitySummaryBatch> {
  const batch = await availabilities(deps, centerIds, date);
  return { date, items: batch.items.map(({ centerId, availability }) => ({ centerId, availability: availability && summarize(availability, now, vaccineId) })) };
}

/**
 * A center admin opens a session: its slots are cut in the center's time zone and
 * stored with UTC instants, in one transaction with the session.
 */
export async function createSession(
  { pool, caches }: CentersDeps,
  p: Principal,
  centerId: string,
  input: CreateSessionRequest,
  now = new Date(),
): Promise<SessionView> {
  const center = await getCenter(pool, centerId);
  assertManagesCenter(p, center);
  const errors = [];
  if (!center.vaccineIds.includes(input.vaccineId)) errors.push({ path: 'body.vaccineId', message: 'is not offered by this center' });
  if (input.date < localToday(center.timeZone, now)) errors.push({ path: 'body.date', message: 'must not be in the past' });
  errors.push(...wallClockProblems({ ...input, timeZone: center.timeZone }));
  if (errors.length > 0) throw new BadRequest('The session cannot be created.', { errors });

  const times = generateSlots({ ...input, timeZone: center.timeZone });
  // The request checked that a slot fits the wall-clock hours; a clock change inside them can still leave none.
  if (times.length === 0) {
    const minutes = sessionMinutes({ ...input, timeZone: center.timeZone });
    throw new BadRequest('The session cannot be created.', {
      errors: [{ path: 'body.slotMinutes', message: `must fit at least once in the session, which lasts ${minutes} minutes on ${input.date} in ${center.timeZone}` }],
    });
  }
  const session: NewSession = { id: uuidv7(), centerId, ...input, createdBy: p.sub };
  await withTransaction(pool, async (db) => {
    if (!(await insertSession(db, session)))
      throw new Conflict('This center already has a session for this vaccine starting then.', {
        errors: [{ path: 'body.startTime', message: 'a session already starts at this time' }],
      });
    await insertSlots(db, session, times.map(() => uuidv7()), times);
    await appendEvent(db, 'registration', sessionScheduled(center.region, session, times.length));
  });
  await caches.invalidateAvailability({ centerId, date: input.date });
  return { id: session.id, centerId, ...input, slotCount: times.length };
}
