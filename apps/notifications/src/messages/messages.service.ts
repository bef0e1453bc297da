import type { RegistrantRegisteredEvent } from '@jab/contracts';
import type { Logger } from '@jab/logger';
import type { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { Channel } from '../channels/channel.js';
import { claimForSending, markAttemptFailed, markSent, recordMessage } from './messages.repo.js';
import { render } from './templates.js';

/** Longer than any send may take; after it, a crashed worker's message can be retried. */
const SEND_LEASE_SECONDS = 60;

/**
 * Greets a newly registered person in their language. Idempotent on the event id:
 * a redelivered event finds the message already sent and does nothing.
 */
export async function sendWelcome(
  deps: { pool: Pool; channel: Channel; logger: Logger },
  event: RegistrantRegisteredEvent,
): Promise<void> {
  const { data } = event;
  const message = await recordMessage(deps.pool, {
    id: uuidv7(),
    accountId: data.accountId,
    registrantId: data.registrantId,
    template: 'welcome',
    language: data.preferredLanguage,
    channel: data.contact.channel,
    dedupKey: `${event.id}:welcome`,
  });
  // Sent already, or another worker is sending it right now (a duplicate delivery):
  // either way this delivery has nothing to do.
  if (message.status !== 'queued' || !(await claimForSending(deps.pool, message.id, SEND_LEASE_SECONDS))) return;
  const firstName = data.fullName.split(/\s+/)[0];
  const content = render('welcome', data.preferredLanguage, { firstName });
  try {
    await deps.channel.send({ messageId: message.id, to: data.contact, ...content });
  } catch (error) {
    await markAttemptFailed(deps.pool, message.id, error instanceof Error ? error.message : String(error));
    throw error;
  }
  await markSent(deps.pool, message.id);
  deps.logger.info({ messageId: message.id, template: 'welcome', eventId: event.id }, 'message sent');
}
