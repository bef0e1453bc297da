import type { Principal } from '@jab/auth';
import {
  ageBand,
  APPOINTMENT_CODE_ALPHABET,
  type AppointmentBookedEvent,
  type AppointmentCancelledEvent,
  type AppointmentCheckedInEvent,
  type AppointmentPlace,
  type AppointmentRescheduledEvent,
  type AppointmentView,
  type BookAppointmentRequest,
  type CenterAppointmentList,
  type CenterAppointmentsQuery,
  isoInstant,
} from '@jab/contracts';
import { appendEvent, createBatcher, withTransaction } from '@jab/db';
import { BadRequest, Conflict, Forbidden, NotFound, Unprocessable, type FieldError } from '@jab/http';
import { createHash, randomInt } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { activeCampaignBands } from '../catalogue/catalogue.repo.js';
import type { BookingCaches } from '../centers/availability.cache.js';
import type { Pools } from '../pools.js';
import { accessRowOf, recordAccess, recordAccesses } from '../audit/audit.js';
import { assertWorksAtCenter, reasonToActOn } from '../centers/center-access.js';
import { findCenter } from '../centers/centers.repo.js';
import {
  findAppointment,
  findAppointmentByCode,
  findBookingFacts,
  findIdempotentResponse,
  findRegistrant,
  findSeriesDose,
  findSlotPlace,
  listAppointmentsOfAccount,
  listCenterDay,
  bumpCenterDays,
  lockSlots,
  markCancelled,
  markCheckedIn,
  moveToSlot,
  releaseSeat,
  takeSeat,
  writeBookings,
  type BookingResult,
  type AppointmentRow,
  type BookingFacts,
  type BookingWrite,
  type RegistrantFacts,
  type Seat,
  type SlotPlace,
  type StoredResponse,
} from './booking.repo.js';
import { eligibilityErrors } from './eligibility.js';

export const SCHEMA = 'registration';
/** Why staff touch a person's record in these flows: the flow itself. */
export const CENTER_WORK_REASON = 'vaccination service at the center';
const audit = (db: Pick<Pool, 'query'>, actor: Principal, registrantId: string, action: string, reason = CENTER_WORK_REASON) =>
  recordAccess(db, { actor, registrantId, action, reason });

export interface BookingDeps extends Pools {
  caches: BookingCaches;
  booker: Booker;
}

export interface Booked {
  appointment: AppointmentView;
  /** True when an earlier request with the same Idempotency-Key is replayed. */
  replayed: boolean;
  /** The version of the slot's center-day this booking made; null for a replay. */
  availabilityVersion: number | null;
}

export function appointmentCode(): string {
  let code = '';
  for (let i = 0; i < 8; i++) code += APPOINTMENT_CODE_ALPHABET[randomInt(APPOINTMENT_CODE_ALPHABET.length)];
  return code;
}

export function toView(row: AppointmentRow): AppointmentView {
  return {
    id: row.id,
    code: row.code,
    registrantId: row.registrantId,
    centerId: row.centerId,
    vaccineId: row.vaccineId,
    slotId: row.slotId,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    doseNumber: row.doseNumber,
    walkIn: row.walkIn,
    status: row.status,
    bookedAt: row.bookedAt,
  };
}

const placeOf = (s: SlotPlace): AppointmentPlace => ({
  centerId: s.centerId,
  centerName: s.centerName,
  centerAddress: s.centerAddress,
  centerTimeZone: s.centerTimeZone,
  region: s.region,
  slotId: s.slotId,
  startsAt: s.startsAt,
  endsAt: s.endsAt,
});

const recipientOf = (r: RegistrantFacts) => ({
  accountId: r.accountId,
  preferredLanguage: r.preferredLanguage,
  contact: r.contact,
});

async function slotOrNotFound(db: PoolClient, slotId: string): Promise<SlotPlace> {
  const slot = await findSlotPlace(db, slotId);
  if (!slot) throw new NotFound('No such slot.', { errors: [{ path: 'body.slotId', message: 'is not a known slot' }] });
  return slot;
}

function throwIfIneligible(errors: FieldError[]): void {
  if (errors.length > 0) throw new Unprocessable('This person cannot take this slot for this dose.', { errors });
}

