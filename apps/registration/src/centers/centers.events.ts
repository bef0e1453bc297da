import type { CenterSavedEvent, CenterView } from '@jab/contracts';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../catalogue/sql.js';

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
