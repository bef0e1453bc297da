import { inRounds } from '@jab/db';
import type { PoolClient } from 'pg';

type Db = Pick<PoolClient, 'query'>;

/** Claims many event ids in one statement; returns those not processed before. */
export async function claimEvents(db: Db, events: { id: string; type: string }[]): Promise<Set<string>> {
  const result = await db.query<{ event_id: string }>(
    `INSERT INTO analytics.processed_events (event_id, event_type)
     SELECT * FROM unnest($1::uuid[], $2::text[]) ON CONFLICT DO NOTHING RETURNING event_id`,
    [events.map((e) => e.id), events.map((e) => e.type)],
  );
  return new Set(result.rows.map((r) => r.event_id));
}

export interface RegistrantFact {
  registrantId: string;
  version: number;
  region: string;
  ageBand: string;
  sex: string;
  birthYear: number;
  deleted: boolean;
}

/**
 * The registration day comes only from `registrant.registered`; every other field
 * follows the highest version seen, whichever event brought it and in what order. One
 * statement per round: a statement may touch a registrant once.
 */
export async function upsertRegistrants(db: Db, facts: (RegistrantFact & { registeredOn: string | null })[]): Promise<void> {
  for (const round of inRounds(facts, (f) => f.registrantId)) {
    await db.query(
      `INSERT INTO analytics.registrants AS t (registrant_id, version, region, age_band, sex, birth_year, deleted, registered_on)
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::int[], $7::boolean[], $8::date[])
       ON CONFLICT (registrant_id) DO UPDATE SET
         registered_on = COALESCE(EXCLUDED.registered_on, t.registered_on),
         version = GREATEST(t.version, EXCLUDED.version),
         region = CASE WHEN EXCLUDED.version > t.version THEN EXCLUDED.region ELSE t.region END,
         age_band = CASE WHEN EXCLUDED.version > t.version THEN EXCLUDED.age_band ELSE t.age_band END,
         sex = CASE WHEN EXCLUDED.version > t.version THEN EXCLUDED.sex ELSE t.sex END,
         birth_year = CASE WHEN EXCLUDED.version > t.version THEN EXCLUDED.birth_year ELSE t.birth_year END,
         deleted = CASE WHEN EXCLUDED.version > t.version THEN EXCLUDED.deleted ELSE t.deleted END,
         updated_at = now()
       WHERE EXCLUDED.version > t.version OR (EXCLUDED.registered_on IS NOT NULL AND t.registered_on IS NULL)`,
      [
        round.map((f) => f.registrantId),
        round.map((f) => f.version),
        round.map((f) => f.region),
        round.map((f) => f.ageBand),
        round.map((f) => f.sex),
        round.map((f) => f.birthYear),
        round.map((f) => f.deleted),
        round.map((f) => f.registeredOn),
      ],
    );
  }
}

export interface AppointmentFact {
  appointmentId: string;
  registrantId: string;
  vaccineId: string;
  doseNumber: number;
  centerId: string;
  region: string;
  slotId: string;
  startsAt: string;
  endsAt: string;
  /** When this place was decided; the latest decision wins. */
  placeAt: string;
  booking: { bookedAt: string; ageBand: string; sex: string; walkIn: boolean } | null;
  cancellation: { cancelledAt: string; reason: string } | null;
}

/**
 * One statement for booked, rescheduled and cancelled: the place follows the latest
 * decision, while the booking and the cancellation, once known, are never forgotten.
 */
export async function upsertAppointment(db: Db, a: AppointmentFact): Promise<void> {
  await db.query(
    `INSERT INTO analytics.appointments AS t (appointment_id, registrant_id, vaccine_id, dose_number, center_id, region, slot_id,
        starts_at, ends_at, place_at, booked_at, age_band, sex, walk_in, cancelled_at, cancel_reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
     ON CONFLICT (appointment_id) DO UPDATE SET
       center_id = CASE WHEN EXCLUDED.place_at > t.place_at THEN EXCLUDED.center_id ELSE t.center_id END,
       region = CASE WHEN EXCLUDED.place_at > t.place_at THEN EXCLUDED.region ELSE t.region END,
       slot_id = CASE WHEN EXCLUDED.place_at > t.place_at THEN EXCLUDED.slot_id ELSE t.slot_id END,
       starts_at = CASE WHEN EXCLUDED.place_at > t.place_at THEN EXCLUDED.starts_at ELSE t.starts_at END,
       ends_at = CASE WHEN EXCLUDED.place_at > t.place_at THEN EXCLUDED.ends_at ELSE t.ends_at END,
       place_at = GREATEST(t.place_at, EXCLUDED.place_at),
       booked_at = COALESCE(t.booked_at, EXCLUDED.booked_at),
       age_band = COALESCE(t.age_band, EXCLUDED.age_band),
       sex = COALESCE(t.sex, EXCLUDED.sex),
       walk_in = COALESCE(t.walk_in, EXCLUDED.walk_in),
       cancelled_at = COALESCE(t.cancelled_at, EXCLUDED.cancelled_at),
       cancel_reason = COALESCE(t.cancel_reason, EXCLUDED.cancel_reason),
       updated_at = now()
     WHERE EXCLUDED.place_at > t.place_at
        OR (t.booked_at IS NULL AND EXCLUDED.booked_at IS NOT NULL)
        OR (t.cancelled_at IS NULL AND EXCLUDED.cancelled_at IS NOT NULL)`,
    [
      a.appointmentId,
      a.registrantId,
      a.vaccineId,
      a.doseNumber,
      a.centerId,
      a.region,
      a.slotId,
      a.startsAt,
      a.endsAt,
      a.placeAt,
      a.booking?.bookedAt ?? null,
      a.booking?.ageBand ?? null,
      a.booking?.sex ?? null,
      a.booking?.walkIn ?? null,
      a.cancellation?.cancelledAt ?? null,
      a.cancellation?.reason ?? null,
    ],
  );
}

