import type { Contact, Language } from '@jab/contracts';
import type { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { PRIORITY, sendJobId, type NotificationQueues } from '../queues.js';
import { recordLotRecallMessages, recordMessages, type StoredMessage } from './messages.repo.js';
import type { TemplateName, TemplateParams } from './templates.js';

export interface MessagingDeps {
  pool: Pool;
  queues: NotificationQueues;
}

/** What is stored to render later: a one-time code stays sealed until the moment it is sent. */
export interface SealedOtpParams {
  sealedCode: string;
  expiresAt: string;
}
export type StoredParams = { [T in TemplateName]: T extends 'otp' ? SealedOtpParams : TemplateParams[T] };

export interface MessageRequest<T extends TemplateName> {
  template: T;
  /** The source of the message (event id, appointment and start time…): one message per key. */
  dedupKey: string;
  accountId: string | null;
  registrantId: string | null;
  language: Language;
  /** Where it goes first; the account's other known contact is the fallback. */
  contact: Contact;
  params: StoredParams[T];
  /** Send to exactly this address (one-time codes) rather than the account's contacts. */
  explicitDestination?: boolean;
}

/**
 * Records the message (once per dedup key) and hands it to its channel's send queue. Safe to
 * repeat: the row is found again and the job id is the message's, so BullMQ adds nothing twice.
 */
export async function queueMessage<T extends TemplateName>(deps: MessagingDeps, r: MessageRequest<T>): Promise<StoredMessage> {
  const [message] = await queueMessages(deps, [r]);
  return message as StoredMessage;
}

/** `queueMessage` for many: one statement records them all, one bulk add per channel queues them. */
export async function queueMessages(deps: MessagingDeps, requests: MessageRequest<TemplateName>[]): Promise<StoredMessage[]> {
  const messages = await recordMessages(
    deps.pool,
    requests.map((r) => ({
      id: uuidv7(),
      accountId: r.accountId,
      registrantId: r.registrantId,
      template: r.template,
      language: r.language,
      channel: r.contact.channel,
      dedupKey: r.dedupKey,
      params: r.params,
      destination: r.explicitDestination ? r.contact : undefined,
      priority: PRIORITY[r.template],
    })),
  );
  await enqueueSends(deps.queues, messages);
  return messages;
}

/** Adds the send job of a message still to send (no-op for one already queued or finished). */
export async function enqueueSend(queues: NotificationQueues, m: StoredMessage, delayMs = 0): Promise<void> {
  if (m.status !== 'queued' && m.status !== 'failed') return;
  await queues.send[m.channel].add('send', { messageId: m.id }, { jobId: sendJobId(m.id), priority: m.priority, delay: delayMs });
}

/** The send jobs of the messages still to send, in one bulk add per channel (500 jobs at most each). */
export async function enqueueSends(queues: NotificationQueues, messages: StoredMessage[]): Promise<void> {
  const pending = messages.filter((m) => m.status === 'queued' || m.status === 'failed');
  for (let i = 0; i < pending.length; i += 500) {
    const chunk = pending.slice(i, i + 500);
    for (const channel of ['email', 'sms'] as const) {
      const jobs = chunk
        .filter((m) => m.channel === channel)
        .map((m) => ({ name: 'send', data: { messageId: m.id }, opts: { jobId: sendJobId(m.id), priority: m.priority } }));
      if (jobs.length > 0) await queues.send[channel].addBulk(jobs);
    }
  }
}

export async function queueLotRecall(
  deps: MessagingDeps,
  r: { eventId: string; vaccineId: string; vaccineName: string; lotNumber: string },
): Promise<number> {
  const pending = await recordLotRecallMessages(deps.pool, { ...r, priority: PRIORITY.lot_recalled });
  await enqueueSends(deps.queues, pending);
  return pending.length;
}
