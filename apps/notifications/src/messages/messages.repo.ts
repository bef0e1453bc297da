import type { Language, MessageView } from '@jab/contracts';
import type { Pool } from 'pg';

export interface NewMessage {
  id: string;
  accountId: string;
  registrantId: string;
  template: string;
  language: Language;
  channel: 'email' | 'sms';
  dedupKey: string;
}

/** Records the message once per dedup key; returns the stored id and status. */
export async function recordMessage(pool: Pool, m: NewMessage): Promise<{ id: string; status: MessageView['status'] }> {
  const result = await pool.query<{ id: string; status: MessageView['status'] }>(
    `WITH inserted AS (
       INSERT INTO notifications.messages (id, account_id, registrant_id, template, language, channel, status, dedup_key)
       VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7)
       ON CONFLICT ON CONSTRAINT messages_dedup_unique DO NOTHING
       RETURNING id, status)
     SELECT id, status FROM inserted
     UNION ALL
     SELECT id, status FROM notifications.messages WHERE dedup_key = $7
     LIMIT 1`,
    [m.id, m.accountId, m.registrantId, m.template, m.language, m.channel, m.dedupKey],
  );
  return result.rows[0];
}

/**
 * Takes the message for sending, atomically: true for exactly one worker while the
 * message is queued and nobody else holds an unexpired lease on it.
 */
export async function claimForSending(pool: Pool, id: string, leaseSeconds: number): Promise<boolean> {
  const result = await pool.query(
    `UPDATE notifications.messages
        SET claimed_until = now() + make_interval(secs => $2), updated_at = now()
      WHERE id = $1 AND status = 'queued' AND (claimed_until IS NULL OR claimed_until < now())`,
    [id, leaseSeconds],
  );
  return result.rowCount === 1;
}

export async function markSent(pool: Pool, id: string): Promise<void> {
  await pool.query(
    `UPDATE notifications.messages
        SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL,
            claimed_until = NULL, updated_at = now()
      WHERE id = $1 AND status = 'queued'`,
    [id],
  );
}

/** Records the failed attempt and releases the lease so a retry can send. */
export async function markAttemptFailed(pool: Pool, id: string, reason: string): Promise<void> {
  await pool.query(
    `UPDATE notifications.messages
        SET attempts = attempts + 1, last_error = $2, claimed_until = NULL, updated_at = now()
      WHERE id = $1 AND status = 'queued'`,
    [id, reason.slice(0, 500)],
  );
}

export async function listForAccount(pool: Pool, accountId: string, limit = 50): Promise<MessageView[]> {
  const result = await pool.query<MessageView>(
    `SELECT id, template, channel, status,
            to_json(created_at)#>>'{}' AS "createdAt", to_json(sent_at)#>>'{}' AS "sentAt"
       FROM notifications.messages WHERE account_id = $1
      ORDER BY created_at DESC LIMIT $2`,
    [accountId, limit],
  );
  return result.rows;
}
