import type { AgeRange, AppointmentView, CenterAppointment, Contact, Language, Sex } from '@jab/contracts';
import type { AccessRow } from '../audit/audit.repo.js';
import { activeCampaignBandsSql } from '../catalogue/catalogue.repo.js';
import { isoDay, isoInstant, type Db } from '../catalogue/sql.js';

/** A person as booking needs them: age, household, and how to reach them. */
export interface RegistrantFacts {
  id: string;
  accountId: string;
  birthDate: string;
  sex: Sex;
  region: string;
  preferredLanguage: Language;
  contact: Contact;
}

const REGISTRANT_FACTS = `SELECT r.id, r.account_id AS "accountId", ${isoDay('r.birth_date')} AS "birthDate", r.sex, r.region,
            r.preferred_language AS "preferredLanguage",
            json_build_object('channel', a.contact_channel, 'address', a.contact_address) AS contact
       FROM registration.registrants r JOIN registration.accounts a ON a.id = r.account_id`;

export async function findRegistrant(db: Db, id: string): Promise<RegistrantFacts | null> {
  const { rows } = await db.query<RegistrantFacts>(`${REGISTRANT_FACTS} WHERE r.id = $1`, [id]);
  return rows[0] ?? null;
}

/** A slot with its center and vaccine: where and when, and the rules that apply. */
export interface SlotPlace {
  slotId: string;
  centerId: string;
  centerName: Record<string, string>;
  centerAddress: string;
  centerTimeZone: string;
  region: string;
  localDate: string;
  startsAt: string;
  endsAt: string;
  vaccineId: string;
  vaccineName: string;
  seriesDoses: number;
  minAgeYears: number;
  maxAgeYears: number | null;
  /** Whether the center still lists the slot's vaccine. */
  offered: boolean;
}

const SLOT_PLACE = `SELECT s.id AS "slotId", c.id AS "centerId", c.names AS "centerName", c.address AS "centerAddress",
            c.time_zone AS "centerTimeZone", c.region, ${isoDay('s.local_date')} AS "localDate",
            ${isoInstant('s.starts_at')} AS "startsAt", ${isoInstant('s.ends_at')} AS "endsAt",
            v.id AS "vaccineId", v.name AS "vaccineName", v.series_doses AS "seriesDoses",
            v.min_age_years AS "minAgeYears", v.max_age_years AS "maxAgeYears",
            EXISTS (SELECT 1 FROM registration.center_vaccines cv WHERE cv.center_id = c.id AND cv.vaccine_id = v.id) AS offered
       FROM registration.slots s
       JOIN registration.centers c ON c.id = s.center_id
       JOIN registration.vaccines v ON v.id = s.vaccine_id`;

export async function findSlotPlace(db: Db, slotId: string): Promise<SlotPlace | null> {
  const { rows } = await db.query<SlotPlace>(`${SLOT_PLACE} WHERE s.id = $1`, [slotId]);
  return rows[0] ?? null;
}

export type Seat = 'dose1' | 'later' | 'walk-in';

// Fixed column pairs, never built from input.
const SEAT_COLUMNS: Record<Seat, { booked: string; capacity: string }> = {
  dose1: { booked: 'booked_dose1', capacity: 'capacity_dose1' },
  later: { booked: 'booked_later', capacity: 'capacity_later' },
  'walk-in': { booked: 'booked_walk_in', capacity: 'walk_in_quota' },
};

/**
 * Takes one seat of the slot in a single conditional UPDATE: the row lock serializes
 * concurrent bookers and the WHERE re-checks capacity under it, so a slot can never
 * be overbooked (never read-then-write). False when the slot is full.
 */
export async function takeSeat(db: Db, slotId: string, seat: Seat): Promise<boolean> {
  const { booked, capacity } = SEAT_COLUMNS[seat];
  const result = await db.query(
    `UPDATE registration.slots SET ${booked} = ${booked} + 1, updated_at = now()
      WHERE id = $1 AND ${booked} < ${capacity} RETURNING id`,
    [slotId],
  );
  return result.rowCount === 1;
}

export async function releaseSeat(db: Db, slotId: string, seat: Seat): Promise<void> {
  const { booked } = SEAT_COLUMNS[seat];
  const result = await db.query(
    `UPDATE registration.slots SET ${booked} = ${booked} - 1, updated_at = now() WHERE id = $1 AND ${booked} > 0`,
    [slotId],
  );
  if (result.rowCount !== 1) throw new Error('released a seat the slot does not hold');
}

