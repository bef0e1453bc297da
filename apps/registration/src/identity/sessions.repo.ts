import type { Contact, Language } from '@jab/contracts';
import type { PoolClient } from 'pg';

type Db = Pick<PoolClient, 'query'>;

/** At most this many guesses per code; the table's CHECK holds the same bound. */
export const MAX_CODE_ATTEMPTS = 5;

/** Stores a new code for the destination, replacing any earlier one (only the newest is valid). */
export async function replaceOtpCode(
  db: Db,
  row: { id: string; destinationHash: Buffer; codeHash: Buffer; ttlSeconds: number },
): Promise<Date> {
  await db.query(`DELETE FROM registration.otp_codes WHERE destination_hash = $1`, [row.destinationHash]);
  const result = await db.query<{ expiresAt: Date }>(
    `INSERT INTO registration.otp_codes (id, destination_hash, code_hash, expires_at)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4)) RETURNING expires_at AS "expiresAt"`,
    [row.id, row.destinationHash, row.codeHash, row.ttlSeconds],
  );
  return result.rows[0].expiresAt;
}

/**
 * Spends one attempt on the destination's live code and consumes it when the hash
 * matches, in one statement: concurrent guesses queue on the row lock and re-check
 * the attempt count, so no code ever sees more than MAX_CODE_ATTEMPTS guesses.
 */
export async function attemptOtpCode(db: Db, destinationHash: Buffer, codeHash: Buffer): Promise<boolean> {
  const result = await db.query<{ ok: boolean }>(
    `UPDATE registration.otp_codes
        SET attempts = attempts + 1,
            consumed_at = CASE WHEN code_hash = $2 THEN now() END
      WHERE id = (SELECT id FROM registration.otp_codes WHERE destination_hash = $1
                   ORDER BY created_at DESC LIMIT 1 FOR UPDATE)
        AND consumed_at IS NULL AND expires_at > now() AND attempts < $3
      RETURNING consumed_at IS NOT NULL AS ok`,
    [destinationHash, codeHash, MAX_CODE_ATTEMPTS],
  );
  return result.rows[0]?.ok === true;
}

/** The language of the household's first person, to send the code in. */
export async function languageForContact(db: Db, contact: Contact): Promise<Language | undefined> {
  const result = await db.query<{ language: Language }>(
    `SELECT r.preferred_language AS language
       FROM registration.accounts a JOIN registration.registrants r ON r.account_id = a.id
      WHERE a.contact_channel = $1 AND a.contact_address = $2
      ORDER BY r.created_at LIMIT 1`,
    [contact.channel, contact.address],
  );
  return result.rows[0]?.language;
}

/** The contact's household account, created on its first sign-in. */
export async function findOrCreateAccount(db: Db, id: string, contact: Contact): Promise<string> {
  // DO UPDATE (a no-op) rather than DO NOTHING so RETURNING yields the existing row too.
  const result = await db.query<{ id: string }>(
    `INSERT INTO registration.accounts (id, contact_channel, contact_address) VALUES ($1, $2, $3)
     ON CONFLICT ON CONSTRAINT accounts_contact_unique DO UPDATE SET contact_channel = EXCLUDED.contact_channel
     RETURNING id`,
    [id, contact.channel, contact.address],
  );
  return result.rows[0].id;
}

export async function insertRefreshToken(
  db: Db,
  row: { id: string; familyId: string; accountId: string; hash: Buffer; ttlDays: number },
): Promise<void> {
  await db.query(
    `INSERT INTO registration.refresh_tokens (id, family_id, account_id, token_hash, expires_at)
     VALUES ($1, $2, $3, $4, now() + make_interval(days => $5))`,
    [row.id, row.familyId, row.accountId, row.hash, row.ttlDays],
  );
}

/** Marks a live token used (once: the row lock makes a concurrent second use miss). */
export async function useRefreshToken(db: Db, hash: Buffer): Promise<{ familyId: string; accountId: string } | undefined> {
  const result = await db.query<{ familyId: string; accountId: string }>(
    `UPDATE registration.refresh_tokens SET used_at = now()
      WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
      RETURNING family_id AS "familyId", account_id AS "accountId"`,
    [hash],
  );
  return result.rows[0];
}

export async function findRefreshToken(db: Db, hash: Buffer): Promise<{ familyId: string; used: boolean } | undefined> {
  const result = await db.query<{ familyId: string; used: boolean }>(
    `SELECT family_id AS "familyId", used_at IS NOT NULL AS used FROM registration.refresh_tokens WHERE token_hash = $1`,
    [hash],
  );
  return result.rows[0];
}

export async function revokeFamily(db: Db, familyId: string): Promise<void> {
  await db.query(`UPDATE registration.refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL`, [
    familyId,
  ]);
}
