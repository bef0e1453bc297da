import type { Pool } from 'pg';

export interface MessageRef {
  jabId?: string;
  providerMessageId?: string;
}

/** Matches the message by Jab's id when the event carries it, else by the provider's Message-ID. */
function match(ref: MessageRef, values: unknown[]): string | undefined {
  if (ref.jabId && /^[0-9a-f-]{36}$/i.test(ref.jabId)) return `id = $${values.push(ref.jabId)}::uuid`;
  if (ref.providerMessageId) return `btrim(provider_message_id, '<>') = $${values.push(ref.providerMessageId)}`;
  return undefined;
}

/** sent → delivered (the provider handed it to the recipient's mailbox); repeats change nothing. */
export async function markDelivered(pool: Pool, ref: MessageRef, at: Date): Promise<boolean> {
  const values: unknown[] = [at];
  const where = match(ref, values);
  if (!where) return false;
  const result = await pool.query(
    `UPDATE notifications.messages SET status = 'delivered', delivered_at = $1, updated_at = now()
      WHERE ${where} AND channel = 'email' AND status = 'sent'`,
    values,
  );
  return result.rowCount === 1;
}

/** A permanent bounce ends the message: dead, with the reason (never the address). */
export async function markBounced(pool: Pool, ref: MessageRef): Promise<boolean> {
  const values: unknown[] = [];
  const where = match(ref, values);
  if (!where) return false;
  const result = await pool.query(
    `UPDATE notifications.messages SET status = 'dead', last_error = 'email bounced permanently', updated_at = now()
      WHERE ${where} AND channel = 'email' AND status IN ('sent', 'delivered')`,
    values,
  );
  return result.rowCount === 1;
}
