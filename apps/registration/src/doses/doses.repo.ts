import type { AefiView, DoseView, ReportAefiRequest } from '@jab/contracts';
import { isoDay, isoInstant, type Db } from '../catalogue/sql.js';

export interface NewDose {
  id: string;
  registrantId: string;
  appointmentId: string | null;
  centerId: string;
  vaccineId: string;
  lotId: string;
  doseNumber: number;
  site: DoseView['site'];
  administeredAt: string;
  administeredOn: string;
  administeredBy: string;
  nextDoseEarliest: string | null;
}

export async function insertDose(db: Db, d: NewDose): Promise<void> {
  await db.query(
    `INSERT INTO registration.doses (id, registrant_id, appointment_id, center_id, vaccine_id, lot_id, dose_number, site,
       administered_at, administered_on, administered_by, next_dose_earliest)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [d.id, d.registrantId, d.appointmentId, d.centerId, d.vaccineId, d.lotId, d.doseNumber, d.site, d.administeredAt,
      d.administeredOn, d.administeredBy, d.nextDoseEarliest],
  );
}

export interface DoseRow extends DoseView {
  accountId: string;
  region: string;
  administeredOn: string;
}

const DOSE_SELECT = `SELECT d.id, d.registrant_id AS "registrantId", d.appointment_id AS "appointmentId", d.center_id AS "centerId",
    d.vaccine_id AS "vaccineId", l.lot_number AS "lotNumber", d.dose_number AS "doseNumber", d.site,
    ${isoInstant('d.administered_at')} AS "administeredAt", ${isoDay('d.administered_on')} AS "administeredOn",
    d.dose_number >= v.series_doses AS "seriesComplete", ${isoDay('d.next_dose_earliest')} AS "nextDoseEarliest",
    r.account_id AS "accountId", c.region
  FROM registration.doses d
  JOIN registration.lots l ON l.id = d.lot_id
  JOIN registration.vaccines v ON v.id = d.vaccine_id
  JOIN registration.registrants r ON r.id = d.registrant_id
  JOIN registration.centers c ON c.id = d.center_id`;

export async function findDose(db: Db, id: string): Promise<DoseRow | null> {
  const { rows } = await db.query<DoseRow>(`${DOSE_SELECT} WHERE d.id = $1`, [id]);
  return rows[0] ?? null;
}

export async function listDosesOfRegistrant(db: Db, registrantId: string): Promise<DoseRow[]> {
  const { rows } = await db.query<DoseRow>(`${DOSE_SELECT} WHERE d.registrant_id = $1 ORDER BY d.administered_at, d.id`, [registrantId]);
  return rows;
}

export async function insertAdverseEvent(
  db: Db,
  a: ReportAefiRequest & { id: string; doseId: string; reportedBy: AefiView['reportedBy']; reporterId: string; at: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO registration.adverse_events (id, dose_id, severity, onset_date, description, reported_by, reporter_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [a.id, a.doseId, a.severity, a.onsetDate, a.description, a.reportedBy, a.reporterId, a.at],
  );
}
