import type { CertificateSummary } from '@jab/contracts';
import { isoInstant, type Db } from '../catalogue/sql.js';

export interface NewCertificate {
  id: string;
  doseId: string;
  registrantId: string;
  kid: string;
  jws: string;
  issuedAt: Date;
}

export async function insertCertificate(db: Db, c: NewCertificate): Promise<void> {
  await db.query(
    `INSERT INTO registration.certificates (id, dose_id, registrant_id, kid, jws, issued_at) VALUES ($1, $2, $3, $4, $5, $6)`,
    [c.id, c.doseId, c.registrantId, c.kid, c.jws, c.issuedAt],
  );
}

/** Revokes the dose's current certificate and returns its id; null when it has none. */
export async function revokeCurrentCertificate(db: Db, doseId: string, reason: string, at: Date): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE registration.certificates SET revoked_at = $2, revoke_reason = $3, updated_at = now()
      WHERE dose_id = $1 AND revoked_at IS NULL RETURNING id`,
    [doseId, at, reason],
  );
  return rows[0]?.id ?? null;
}

export async function markReplaced(db: Db, id: string, replacedBy: string): Promise<void> {
  await db.query(`UPDATE registration.certificates SET replaced_by = $2, updated_at = now() WHERE id = $1`, [id, replacedBy]);
}

export interface CertificateRow extends CertificateSummary {
  jws: string;
  accountId: string;
  region: string;
}

const CERTIFICATE_SELECT = `SELECT ce.id, ce.registrant_id AS "registrantId", ce.dose_id AS "doseId", d.dose_number AS "doseNumber",
    d.vaccine_id AS "vaccineId", v.name AS "vaccineName", ${isoInstant('d.administered_at')} AS "administeredAt",
    ${isoInstant('ce.issued_at')} AS "issuedAt", ce.revoked_at IS NOT NULL AS revoked, ${isoInstant('ce.revoked_at')} AS "revokedAt",
    ce.replaced_by AS "replacedBy", ce.jws, r.account_id AS "accountId", r.region
  FROM registration.certificates ce
  JOIN registration.doses d ON d.id = ce.dose_id
  JOIN registration.vaccines v ON v.id = d.vaccine_id
  JOIN registration.registrants r ON r.id = ce.registrant_id`;

export async function findCertificate(db: Db, id: string): Promise<CertificateRow | null> {
  const { rows } = await db.query<CertificateRow>(`${CERTIFICATE_SELECT} WHERE ce.id = $1`, [id]);
  return rows[0] ?? null;
}

/** Certificates of a household (optionally one person of it), newest first. */
export async function listCertificatesOfAccount(
  db: Db,
  accountId: string,
  filter: { registrantId?: string; includeRevoked: boolean },
): Promise<CertificateRow[]> {
  const { rows } = await db.query<CertificateRow>(
    `${CERTIFICATE_SELECT}
      WHERE r.account_id = $1 AND ($2::uuid IS NULL OR ce.registrant_id = $2) AND ($3 OR ce.revoked_at IS NULL)
      ORDER BY ce.issued_at DESC, ce.id DESC`,
    [accountId, filter.registrantId ?? null, filter.includeRevoked],
  );
  return rows;
}

export async function listCertificatesOfRegistrant(db: Db, registrantId: string, includeRevoked: boolean): Promise<CertificateRow[]> {
  const { rows } = await db.query<CertificateRow>(
    `${CERTIFICATE_SELECT} WHERE ce.registrant_id = $1 AND ($2 OR ce.revoked_at IS NULL) ORDER BY ce.issued_at DESC, ce.id DESC`,
    [registrantId, includeRevoked],
  );
  return rows;
}

/** Vaccine names by id, for the verification summary. */
export async function vaccineNames(db: Db, ids: string[]): Promise<Map<string, string>> {
  const { rows } = await db.query<{ id: string; name: string }>(`SELECT id, name FROM registration.vaccines WHERE id = ANY($1::uuid[])`, [ids]);
  return new Map(rows.map((r) => [r.id, r.name]));
}
