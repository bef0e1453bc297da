import type { Contact, Language, MessageView } from '@jab/contracts';
import type { MessageAdminView } from '@jab/contracts';
import type { Pool } from 'pg';
import type { ChannelKind } from '../channels/channel.js';
import type { TemplateName } from './templates.js';

export type MessageStatus = MessageView['status'];

export interface NewMessage {
  id: string;
  accountId: string | null;
  registrantId: string | null;
  template: TemplateName;
  language: Language;
  channel: ChannelKind;
  dedupKey: string;
  params: object;
  /** Only for messages to an explicit address (one-time codes). */
  destination?: Contact;
  priority: number;
}

export interface StoredMessage {
  id: string;
  status: MessageStatus;
  channel: ChannelKind;
  priority: number;
}

/** Records the message once per dedup key; returns the stored row (new or existing). */
export async function recordMessage(pool: Pool, m: NewMessage): Promise<StoredMessage> {
  const [stored] = await recordMessages(pool, [m]);
  return stored as StoredMessage;
}

/**
 * Records many messages in one statement, each once per dedup key; returns the stored
 * row of each (new, or the one an earlier delivery of its event recorded), in order.
 */
export async function recordMessages(pool: Pool, ms: NewMessage[]): Promise<StoredMessage[]> {
  if (ms.length === 0) return [];
  const result = await pool.query<StoredMessage & { dedupKey: string }>(
    `WITH inserted AS (
       INSERT INTO notifications.messages
              (id, account_id, registrant_id, template, language, channel, status, dedup_key, params, destination, priority)
       SELECT id, account_id, registrant_id, template, language, channel, 'queued', dedup_key, params, destination, priority
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[], $9::jsonb[], $10::int[])
           AS m(id, account_id, registrant_id, template, language, channel, dedup_key, params, destination, priority)
       ON CONFLICT ON CONSTRAINT messages_dedup_unique DO NOTHING
       RETURNING id, status, channel, priority, dedup_key)
     SELECT id, status, channel, priority, dedup_key AS "dedupKey" FROM inserted
     UNION ALL
     SELECT id, status, channel, priority, dedup_key FROM notifications.messages
      WHERE dedup_key = ANY($7::text[]) AND dedup_key NOT IN (SELECT dedup_key FROM inserted)`,
    [
      ms.map((m) => m.id),
      ms.map((m) => m.accountId),
      ms.map((m) => m.registrantId),
      ms.map((m) => m.template),
      ms.map((m) => m.language),
      ms.map((m) => m.channel),
      ms.map((m) => m.dedupKey),
      ms.map((m) => JSON.stringify(m.params)),
      ms.map((m) => (m.destination ? JSON.stringify(m.destination) : null)),
      ms.map((m) => m.priority),
    ],
  );
  const byKey = new Map(result.rows.map(({ dedupKey, ...stored }) => [dedupKey, stored]));
  return ms.map((m) => {
    const stored = byKey.get(m.dedupKey);
    if (!stored) throw new Error(`message ${m.dedupKey} was neither recorded nor found`);
    return stored;
  });
}

/**
 * One recall notice per person who received the lot, in one statement: the fan-out is
 * as idempotent as a single message (dedup key per event and registrant).
 */
export async function recordLotRecallMessages(
  pool: Pool,
  r: { eventId: string; vaccineId: string; vaccineName: string; lotNumber: string; priority: number },
): Promise<StoredMessage[]> {
  await pool.query(
    `INSERT INTO notifications.messages
            (id, account_id, registrant_id, template, language, channel, status, dedup_key, params, priority)
     SELECT DISTINCT ON (d.registrant_id)
            gen_random_uuid(), d.account_id, d.registrant_id, 'lot_recalled', d.language,
            coalesce(rc.primary_channel, 'email'), 'queued', $1 || ':lot_recalled:' || d.registrant_id,
            jsonb_build_object('vaccine', $4::text, 'lotNumber', d.lot_number,
                               'administeredAt', to_json(d.administered_at)#>>'{}'),
            $5
       FROM notifications.doses d
       LEFT JOIN notifications.recipients rc ON rc.account_id = d.account_id
      WHERE d.vaccine_id = $2 AND d.lot_number = $3
      ORDER BY d.registrant_id, d.administered_at
     ON CONFLICT ON CONSTRAINT messages_dedup_unique DO NOTHING`,
    [r.eventId, r.vaccineId, r.lotNumber, r.vaccineName, r.priority],
  );
  // Also the ones an earlier, interrupted run recorded but may not have enqueued.
  const pending = await pool.query<StoredMessage>(
    `SELECT id, status, channel, priority FROM notifications.messages
      WHERE dedup_key LIKE $1 AND status IN ('queued', 'failed')`,
    [`${r.eventId}:lot_recalled:%`],
  );
  return pending.rows;
}

export interface DeliverableMessage {
  id: string;
  accountId: string | null;
  template: TemplateName;
  language: Language;
  channel: ChannelKind;
  status: MessageStatus;
  priority: number;
  params: Record<string, unknown>;
  destination: Contact | null;
  fallbackFrom: ChannelKind | null;
  email: string | null;
  phone: string | null;
  emailOptOut: boolean;
  smsOptOut: boolean;
}

/** The message with where it may go: its own destination, or its account's contacts and choices. */
export async function findDeliverable(pool: Pool, id: string): Promise<DeliverableMessage | undefined> {
  return (await findDeliverables(pool, [id]))[0];
}

