import { z } from 'zod';

/**
 * The part of an SES event (configuration-set event publishing, or identity
 * notifications) that says what happened to one email.
 */
export const sesEvent = z.object({
  eventType: z.string().optional(),
  notificationType: z.string().optional(),
  mail: z.object({
    messageId: z.string(),
    headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
    commonHeaders: z.object({ messageId: z.string().optional() }).loose().optional(),
  }).loose(),
  delivery: z.object({ timestamp: z.string() }).loose().optional(),
  bounce: z.object({ bounceType: z.string(), timestamp: z.string() }).loose().optional(),
  complaint: z.object({ timestamp: z.string() }).loose().optional(),
}).loose();
export type SesEvent = z.infer<typeof sesEvent>;

export type DeliveryOutcome =
  | { kind: 'delivered'; at: Date }
  | { kind: 'bounced'; at: Date }
  | { kind: 'ignored' };

/** Delivery → delivered; a permanent bounce → failed for good; the rest changes nothing. */
export function outcomeOf(event: SesEvent): DeliveryOutcome {
  const type = event.eventType ?? event.notificationType;
  if (type === 'Delivery' && event.delivery) return { kind: 'delivered', at: new Date(event.delivery.timestamp) };
  if (type === 'Bounce' && event.bounce?.bounceType === 'Permanent') return { kind: 'bounced', at: new Date(event.bounce.timestamp) };
  return { kind: 'ignored' };
}

const bare = (id: string) => id.trim().replace(/^<|>$/g, '');

/**
 * The Jab message the event is about: the `X-Jab-Message-Id` header the email channel
 * sets, else the Message-ID the SMTP transport reported when it sent.
 */
export function messageRefOf(event: SesEvent): { jabId?: string; providerMessageId?: string } {
  const header = event.mail.headers?.find((h) => h.name.toLowerCase() === 'x-jab-message-id')?.value;
  const providerMessageId = event.mail.commonHeaders?.messageId;
  return { jabId: header?.trim(), providerMessageId: providerMessageId ? bare(providerMessageId) : undefined };
}
