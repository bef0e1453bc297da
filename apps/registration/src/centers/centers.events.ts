import type { CenterSavedEvent, CenterView, SessionScheduledEvent } from '@jab/contracts';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../catalogue/sql.js';
import type { NewSession } from './centers.repo.js';

/**
 * `center.saved`: what the public finds a center by (names, address, languages, the
 * vaccines it gives by name), for search to index without calling back. Appended on
 * the transaction that writes the center.
 */
export async function centerSaved(db: Db, center: CenterView, version: number): Promise<CenterSavedEvent> {
  const { rows } = await db.query<{ id: string; name: string }>(
    `SELECT id, name FROM registration.vaccines WHERE id = ANY($1::uuid[]) ORDER BY id`,
    [center.vaccineIds],
  );
  return {
    id: uuidv7(),
    type: 'center.saved',
    v: 1,
    occurredAt: new Date().toISOString(),
    source: 'registration',
    data: {
      centerId: center.id,
      names: center.names,
      locality: center.address,
      region: center.region,
      languages: center.languages,
      vaccines: rows,
      version,
    },
  };
}

/** `session.scheduled`: a day of slots and its seats, so analytics can show booked against capacity. */
export function sessionScheduled(region: string, s: NewSession, slots: number): SessionScheduledEvent {
  return {
    id: uuidv7(),
    type: 'session.scheduled',
    v: 1,
    occurredAt: new Date().toISOString(),
    source: 'registration',
    data: {
      sessionId: s.id,
      centerId: s.centerId,
      region,
      vaccineId: s.vaccineId,
      day: s.date,
      slots,
      capacity: slots * (s.capacityDose1 + s.capacityLaterDoses + s.walkInQuota),
    },
  };
}