async function assertEligible(db: PoolClient, registrant: RegistrantFacts, slot: SlotPlace, doseNumber: number, now: Date) {
  const [campaignBands, given, previousDose] = [
    await activeCampaignBands(db, slot.vaccineId, slot.region, slot.localDate),
    await findSeriesDose(db, registrant.id, slot.vaccineId, doseNumber),
    doseNumber > 1 ? await findSeriesDose(db, registrant.id, slot.vaccineId, doseNumber - 1) : null,
  ];
  throwIfIneligible(eligibilityErrors({ registrant, slot, doseNumber, campaignBands, alreadyGiven: given !== null, previousDose, now }));
}

const seatFor = (doseNumber: number, walkIn: boolean): Seat => (walkIn ? 'walk-in' : doseNumber === 1 ? 'dose1' : 'later');

/** Canonical hash of what a booking asks for: the same key with another body is refused. */
export function requestHash(input: BookAppointmentRequest): string {
  return createHash('sha256').update(JSON.stringify([input.registrantId, input.slotId, input.doseNumber])).digest('hex');
}

/** One booking as the group commit carries it. */
export interface BookingAttempt {
  actor: Principal;
  input: BookAppointmentRequest;
  /** A walk-in registered by staff (with the reason they stated, if any), or a booking. */
  walkIn: false | { statedReason?: string };
  idempotencyKey?: string;
  now: Date;
}

type Attempted =
  | { kind: 'booked'; appointment: AppointmentView; place: SlotPlace; version: number }
  | { kind: 'replayed'; appointment: AppointmentView }
  /** Nothing was written (a drawn code in use, or a deadlock chose it): try again. */
  | { kind: 'again' };

export interface Booker {
  /** `version`: the slot's center-day version the booking made (null for a replay). */
  book(attempt: BookingAttempt): Promise<{ appointment: AppointmentView; replayed: boolean; place: SlotPlace | null; version: number | null }>;
}

const fullSlot = (walkIn: boolean) =>
  new Conflict(walkIn ? 'The walk-in quota of this slot is used up.' : 'This slot is full.', {
    errors: [{ path: 'body.slotId', message: 'has no seat left for this dose' }],
  });
const duplicateBooking = () =>
  new Conflict('This person already has an active booking for this dose.', {
    errors: [{ path: 'body.doseNumber', message: 'is already booked for this person' }],
  });

function replayOf(stored: StoredResponse, hash: string): Attempted {
  if (stored.requestHash !== hash)
    throw new Unprocessable('This Idempotency-Key was used for a different request.', {
      errors: [{ path: 'header.idempotency-key', message: 'was already used with another body' }],
    });
  return { kind: 'replayed', appointment: stored.response as AppointmentView };
}

/**
 * The rules of booking, on the facts read for it: the caller's Idempotency-Key, the
 * person (a citizen only their household's), the slot, a walk-in's center and reason,
 * eligibility. What passes becomes the writes `registration.book_appointments` makes,
 * all or nothing: one seat by the conditional UPDATE, the appointment (the partial
 * unique index refuses a second active booking for the dose), `appointment.booked`
 * (and a walk-in's `appointment.checked_in`), the staff audit row, the stored response.
 */
