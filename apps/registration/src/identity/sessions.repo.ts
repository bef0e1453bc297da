import type { Contact, Language } from '@jab/contracts';
import type { PoolClient } from 'pg';
import { isoInstant } from '../catalogue/sql.js';

type Db = Pick<PoolClient, 'query'>;

/** At most this many guesses per code; the table's CHECK holds the same bound. */
export const MAX_CODE_ATTEMPTS = 5;

/**
 * Stores a destination's new sign-in code, replacing any earlier one (only the newest
 * is valid), and its `otp.requested` event, in one statement and
 * so one round trip and one commit: earlier codes of the destination go, the new one
 * (its hash only) comes with its expiry, and the event (built by the caller, with the
 * sealed code) gets that expiry and the language: the one asked for, else that of the
 * contact's household if there is one, else English.
 */
export async function writeOtpCode(
  db: Db,
  row: { id: string; destinationHash: Buffer; codeHash: Buffer; ttlSeconds: number; contact: Contact; language?: Language },
  event: { id: string; type: string; payload: unknown; occurredAt: string },
): Promise<Date> {
  const result = await db.query<{ expiresAt: Date }>(
    `WITH gone AS (DELETE FROM registration.otp_codes WHERE destination_hash = $2),
          code AS (INSERT INTO registration.otp_codes (id, destination_hash, code_hash, expires_at)
                   VALUES ($1, $2, $3, now() + make_interval(secs => $4)) RETURNING expires_at),
          language AS (SELECT coalesce($5::text,
                         (SELECT r.preferred_language FROM registration.accounts a JOIN registration.registrants r ON r.account_id = a.id
                           WHERE a.contact_channel = $6 AND a.contact_address = $7 ORDER BY r.created_at LIMIT 1),
                         'en') AS value),
          event AS (INSERT INTO registration.outbox (id, type, payload, occurred_at)
                    SELECT $8, $9, jsonb_set(jsonb_set($10::jsonb, '{data,expiresAt}', to_jsonb(${isoInstant('code.expires_at')})),
                                             '{data,preferredLanguage}', to_jsonb(language.value)), $11
                      FROM code, language)
     SELECT expires_at AS "expiresAt" FROM code`,
    [
      row.id,
      row.destinationHash,
      row.codeHash,
      row.ttlSeconds,
      row.language ?? null,
      row.contact.channel,
      row.contact.address,
      event.id,
      event.type,
      JSON.stringify(event.payload),
      event.occurredAt,
    ],
  );
  return (result.rows[0] as { expiresAt: Date }).expiresAt;
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
