import { isoDay, isoInstant, type Db } from '../catalogue/sql.js';
import type { ImmunizationRecord } from './fhir.mapping.js';

const IMMUNIZATION_SELECT = `SELECT d.id AS "doseId", d.registrant_id AS "registrantId", d.dose_number AS "doseNumber",
    v.series_doses AS "seriesDoses", d.site, ${isoInstant('d.administered_at')} AS "administeredAt",
    ${isoDay('d.administered_on')} AS "administeredOn", v.id AS "vaccineId", v.name AS "vaccineName", v.manufacturer,
    v.cvx_code AS "cvxCode", l.lot_number AS "lotNumber", ${isoDay('l.expires_on')} AS "lotExpiresOn",
    c.id AS "centerId", c.names AS "centerNames", c.address AS "centerAddress",
    c.latitude AS "centerLatitude", c.longitude AS "centerLongitude"
  FROM registration.doses d
  JOIN registration.vaccines v ON v.id = d.vaccine_id
  JOIN registration.lots l ON l.id = d.lot_id
  JOIN registration.centers c ON c.id = d.center_id`;

/** Every dose of a person, oldest first. */
export async function findImmunizations(db: Db, registrantId: string): Promise<ImmunizationRecord[]> {
  const { rows } = await db.query<ImmunizationRecord>(`${IMMUNIZATION_SELECT} WHERE d.registrant_id = $1 ORDER BY d.administered_at, d.id`, [
    registrantId,
  ]);
  return rows;
}

export async function findImmunization(db: Db, doseId: string): Promise<ImmunizationRecord | null> {
  const { rows } = await db.query<ImmunizationRecord>(`${IMMUNIZATION_SELECT} WHERE d.id = $1`, [doseId]);
  return rows[0] ?? null;
}
