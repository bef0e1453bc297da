import type { Contact, Language, Sex } from '@jab/contracts';
import type { PoolClient } from 'pg';

export interface RegistrantRow {
  id: string;
  accountId: string;
  fullName: string;
  birthDate: string;
  region: string;
  preferredLanguage: Language;
  sex: Sex;
  version: number;
  createdAt: Date;
}

const REGISTRANT_COLUMNS = `id, account_id AS "accountId", full_name AS "fullName",
  to_char(birth_date, 'YYYY-MM-DD') AS "birthDate", region,
  preferred_language AS "preferredLanguage", sex, version, created_at AS "createdAt"`;

/** Creates the household account; false when that contact already has one. */
export async function insertAccount(db: PoolClient, id: string, contact: Contact): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO registration.accounts (id, contact_channel, contact_address)
     VALUES ($1, $2, $3) ON CONFLICT ON CONSTRAINT accounts_contact_unique DO NOTHING`,
    [id, contact.channel, contact.address],
  );
  return result.rowCount === 1;
}

export async function insertRegistrant(
  db: PoolClient,
  r: Omit<RegistrantRow, 'version' | 'createdAt'>,
): Promise<RegistrantRow> {
  const result = await db.query<RegistrantRow>(
    `INSERT INTO registration.registrants (id, account_id, full_name, birth_date, region, preferred_language, sex)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${REGISTRANT_COLUMNS}`,
    [r.id, r.accountId, r.fullName, r.birthDate, r.region, r.preferredLanguage, r.sex],
  );
  return result.rows[0];
}

export async function findRegistrantsByAccount(
  db: Pick<PoolClient, 'query'>,
  accountId: string,
): Promise<RegistrantRow[]> {
  const result = await db.query<RegistrantRow>(
    `SELECT ${REGISTRANT_COLUMNS} FROM registration.registrants WHERE account_id = $1 ORDER BY created_at`,
    [accountId],
  );
  return result.rows;
}