function decide(a: BookingAttempt, facts: BookingFacts): { replay: Attempted } | { write: BookingWrite; appointment: AppointmentView; place: SlotPlace } {
  const { actor, input, now } = a;
  const hash = requestHash(input);
  if (a.idempotencyKey && facts.stored) return { replay: replayOf(facts.stored, hash) };
  const registrant = facts.registrant;
  if (!registrant || (actor.role === 'citizen' && registrant.accountId !== actor.sub))
    throw new NotFound('No such person in your household.', { errors: [{ path: 'body.registrantId', message: 'is not a person you manage' }] });
  const slot = facts.slot;
  if (!slot) throw new NotFound('No such slot.', { errors: [{ path: 'body.slotId', message: 'is not a known slot' }] });
  const walkIn = a.walkIn !== false;
  let access: BookingWrite['access'] = null;
  if (a.walkIn) {
    assertWorksAtCenter(actor, { id: slot.centerId, region: slot.region });
    const reason = reasonToActOn(actor, registrant.region, a.walkIn.statedReason) ?? CENTER_WORK_REASON;
    access = accessRowOf({ actor, registrantId: registrant.id, action: 'walk-in', reason });
  }
  throwIfIneligible(
    eligibilityErrors({
      registrant,
      slot,
      doseNumber: input.doseNumber,
      campaignBands: facts.campaignBands,
      alreadyGiven: facts.given !== null,
      previousDose: input.doseNumber > 1 ? facts.previous : null,
      now,
    }),
  );

  const seat = seatFor(input.doseNumber, walkIn);
  const status = walkIn ? ('checked_in' as const) : ('booked' as const);
  const appointment: AppointmentView = {
    id: uuidv7(),
    code: appointmentCode(),
    registrantId: registrant.id,
    centerId: slot.centerId,
    vaccineId: slot.vaccineId,
    slotId: slot.slotId,
    startsAt: slot.startsAt,
    endsAt: slot.endsAt,
    doseNumber: input.doseNumber,
    walkIn,
    status,
    bookedAt: now.toISOString(),
  };
  const booked: AppointmentBookedEvent = {
    id: uuidv7(),
    type: 'appointment.booked',
    v: 1,
    occurredAt: now.toISOString(),
    source: 'registration',
    data: {
      appointmentId: appointment.id,
      registrantId: registrant.id,
      ...recipientOf(registrant),
      ...placeOf(slot),
      appointmentCode: appointment.code,
      doseNumber: input.doseNumber,
      vaccineId: slot.vaccineId,
      vaccineName: slot.vaccineName,
      ageBand: ageBand(registrant.birthDate, now),
      sex: registrant.sex,
      walkIn,
      bookedAt: now.toISOString(),
    },
  };
  const events = walkIn ? [booked, checkedInEvent({ ...appointment, region: slot.region }, actor.sub, now)] : [booked];
  const write: BookingWrite = {
    slotId: slot.slotId,
    seat,
    appointment: {
      id: appointment.id,
      code: appointment.code,
      registrantId: registrant.id,
      centerId: slot.centerId,
      vaccineId: slot.vaccineId,
      doseNumber: input.doseNumber,
      walkIn,
      status,
      bookedBy: actor.sub,
      at: now,
    },
    events: events.map((e) => ({ id: e.id, type: e.type, payload: e, occurredAt: e.occurredAt })),
    access,
    idempotency: a.idempotencyKey
      ? { principalId: actor.sub, key: a.idempotencyKey, requestHash: hash, statusCode: 201, response: appointment }
      : null,
  };
  return { write, appointment, place: slot };
}

/**
 * One batch of the group commit: one read of every booking's facts, the rules in
 * process, one statement that writes every booking that passed (its own commit), then
 * one invalidation of the center-days that changed and a wake-up for the relay.
 */
async function bookBatch(
  deps: { pool: Pool; caches: BookingCaches; wakeRelay: () => void },
  attempts: BookingAttempt[],
): Promise<PromiseSettledResult<Attempted>[]> {
  const facts = await findBookingFacts(
    deps.pool,
    attempts.map((a) => ({
      registrantId: a.input.registrantId,
      slotId: a.input.slotId,
      doseNumber: a.input.doseNumber,
      principalId: a.actor.sub,
      idempotencyKey: a.idempotencyKey,
    })),
  );
  const results: PromiseSettledResult<Attempted>[] = new Array(attempts.length);
  const pending: { index: number; write: BookingWrite; appointment: AppointmentView; place: SlotPlace }[] = [];
  attempts.forEach((a, index) => {
    try {
      const decided = decide(a, facts[index] as BookingFacts);
      if ('replay' in decided) results[index] = { status: 'fulfilled', value: decided.replay };
      else pending.push({ index, ...decided });
    } catch (reason) {
      results[index] = { status: 'rejected', reason };
    }
  });
  if (pending.length === 0) return results;

  const written = await writeBookings(
    deps.pool,
    pending.map((p) => p.write),
  );
  const changed: { centerId: string; date: string }[] = [];
  for (const [i, p] of pending.entries()) {
    const attempt = attempts[p.index] as BookingAttempt;
    const settle = async (): Promise<Attempted> => {
      const { outcome, version } = written[i] as BookingResult;
      switch (outcome) {
        case 'booked':
          changed.push({ centerId: p.place.centerId, date: p.place.localDate });
          return { kind: 'booked', appointment: p.appointment, place: p.place, version: version as number };
        case 'replay': {
          // The same key committed by a request that ran beside this one: answer what it answered.
          const stored = await findIdempotentResponse(deps.pool, attempt.actor.sub, attempt.idempotencyKey as string);
          return stored ? replayOf(stored, requestHash(attempt.input)) : { kind: 'again' };
        }
        case 'full':
          throw fullSlot(attempt.walkIn !== false);
        case 'duplicate':
          throw duplicateBooking();
        case 'code-taken':
        case 'retry':
          return { kind: 'again' };
        default:
          // `error:<SQLSTATE>[:<constraint>]`: this booking alone failed and wrote nothing; a 500 for its caller only.
          throw new Error(`book_appointments could not write a booking (${String(outcome)})`);
      }
    };
    results[p.index] = await settle().then(
      (value) => ({ status: 'fulfilled' as const, value }),
      (reason: unknown) => ({ status: 'rejected' as const, reason }),
    );
  }
  if (changed.length > 0) {
    deps.wakeRelay();
    await deps.caches.invalidateAvailability(...changed);
  }
  return results;
}