export async function recordCheckIn(db: Db, c: { appointmentId: string; centerId: string; region: string; checkedInAt: string }): Promise<void> {
  await db.query(
    `INSERT INTO analytics.check_ins (appointment_id, center_id, region, checked_in_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (appointment_id) DO NOTHING`,
    [c.appointmentId, c.centerId, c.region, c.checkedInAt],
  );
}

export interface DoseFact {
  doseId: string;
  registrantId: string;
  appointmentId: string | null;
  centerId: string;
  region: string;
  vaccineId: string;
  lotNumber: string;
  doseNumber: number;
  seriesDoses: number;
  seriesComplete: boolean;
  administeredAt: string;
  ageBand: string;
  sex: string;
}

export async function insertDose(db: Db, d: DoseFact): Promise<void> {
  await db.query(
    `INSERT INTO analytics.doses (dose_id, registrant_id, appointment_id, center_id, region, vaccine_id, lot_number, dose_number,
        series_doses, series_complete, administered_at, age_band, sex)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (dose_id) DO NOTHING`,
    [
      d.doseId,
      d.registrantId,
      d.appointmentId,
      d.centerId,
      d.region,
      d.vaccineId,
      d.lotNumber,
      d.doseNumber,
      d.seriesDoses,
      d.seriesComplete,
      d.administeredAt,
      d.ageBand,
      d.sex,
    ],
  );
}

export interface AefiFact {
  aefiId: string;
  doseId: string;
  registrantId: string;
  vaccineId: string;
  lotNumber: string;
  region: string;
  severity: string;
  onsetDate: string;
  reportedBy: string;
  reportedAt: string;
}

export async function insertAefi(db: Db, a: AefiFact): Promise<void> {
  await db.query(
    `INSERT INTO analytics.aefi_reports (aefi_id, dose_id, registrant_id, vaccine_id, lot_number, region, severity, onset_date, reported_by, reported_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (aefi_id) DO NOTHING`,
    [a.aefiId, a.doseId, a.registrantId, a.vaccineId, a.lotNumber, a.region, a.severity, a.onsetDate, a.reportedBy, a.reportedAt],
  );
}

export async function recordRecall(db: Db, r: { vaccineId: string; lotNumber: string; recalledAt: string }): Promise<void> {
  await db.query(
    `INSERT INTO analytics.recalled_lots (vaccine_id, lot_number, recalled_at) VALUES ($1, $2, $3)
     ON CONFLICT (vaccine_id, lot_number) DO NOTHING`,
    [r.vaccineId, r.lotNumber, r.recalledAt],
  );
}

export async function upsertVaccine(db: Db, vaccineId: string, name: string): Promise<void> {
  await db.query(
    `INSERT INTO analytics.vaccines (vaccine_id, name) VALUES ($1, $2)
     ON CONFLICT (vaccine_id) DO UPDATE SET name = EXCLUDED.name WHERE analytics.vaccines.name <> EXCLUDED.name`,
    [vaccineId, name],
  );
}

export async function upsertCenter(db: Db, centerId: string, name: string, region: string): Promise<void> {
  await db.query(
    `INSERT INTO analytics.centers (center_id, name, region) VALUES ($1, $2, $3)
     ON CONFLICT (center_id) DO UPDATE SET name = EXCLUDED.name, region = EXCLUDED.region
     WHERE (analytics.centers.name, analytics.centers.region) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.region)`,
    [centerId, name, region],
  );
}

/** A session's seats; a redelivered event changes nothing. */
export async function recordSession(
  db: Db,
  s: { sessionId: string; centerId: string; region: string; vaccineId: string; day: string; capacity: number },
): Promise<void> {
  await db.query(
    `INSERT INTO analytics.sessions (session_id, center_id, region, vaccine_id, day, capacity) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (session_id) DO NOTHING`,
    [s.sessionId, s.centerId, s.region, s.vaccineId, s.day, s.capacity],
  );
}
