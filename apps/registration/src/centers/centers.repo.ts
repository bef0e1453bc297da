import type { CenterView, SlotAvailability } from '@jab/contracts';
import { isoInstant, type Db } from '../catalogue/sql.js';
import type { SlotTimes } from './slots.js';

const CENTER_SELECT = `SELECT c.id, c.names, c.address, c.region, c.latitude, c.longitude, c.languages,
    c.time_zone AS "timeZone", c.opening_hours AS "openingHours",
    ARRAY(SELECT vaccine_id FROM registration.center_vaccines WHERE center_id = c.id ORDER BY vaccine_id) AS "vaccineIds"
  FROM registration.centers c`;

export async function insertCenter(db: Db, c: CenterView): Promise<void> {
  await db.query(
    `INSERT INTO registration.centers (id, names, address, region, latitude, longitude, languages, time_zone, opening_hours)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [c.id, JSON.stringify(c.names), c.address, c.region, c.latitude, c.longitude, c.languages, c.timeZone, JSON.stringify(c.openingHours)],
  );
  await db.query(
    `INSERT INTO registration.center_vaccines (center_id, vaccine_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
    [c.id, c.vaccineIds],
  );
}

export async function findCenter(db: Db, id: string): Promise<CenterView | null> {
  const { rows } = await db.query<CenterView>(`${CENTER_SELECT} WHERE c.id = $1`, [id]);
  return rows[0] ?? null;
}

export async function listCenters(db: Db, region?: string): Promise<CenterView[]> {
  const { rows } = await db.query<CenterView>(
    `${CENTER_SELECT} WHERE ($1::text IS NULL OR c.region = $1) ORDER BY c.region, c.names->>'en', c.id`,
    [region ?? null],
  );
  return rows;
}

export interface NewSession {
  id: string;
  centerId: string;
  vaccineId: string;
  date: string;
  startTime: string;
  endTime: string;
  slotMinutes: number;
  capacityDose1: number;
  capacityLaterDoses: number;
  walkInQuota: number;
  createdBy: string;
}

/** Inserts the session; false when the center already runs one for that vaccine, day and start. */
export async function insertSession(db: Db, s: NewSession): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO registration.sessions (id, center_id, vaccine_id, session_date, starts_local, ends_local, slot_minutes,
       capacity_dose1, capacity_later, walk_in_quota, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT ON CONSTRAINT sessions_unique DO NOTHING`,
    [s.id, s.centerId, s.vaccineId, s.date, s.startTime, s.endTime, s.slotMinutes, s.capacityDose1, s.capacityLaterDoses, s.walkInQuota, s.createdBy],
  );
  return result.rowCount === 1;
}

/** Every slot of a session in one statement, each with the session's capacities. */
export async function insertSlots(db: Db, s: NewSession, ids: string[], times: SlotTimes[]): Promise<void> {
  await db.query(
    `INSERT INTO registration.slots (id, session_id, center_id, vaccine_id, local_date, starts_at, ends_at,
       capacity_dose1, capacity_later, walk_in_quota)
     SELECT t.id, $3, $4, $5, $6, t.starts_at, t.ends_at, $7, $8, $9
       FROM unnest($1::uuid[], $2::timestamptz[], $10::timestamptz[]) AS t(id, starts_at, ends_at)`,
    [
      ids,
      times.map((t) => t.startsAt),
      s.id,
      s.centerId,
      s.vaccineId,
      s.date,
      s.capacityDose1,
      s.capacityLaterDoses,
      s.walkInQuota,
      times.map((t) => t.endsAt),
    ],
  );
}

/**
 * A center-day's slots with the seats left, and the version of exactly that state: one
 * statement, so both come from the same snapshot (migration 0206; 0 before any change).
 */
export async function slotsOfDay(db: Db, centerId: string, date: string): Promise<{ version: number; slots: SlotAvailability[] }> {
  const { rows } = await db.query<{ version: string; slots: SlotAvailability[] }>(
    `SELECT coalesce((SELECT version FROM registration.center_day_versions WHERE center_id = $1 AND local_date = $2), 0) AS version,
            coalesce((SELECT json_agg(json_build_object(
                        'id', id, 'vaccineId', vaccine_id, 'startsAt', ${isoInstant('starts_at')}, 'endsAt', ${isoInstant('ends_at')},
                        'remaining', json_build_object('dose1', capacity_dose1 - booked_dose1, 'laterDoses', capacity_later - booked_later,
                                                       'walkIn', walk_in_quota - booked_walk_in))
                        ORDER BY starts_at, id)
                        FROM registration.slots WHERE center_id = $1 AND local_date = $2), '[]') AS slots`,
    [centerId, date],
  );
  const row = rows[0] as { version: string; slots: SlotAvailability[] };
  return { version: Number(row.version), slots: row.slots };
}