export interface BookerOptions {
  pool: Pool;
  caches: BookingCaches;
  /** Most bookings in one batch; each is a subtransaction, and PostgreSQL tracks 64 per transaction cheaply. */
  maxBatch?: number;
  /** Batches in flight at once, each on one pooled connection. */
  maxInFlight?: number;
  /** Called after a batch committed outbox rows (the pool's coalesced NOTIFY: `outboxSignal`). */
  wakeRelay: () => void;
  onBatch?: (size: number) => void;
}

/**
 * Group commit of bookings and walk-ins (docs/decisions/0007-booking-group-commit.md):
 * bookings that arrive together share one read and one writing statement, each still
 * all or nothing for its caller. A booking the database asked to try again (a drawn
 * code in use, a deadlock between batches) goes round again, a few times at most.
 */
export function createBooker(o: BookerOptions): Booker {
  const batcher = createBatcher<BookingAttempt, Attempted>((attempts) => bookBatch(o, attempts), {
    maxBatch: o.maxBatch ?? 48,
    maxInFlight: o.maxInFlight ?? 4,
    onBatch: o.onBatch,
  });
  return {
    async book(attempt) {
      for (let round = 0; round < 5; round++) {
        const done = await batcher.submit(attempt);
        if (done.kind === 'booked') return { appointment: done.appointment, replayed: false, place: done.place, version: done.version };
        if (done.kind === 'replayed') return { appointment: done.appointment, replayed: true, place: null, version: null };
      }
      throw new Error('a booking was asked to try again five times');
    },
  };
}

/**
 * A citizen books a slot for a person of their household. With an Idempotency-Key,
 * the first successful response is stored with the booking and every retry replays
 * it; a concurrent retry waits on the key's row until the first attempt commits.
 */
export async function bookAppointment(
  { booker }: BookingDeps,
  p: Principal,
  input: BookAppointmentRequest,
  idempotencyKey?: string,
  now = new Date(),
): Promise<Booked> {
  const { appointment, replayed, version } = await booker.book({ actor: p, input, walkIn: false, idempotencyKey, now });
  return { appointment, replayed, availabilityVersion: version };
}

/** Staff register a person who came without a booking, against the slot's walk-in quota; they are checked in at once. */
export async function registerWalkIn({ booker }: BookingDeps, p: Principal, input: BookAppointmentRequest, statedReason?: string, now = new Date()) {
  return (await booker.book({ actor: p, input, walkIn: { statedReason }, now })).appointment;
}

function checkedInEvent(row: Pick<AppointmentRow, 'id' | 'registrantId' | 'centerId' | 'region'>, staffId: string, now: Date): AppointmentCheckedInEvent {
  return {
    id: uuidv7(),
    type: 'appointment.checked_in',
    v: 1,
    occurredAt: now.toISOString(),
    source: 'registration',
    data: {
      appointmentId: row.id,
      registrantId: row.registrantId,
      centerId: row.centerId,
      region: row.region,
      staffId,
      checkedInAt: now.toISOString(),
    },
  };
}

/** Citizens act on their household's appointments; staff on those of their center. Others get 404 / 403. */
function assertMayChange(p: Principal, row: AppointmentRow | null): asserts row is AppointmentRow {
  if (!row || (p.role === 'citizen' && row.accountId !== p.sub)) throw new NotFound('No such appointment.');
  if (p.role !== 'citizen') assertWorksAtCenter(p, { id: row.centerId, region: row.region });
}