/** Locks slots in id order, so two transactions moving seats between the same slots cannot deadlock. */
export async function lockSlots(db: Db, slotIds: string[]): Promise<void> {
  await db.query(`SELECT id FROM registration.slots WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [slotIds]);
}

/**
 * Bumps the versions of these center-days once in this transaction (migration 0206). The
 * slots trigger does it at commit for any writer; a writer touching several days calls
 * this last, so the rows are taken in key order and held only until the commit.
 */
export async function bumpCenterDays(db: Db, days: { centerId: string; date: string }[]): Promise<void> {
  await db.query(`SELECT registration.bump_center_days($1::uuid[], $2::date[])`, [days.map((d) => d.centerId), days.map((d) => d.date)]);
}

/** An appointment as `registration.book_appointments` inserts it (see `BookingWrite`). */
export interface NewAppointment {
  id: string;
  code: string;
  registrantId: string;
  slotId: string;
  centerId: string;
  vaccineId: string;
  doseNumber: number;
  seat: Seat;
  walkIn: boolean;
  status: 'booked' | 'checked_in';
  bookedBy: string;
  at: Date;
}

export interface AppointmentRow extends AppointmentView {
  seat: Seat;
  accountId: string;
  region: string;
}

const APPOINTMENT_SELECT = `SELECT ap.id, ap.code, ap.registrant_id AS "registrantId", ap.center_id AS "centerId",
    ap.vaccine_id AS "vaccineId", ap.slot_id AS "slotId", ${isoInstant('s.starts_at')} AS "startsAt",
    ${isoInstant('s.ends_at')} AS "endsAt", ap.dose_number AS "doseNumber", ap.walk_in AS "walkIn", ap.status,
    ${isoInstant('ap.booked_at')} AS "bookedAt", ap.seat, r.account_id AS "accountId", c.region
  FROM registration.appointments ap
  JOIN registration.slots s ON s.id = ap.slot_id
  JOIN registration.registrants r ON r.id = ap.registrant_id
  JOIN registration.centers c ON c.id = ap.center_id`;

export async function findAppointment(db: Db, id: string, lock = false): Promise<AppointmentRow | null> {
  const { rows } = await db.query<AppointmentRow>(`${APPOINTMENT_SELECT} WHERE ap.id = $1 ${lock ? 'FOR UPDATE OF ap' : ''}`, [id]);
  return rows[0] ?? null;
}

export async function findAppointmentByCode(db: Db, code: string, lock = false): Promise<AppointmentRow | null> {
  const { rows } = await db.query<AppointmentRow>(`${APPOINTMENT_SELECT} WHERE ap.code = $1 ${lock ? 'FOR UPDATE OF ap' : ''}`, [code]);
  return rows[0] ?? null;
}

export async function listAppointmentsOfAccount(db: Db, accountId: string): Promise<AppointmentRow[]> {
  const { rows } = await db.query<AppointmentRow>(`${APPOINTMENT_SELECT} WHERE r.account_id = $1 ORDER BY s.starts_at, ap.id`, [
    accountId,
  ]);
  return rows;
}

export async function markCancelled(db: Db, id: string, reason: string, at: Date): Promise<void> {
  await db.query(
    `UPDATE registration.appointments SET status = 'cancelled', cancelled_at = $2, cancel_reason = $3, updated_at = now() WHERE id = $1`,
    [id, at, reason],
  );
}

export async function markCheckedIn(db: Db, id: string, staffId: string, at: Date): Promise<void> {
  await db.query(
    `UPDATE registration.appointments SET status = 'checked_in', checked_in_at = $2, checked_in_by = $3, updated_at = now() WHERE id = $1`,
    [id, at, staffId],
  );
}

export async function markCompleted(db: Db, id: string, at: Date): Promise<void> {
  await db.query(`UPDATE registration.appointments SET status = 'completed', completed_at = $2, updated_at = now() WHERE id = $1`, [
    id,
    at,
  ]);
}

export async function moveToSlot(db: Db, id: string, slot: SlotPlace): Promise<void> {
  await db.query(
    `UPDATE registration.appointments SET slot_id = $2, center_id = $3, vaccine_id = $4, updated_at = now() WHERE id = $1`,
    [id, slot.slotId, slot.centerId, slot.vaccineId],
  );
}

export interface SeriesDose {
  id: string;
  nextDoseEarliest: string | null;
}

const seriesDose = (registrantId: string, vaccineId: string, doseNumber: string) =>
  `SELECT id, ${isoDay('next_dose_earliest')} AS "nextDoseEarliest" FROM registration.doses
    WHERE registrant_id = ${registrantId} AND vaccine_id = ${vaccineId} AND dose_number = ${doseNumber}`;

/** The person's recorded dose `doseNumber` of a vaccine, if any. */
export async function findSeriesDose(db: Db, registrantId: string, vaccineId: string, doseNumber: number): Promise<SeriesDose | null> {
  const { rows } = await db.query<SeriesDose>(seriesDose('$1', '$2', '$3'), [registrantId, vaccineId, doseNumber]);
  return rows[0] ?? null;
}

// ---- group commit ----

/** The response stored under a caller's Idempotency-Key (SQL expressions for the two). */
const storedResponse = (principalId: string, key: string) =>
  `SELECT request_hash AS "requestHash", status_code AS "statusCode", response FROM registration.idempotency_keys
    WHERE principal_id = ${principalId} AND key = ${key}`;

export interface BookingQuestion {
  registrantId: string;
  slotId: string;
  doseNumber: number;
  principalId: string;
  idempotencyKey?: string;
}

export interface StoredResponse {
  requestHash: string;
  statusCode: number;
  response: unknown;
}

/** Everything one booking decides on; null where the row does not exist. */
export interface BookingFacts {
  registrant: RegistrantFacts | null;
  slot: SlotPlace | null;
  campaignBands: AgeRange[][];
  given: SeriesDose | null;
  previous: SeriesDose | null;
  stored: StoredResponse | null;
}

const jsonOrNull = (alias: string, key: string) => `CASE WHEN ${alias}.${key} IS NULL THEN NULL ELSE to_json(${alias}) END`;

/**
 * What each booking of a batch decides on, in one round trip: the person, the slot with
 * its center and vaccine, the campaigns' target ages there that day, the doses already
 * given, and a response stored under the caller's Idempotency-Key. The same queries as
 * the single reads above, one lateral join per question.
 */
export async function findBookingFacts(db: Db, questions: BookingQuestion[]): Promise<BookingFacts[]> {
  const { rows } = await db.query<BookingFacts>(
    `SELECT ${jsonOrNull('reg', 'id')} AS registrant, ${jsonOrNull('slot', '"slotId"')} AS slot,
            coalesce(bands.list, '[]'::json) AS "campaignBands",
            ${jsonOrNull('given', 'id')} AS given, ${jsonOrNull('previous', 'id')} AS previous, ${jsonOrNull('stored', '"requestHash"')} AS stored
       FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::uuid[], $5::text[]) WITH ORDINALITY
              AS q (registrant_id, slot_id, dose_number, principal_id, key, ord)
       LEFT JOIN LATERAL (${REGISTRANT_FACTS} WHERE r.id = q.registrant_id) reg ON true
       LEFT JOIN LATERAL (${SLOT_PLACE} WHERE s.id = q.slot_id) slot ON true
       LEFT JOIN LATERAL (SELECT json_agg(b.bands) AS list
                            FROM (${activeCampaignBandsSql('slot."vaccineId"', 'slot.region', 'slot."localDate"')}) b) bands ON true
       LEFT JOIN LATERAL (${seriesDose('q.registrant_id', 'slot."vaccineId"', 'q.dose_number')}) given ON true
       LEFT JOIN LATERAL (${seriesDose('q.registrant_id', 'slot."vaccineId"', 'q.dose_number - 1')}) previous ON q.dose_number > 1
       LEFT JOIN LATERAL (${storedResponse('q.principal_id', 'q.key')}) stored ON true
      ORDER BY q.ord`,
    [
      questions.map((q) => q.registrantId),
      questions.map((q) => q.slotId),
      questions.map((q) => q.doseNumber),
      questions.map((q) => q.principalId),
      questions.map((q) => q.idempotencyKey ?? null),
    ],
  );
  return rows;
}

/** One booking of a batch, fully decided: what `registration.book_appointments` writes for it. */
export interface BookingWrite {
  slotId: string;
  seat: Seat;
  appointment: Omit<NewAppointment, 'slotId' | 'seat'>;
  events: { id: string; type: string; payload: unknown; occurredAt: string }[];
  access: AccessRow | null;
  idempotency: (StoredResponse & { principalId: string; key: string }) | null;
}

export type BookingOutcome = 'booked' | 'replay' | 'full' | 'duplicate' | 'code-taken' | 'retry' | `error:${string}`;

export interface BookingResult {
  outcome: BookingOutcome;
  /** The version of the slot's center-day after the batch; null when this booking wrote nothing. */
  version: number | null;
}

/**
 * Writes a batch of bookings in one statement, so one round trip and one commit
 * (migrations 0205, 0206): each all or nothing, capacity decided by the conditional UPDATE
 * under the slot's row lock. One result per booking, in the order given.
 */
export async function writeBookings(db: Db, writes: BookingWrite[]): Promise<BookingResult[]> {
  const { rows } = await db.query<{ idx: number; outcome: BookingOutcome; version: string | null }>(
    `SELECT idx, outcome, version FROM registration.book_appointments($1::jsonb)`,
    [JSON.stringify(writes)],
  );
  const results: BookingResult[] = new Array(writes.length);
  for (const row of rows) results[row.idx] = { outcome: row.outcome, version: row.version === null ? null : Number(row.version) };
  return results;
}

// ---- the center's day ----

export interface CenterDayRow {
  id: string;
  code: string;
  registrantId: string;
  slotId: string;
  startsAt: string;
  endsAt: string;
  status: CenterAppointment['status'];
  doseNumber: number;
  vaccineId: string;
  vaccineName: string;
  walkIn: boolean;
  fullName: string;
}

/**
 * One page of a center's appointments on a local day, in slot order, keyset-paged on
 * (slot start, appointment id). `no_show` is derived: still booked after the slot
 * ended (as of `now`), or cancelled as a no-show.
 */
export async function listCenterDay(
  db: Db,
  q: { centerId: string; date: string; status?: CenterAppointment['status']; after?: { startsAt: string; id: string }; limit: number; now: Date },
): Promise<CenterDayRow[]> {
  const { rows } = await db.query<CenterDayRow>(
    `SELECT a.id, a.code, a."registrantId", a."slotId", ${isoInstant('a.starts_at')} AS "startsAt", ${isoInstant('a.ends_at')} AS "endsAt",
            a.status, a."doseNumber", a."vaccineId", a."vaccineName", a."walkIn", a."fullName"
       FROM (SELECT ap.id, ap.code, ap.registrant_id AS "registrantId", ap.slot_id AS "slotId",
                    -- At the cursor's precision, so a page never starts again at its own last row.
                    date_trunc('milliseconds', s.starts_at) AS starts_at, s.ends_at,
                    CASE WHEN ap.status = 'booked' AND s.ends_at < $3 THEN 'no_show'
                         WHEN ap.status = 'cancelled' AND ap.cancel_reason = 'no-show' THEN 'no_show'
                         ELSE ap.status END AS status,
                    ap.dose_number AS "doseNumber", ap.vaccine_id AS "vaccineId", v.name AS "vaccineName", ap.walk_in AS "walkIn",
                    r.full_name AS "fullName"
               FROM registration.slots s
               JOIN registration.appointments ap ON ap.slot_id = s.id
               JOIN registration.vaccines v ON v.id = ap.vaccine_id
               JOIN registration.registrants r ON r.id = ap.registrant_id
              WHERE s.center_id = $1 AND s.local_date = $2) a
      WHERE ($4::text IS NULL OR a.status = $4)
        AND ($5::timestamptz IS NULL OR (a.starts_at, a.id) > ($5::timestamptz, $6::uuid))
      ORDER BY a.starts_at, a.id
      LIMIT $7`,
    [q.centerId, q.date, q.now, q.status ?? null, q.after?.startsAt ?? null, q.after?.id ?? null, q.limit],
  );
  return rows;
}

// ---- idempotency ----

export async function findIdempotentResponse(db: Db, principalId: string, key: string): Promise<StoredResponse | null> {
  const { rows } = await db.query<StoredResponse>(storedResponse('$1', '$2'), [principalId, key]);
  return rows[0] ?? null;
}
