import type { Contact, Language, RegistrantUpdateRequest, Sex } from '@jab/contracts';
import type { PoolClient } from 'pg';

type Db = Pick<PoolClient, 'query'>;

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

export interface NewRegistrant extends Omit<RegistrantRow, 'version' | 'createdAt'> {
  nationalIdHash: Buffer | null;
  nationalIdEnc: Buffer | null;
}

const REGISTRANT_COLUMNS = `id, account_id AS "accountId", full_name AS "fullName",
  to_char(birth_date, 'YYYY-MM-DD') AS "birthDate", region,
  preferred_language AS "preferredLanguage", sex, version, created_at AS "createdAt"`;

/** Constraint names the service turns into 409s. */
export const NATIONAL_ID_UNIQUE = 'registrants_national_id_unique';
export const HOUSEHOLD_LIMIT = 'accounts_member_count_check';

/** True when `error` is PostgreSQL refusing a write on `constraint`. */
export function violates(error: unknown, constraint: string): boolean {
  return typeof error === 'object' && error !== null && (error as { constraint?: unknown }).constraint === constraint;
}

/** Creates the household account; false when that contact already has one. */
export async function insertAccount(db: Db, id: string, contact: Contact): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO registration.accounts (id, contact_channel, contact_address)
     VALUES ($1, $2, $3) ON CONFLICT ON CONSTRAINT accounts_contact_unique DO NOTHING`,
    [id, contact.channel, contact.address],
  );
  return result.rowCount === 1;
}

export async function findAccountContact(db: Db, accountId: string): Promise<Contact | undefined> {
  const result = await db.query<Contact>(
    `SELECT contact_channel AS channel, contact_address AS address FROM registration.accounts WHERE id = $1`,
    [accountId],
  );
  return result.rows[0];
}

/** Inserting counts the person into their household (trigger); the fifth fails on HOUSEHOLD_LIMIT. */
export async function insertRegistrant(db: Db, r: NewRegistrant): Promise<RegistrantRow> {
  const result = await db.query<RegistrantRow>(
    `INSERT INTO registration.registrants
       (id, account_id, full_name, birth_date, region, preferred_language, sex, national_id_hash, national_id_enc)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${REGISTRANT_COLUMNS}`,
    [r.id, r.accountId, r.fullName, r.birthDate, r.region, r.preferredLanguage, r.sex, r.nationalIdHash, r.nationalIdEnc],
  );
  return result.rows[0];
}

export async function findRegistrantsByAccount(db: Db, accountId: string): Promise<RegistrantRow[]> {
  const result = await db.query<RegistrantRow>(
    `SELECT ${REGISTRANT_COLUMNS} FROM registration.registrants WHERE account_id = $1 ORDER BY created_at, id`,
    [accountId],
  );
  return result.rows;
}

export async function findRegistrant(db: Db, id: string): Promise<(RegistrantRow & { nationalIdEnc: Buffer | null }) | undefined> {
  const result = await db.query<RegistrantRow & { nationalIdEnc: Buffer | null }>(
    `SELECT ${REGISTRANT_COLUMNS}, national_id_enc AS "nationalIdEnc" FROM registration.registrants WHERE id = $1`,
    [id],
  );
  return result.rows[0];
}

/** Applies the given fields to a person of `accountId` and bumps the version; undefined if not theirs. */
export async function updateRegistrant(
  db: Db,
  id: string,
  accountId: string,
  patch: RegistrantUpdateRequest,
): Promise<RegistrantRow | undefined> {
  const result = await db.query<RegistrantRow>(
    `UPDATE registration.registrants SET
        full_name = COALESCE($3, full_name),
        birth_date = COALESCE($4::date, birth_date),
        region = COALESCE($5, region),
        preferred_language = COALESCE($6, preferred_language),
        sex = COALESCE($7, sex),
        version = version + 1,
        updated_at = now()
      WHERE id = $1 AND account_id = $2
      RETURNING ${REGISTRANT_COLUMNS}`,
    [id, accountId, patch.fullName ?? null, patch.birthDate ?? null, patch.region ?? null, patch.preferredLanguage ?? null, patch.sex ?? null],
  );
  return result.rows[0];
}