export async function getAppointment(pool: Pool, p: Principal, id: string): Promise<AppointmentView> {
  const row = await findAppointment(pool, id);
  assertMayChange(p, row);
  await audit(pool, p, row.registrantId, 'appointment.read');
  return toView(row);
}

export async function listHouseholdAppointments(pool: Pool, p: Principal): Promise<AppointmentView[]> {
  if (p.role !== 'citizen') throw new Forbidden('Only citizens list their household appointments.');
  return (await listAppointmentsOfAccount(pool, p.sub)).map(toView);
}

export async function cancelAppointment({ pool, caches }: BookingDeps, p: Principal, id: string, now = new Date()): Promise<AppointmentView> {
  const { view, slot } = await withTransaction(pool, async (db) => {
    const row = await findAppointment(db, id, true);
    assertMayChange(p, row);
    const cancellable = p.role === 'citizen' ? ['booked'] : ['booked', 'checked_in'];
    if (!cancellable.includes(row.status)) throw new Conflict(`The appointment is ${row.status.replace('_', ' ')}.`);
    await audit(db, p, row.registrantId, 'appointment.cancel');
    const slot = (await findSlotPlace(db, row.slotId)) as SlotPlace;
    await releaseSeat(db, row.slotId, row.seat);
    await markCancelled(db, row.id, p.role === 'citizen' ? 'citizen' : 'staff', now);
    const registrant = (await findRegistrant(db, row.registrantId)) as RegistrantFacts;
    const event: AppointmentCancelledEvent = {
      id: uuidv7(),
      type: 'appointment.cancelled',
      v: 1,
      occurredAt: now.toISOString(),
      source: 'registration',
      data: {
        appointmentId: row.id,
        registrantId: row.registrantId,
        ...recipientOf(registrant),
        ...placeOf(slot),
        doseNumber: row.doseNumber,
        vaccineId: row.vaccineId,
        reason: p.role === 'citizen' ? 'citizen' : 'staff',
        cancelledAt: now.toISOString(),
      },
    };
    await appendEvent(db, SCHEMA, event);
    return { view: { ...toView(row), status: 'cancelled' as const }, slot };
  });
  await caches.invalidateAvailability({ centerId: slot.centerId, date: slot.localDate });
  return view;
}

/**
 * Moves a booking to another slot in one transaction: both slots are locked in id
 * order, the new seat is taken conditionally and only then the old one released, so
 * a full target changes nothing and no seat is ever lost or doubled.
 */
export async function rescheduleAppointment(
  { pool, caches }: BookingDeps,
  p: Principal,
  id: string,
  newSlotId: string,
  now = new Date(),
): Promise<AppointmentView> {
  const { view, from, to } = await withTransaction(pool, async (db) => {
    const row = await findAppointment(db, id, true);
    assertMayChange(p, row);
    if (row.status !== 'booked') throw new Conflict(`The appointment is ${row.status.replace('_', ' ')}.`);
    if (row.slotId === newSlotId)
      throw new Unprocessable('The appointment is already in this slot.', { errors: [{ path: 'body.slotId', message: 'is the current slot' }] });
    const to = await slotOrNotFound(db, newSlotId);
    if (p.role !== 'citizen') assertWorksAtCenter(p, { id: to.centerId, region: to.region });
    const registrant = (await findRegistrant(db, row.registrantId)) as RegistrantFacts;
    await assertEligible(db, registrant, to, row.doseNumber, now);

    await audit(db, p, row.registrantId, 'appointment.reschedule');
    await lockSlots(db, [row.slotId, to.slotId]);
    if (!(await takeSeat(db, to.slotId, row.seat)))
      throw new Conflict('The new slot is full.', { errors: [{ path: 'body.slotId', message: 'has no seat left for this dose' }] });
    await releaseSeat(db, row.slotId, row.seat);
    await moveToSlot(db, row.id, to);
    const from = (await findSlotPlace(db, row.slotId)) as SlotPlace;

    const event: AppointmentRescheduledEvent = {
      id: uuidv7(),
      type: 'appointment.rescheduled',
      v: 1,
      occurredAt: now.toISOString(),
      source: 'registration',
      data: {
        appointmentId: row.id,
        registrantId: row.registrantId,
        ...recipientOf(registrant),
        appointmentCode: row.code,
        doseNumber: row.doseNumber,
        vaccineId: to.vaccineId,
        from: placeOf(from),
        to: placeOf(to),
        rescheduledAt: now.toISOString(),
      },
    };
    await appendEvent(db, SCHEMA, event);
    // Two days' versions, bumped last and in key order (migration 0206): never a deadlock with a batch of bookings.
    await bumpCenterDays(db, [
      { centerId: from.centerId, date: from.localDate },
      { centerId: to.centerId, date: to.localDate },
    ]);
    return { view: toView((await findAppointment(db, row.id)) as AppointmentRow), from, to };
  });
  await caches.invalidateAvailability(
    { centerId: from.centerId, date: from.localDate },
    { centerId: to.centerId, date: to.localDate },
  );
  return view;
}