/** Many messages with where each may go, in one read (any order; missing ids left out). */
export async function findDeliverables(pool: Pool, ids: string[]): Promise<DeliverableMessage[]> {
  const result = await pool.query<DeliverableMessage>(
    `SELECT m.id, m.account_id AS "accountId", m.template, m.language, m.channel, m.status, m.priority,
            m.params, m.destination, m.fallback_from AS "fallbackFrom", r.email, r.phone,
            coalesce(r.email_opt_out, false) AS "emailOptOut", coalesce(r.sms_opt_out, false) AS "smsOptOut"
       FROM notifications.messages m
       LEFT JOIN notifications.recipients r ON r.account_id = m.account_id
      WHERE m.id = ANY($1::uuid[])`,
    [ids],
  );
  return result.rows;
}

/**
 * Takes the message for sending, atomically: true for exactly one worker while the
 * message is still to send and nobody else holds an unexpired lease on it.
 */
export async function claimForSending(pool: Pool, id: string, leaseSeconds: number): Promise<boolean> {
  return (await claimManyForSending(pool, [id], leaseSeconds)).has(id);
}

/** `claimForSending` for many messages in one statement: the ids this worker now holds. */
export async function claimManyForSending(pool: Pool, ids: string[], leaseSeconds: number): Promise<Set<string>> {
  const result = await pool.query<{ id: string }>(
    `UPDATE notifications.messages
        SET claimed_until = now() + make_interval(secs => $2), updated_at = now()
      WHERE id = ANY($1::uuid[]) AND status IN ('queued', 'failed') AND (claimed_until IS NULL OR claimed_until < now())
      RETURNING id`,
    [ids, leaseSeconds],
  );
  return new Set(result.rows.map((r) => r.id));
}

// A sealed code has no use once the message is final: it leaves the database with it.
const DROP_SECRET = `params = params - 'sealedCode'`;

export async function markSent(pool: Pool, id: string, channel: ChannelKind, providerMessageId?: string): Promise<void> {
  await markManySent(pool, [{ id, channel, providerMessageId }]);
}

/** `markSent` for many messages in one statement. */
export async function markManySent(pool: Pool, sent: { id: string; channel: ChannelKind; providerMessageId?: string }[]): Promise<void> {
  if (sent.length === 0) return;
  await pool.query(
    `UPDATE notifications.messages AS m
        SET status = 'sent', channel = s.channel, sent_at = now(), attempts = attempts + 1, provider_message_id = s.provider_message_id,
            claimed_until = NULL, ${DROP_SECRET}, updated_at = now()
       FROM unnest($1::uuid[], $2::text[], $3::text[]) AS s(id, channel, provider_message_id)
      WHERE m.id = s.id AND m.status IN ('queued', 'failed')`,
    [sent.map((s) => s.id), sent.map((s) => s.channel), sent.map((s) => s.providerMessageId ?? null)],
  );
}

/** Records the failed attempt (a retry follows) and releases the lease so it can send. */
export async function markAttemptFailed(pool: Pool, id: string, reason: string): Promise<void> {
  await pool.query(
    `UPDATE notifications.messages
        SET status = 'failed', attempts = attempts + 1, last_error = $2, claimed_until = NULL, updated_at = now()
      WHERE id = $1 AND status IN ('queued', 'failed')`,
    [id, reason.slice(0, 500)],
  );
}

/** Final: nothing more will be tried; the reason is what support reads. */
export async function markDead(pool: Pool, id: string, reason: string, attempted: boolean): Promise<void> {
  await pool.query(
    `UPDATE notifications.messages
        SET status = 'dead', attempts = attempts + $3::int, last_error = $2, claimed_until = NULL,
            ${DROP_SECRET}, updated_at = now()
      WHERE id = $1 AND status IN ('queued', 'failed')`,
    [id, reason.slice(0, 500), attempted ? 1 : 0],
  );
}

/** Hands the message to its other channel, keeping why the first one could not take it. */
export async function moveToChannel(pool: Pool, id: string, channel: ChannelKind, reason: string, attempted: boolean): Promise<boolean> {
  const result = await pool.query(
    `UPDATE notifications.messages
        SET channel = $2, fallback_from = channel, status = 'queued', last_error = $3, attempts = attempts + $4::int,
            claimed_until = NULL, updated_at = now()
      WHERE id = $1 AND status IN ('queued', 'failed') AND fallback_from IS NULL`,
    [id, channel, reason.slice(0, 500), attempted ? 1 : 0],
  );
  return result.rowCount === 1;
}

const VIEW = `id, template, channel, status,
              to_json(created_at)#>>'{}' AS "createdAt", to_json(sent_at)#>>'{}' AS "sentAt"`;

export async function listForAccount(pool: Pool, accountId: string, limit: number): Promise<MessageView[]> {
  const result = await pool.query<MessageView>(
    `SELECT ${VIEW} FROM notifications.messages WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
    [accountId, limit],
  );
  return result.rows;
}

export async function listForRegistrant(pool: Pool, registrantId: string, limit: number): Promise<MessageAdminView[]> {
  const result = await pool.query<MessageAdminView>(
    `SELECT ${VIEW}, registrant_id AS "registrantId", language, attempts, last_error AS "lastError",
            to_json(delivered_at)#>>'{}' AS "deliveredAt"
       FROM notifications.messages WHERE registrant_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
    [registrantId, limit],
  );
  return result.rows;
}
