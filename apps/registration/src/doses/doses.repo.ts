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
  lotId: string;
}

const DOSE_SELECT = `SELECT d.id, d.registrant_id AS "registrantId", d.appointment_id AS "appointmentId", d.center_id AS "centerId",
    d.vaccine_id AS "vaccineId", l.lot_number AS "lotNumber", d.dose_number AS "doseNumber", d.site,
    ${isoInstant('d.administered_at')} AS "administeredAt", ${isoDay('d.administered_on')} AS "administeredOn",
    d.dose_number >= v.series_doses AS "seriesComplete", ${isoDay('d.next_dose_earliest')} AS "nextDoseEarliest",
    (SELECT ce.id FROM registration.certificates ce WHERE ce.dose_id = d.id AND ce.revoked_at IS NULL) AS "certificateId",
    r.account_id AS "accountId", c.region, d.lot_id AS "lotId"
  FROM registration.doses d
  JOIN registration.lots l ON l.id = d.lot_id
  JOIN registration.vaccines v ON v.id = d.vaccine_id
  JOIN registration.registrants r ON r.id = d.registrant_id
  JOIN registration.centers c ON c.id = d.center_id`;

export async function findDose(db: Db, id: string, lock = false): Promise<DoseRow | null> {
  const { rows } = await db.query<DoseRow>(`${DOSE_SELECT} WHERE d.id = $1 ${lock ? 'FOR UPDATE OF d' : ''}`, [id]);
  return rows[0] ?? null;
}

/** The corrected fields of a dose, and the next dose's earliest day that follows from them. */
export interface DoseFix {
  lotId: string;
  site: DoseView['site'];
  administeredAt: string;
  administeredOn: string;
  nextDoseEarliest: string | null;
}

export async function updateDose(db: Db, id: string, fix: DoseFix): Promise<void> {
  await db.query(
    `UPDATE registration.doses SET lot_id = $2, site = $3, administered_at = $4, administered_on = $5, next_dose_earliest = $6,
       updated_at = now() WHERE id = $1`,
    [id, fix.lotId, fix.site, fix.administeredAt, fix.administeredOn, fix.nextDoseEarliest],
  );
}

export interface DoseFacts {
  lotNumber: string;
  site: DoseView['site'];
  administeredAt: string;
}

export async function insertCorrection(
  db: Db,
  c: { id: string; doseId: string; before: DoseFacts; after: DoseFacts; reason: string; correctedBy: string; at: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO registration.dose_corrections (id, dose_id, before, after, reason, corrected_by, corrected_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [c.id, c.doseId, JSON.stringify(c.before), JSON.stringify(c.after), c.reason, c.correctedBy, c.at],
  );
}

/** When the doses just before and after `doseNumber` of the same series were given, if they were. */
export async function seriesNeighbours(
  db: Db,
  d: { registrantId: string; vaccineId: string; doseNumber: number },
): Promise<{ previous: string | null; next: string | null }> {
  const { rows } = await db.query<{ doseNumber: number; administeredAt: string }>(
    `SELECT dose_number AS "doseNumber", ${isoInstant('administered_at')} AS "administeredAt" FROM registration.doses
      WHERE registrant_id = $1 AND vaccine_id = $2 AND dose_number IN ($3 - 1, $3 + 1)`,
    [d.registrantId, d.vaccineId, d.doseNumber],
  );
  const at = (n: number) => rows.find((r) => r.doseNumber === n)?.administeredAt ?? null;
  return { previous: at(d.doseNumber - 1), next: at(d.doseNumber + 1) };
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