/** Staff of the appointment's center check the person in by the code they show. */
export async function checkIn(pool: Pool, p: Principal, code: string, now = new Date()): Promise<AppointmentView> {
  return withTransaction(pool, async (db) => {
    const row = await findAppointmentByCode(db, code, true);
    if (!row) throw new NotFound('No appointment has this code.', { errors: [{ path: 'body.appointmentCode', message: 'is unknown' }] });
    assertWorksAtCenter(p, { id: row.centerId, region: row.region });
    if (row.status !== 'booked') throw new Conflict(`The appointment is ${row.status.replace('_', ' ')}.`);
    await audit(db, p, row.registrantId, 'check-in');
    await markCheckedIn(db, row.id, p.sub, now);
    await appendEvent(db, SCHEMA, checkedInEvent(row, p.sub, now));
    return { ...toView(row), status: 'checked_in' as const };
  });
}

// ---- the center's day ----

/** Initials only: the first character (grapheme) of each part of the name, e.g. `Élodie Martin` → `É. M.`. */
export function maskedName(fullName: string): string {
  const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return fullName
    .trim()
    .split(/\s+/)
    .map((part) => `${graphemes.segment(part)[Symbol.iterator]().next().value?.segment ?? ''}.`)
    .join(' ');
}

// A bounded instant: a forged cursor with a day PostgreSQL cannot store (year 0000) is a 400, not a 500.
const cursorSchema = z.tuple([isoInstant, z.uuid()]);
const encodeCursor = (startsAt: string, id: string) => Buffer.from(JSON.stringify([startsAt, id])).toString('base64url');
function decodeCursor(cursor: string): { startsAt: string; id: string } {
  try {
    const [startsAt, id] = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { startsAt, id };
  } catch {
    throw new BadRequest('The request is invalid.', { errors: [{ path: 'query.cursor', message: 'must be the nextCursor of a previous page' }] });
  }
}

const MASKED_LIST_REASON = 'center appointment list, names masked';

/**
 * A center's appointments on one local day, for staff of the center and admins over
 * it. Vaccinators see full names (they call people in); admins see initials unless
 * they state a reason. Every person on the page is written to the access log, with
 * the stated reason or the flow's own, in the transaction of the read.
 */
export async function listCenterAppointments(
  { pool, readPool }: Pools,
  p: Principal,
  centerId: string,
  query: CenterAppointmentsQuery,
  reason?: string,
  now = new Date(),
): Promise<CenterAppointmentList> {
  const after = query.cursor ? decodeCursor(query.cursor) : undefined;
  // The list may be a second behind (the reader); the access-log rows go to the writer before anything is answered.
  const center = await findCenter(readPool, centerId);
  if (!center) throw new NotFound('No such center.');
  assertWorksAtCenter(p, center);
  const rows = await listCenterDay(readPool, { centerId, date: query.date, status: query.status, after, limit: query.limit + 1, now });
  const page = rows.slice(0, query.limit);
  const masked = p.role !== 'staff' && reason === undefined;
  await recordAccesses(pool, {
    actor: p,
    registrantIds: page.map((r) => r.registrantId),
    action: 'appointment-list.read',
    reason: reason ?? (masked ? MASKED_LIST_REASON : CENTER_WORK_REASON),
  });
  const last = page[page.length - 1];
  return {
    centerId,
    date: query.date,
    timeZone: center.timeZone,
    items: page.map(({ fullName, ...row }) => ({ ...row, name: masked ? maskedName(fullName) : fullName, nameMasked: masked })),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.startsAt, last.id) : null,
  };
}
