import type { CenterSavedEvent, CenterView, SessionScheduledEvent } from '@jab/contracts';
import type { NewEvent } from '@jab/db';
import type { Db } from '../catalogue/sql.js';
import type { NewSession } from './centers.repo.js';

// appendEvent fills in the envelope (id, v, occurredAt).
type Draft<E extends { type: string; data: unknown }> = NewEvent<E['type'], E['data']>;

/**
 * `center.saved`: what the public finds a center by (names, address, languages, the
 * vaccines it gives by name), for search to index without calling back. Appended on
 * the transaction that writes the center.
 */
export async function centerSaved(db: Db, center: CenterView, version: number): Promise<Draft<CenterSavedEvent>> {
  const { rows } = await db.query<{ id: string; name: string }>(
    `SELECT id, name FROM registration.vaccines WHERE id = ANY($1::uuid[]) ORDER BY id`,
    [center.vaccineIds],
  );
  return {
    type: 'center.saved',
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
export function sessionScheduled(region: string, s: NewSession, slots: number): Draft<SessionScheduledEvent> {
  return {
    type: 'session.scheduled',
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
