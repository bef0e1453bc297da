import { z } from 'zod';
import { languageSchema } from './common.js';
import { messageView } from './api.js';
import { accessReason } from './identity.api.js';

/** `GET /messages`: a citizen reads their own; an admin names the registrant. */
export const messagesQuery = z.object({
  registrantId: z.uuid('must be a registrant id (UUID)').optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  /** Staff: why they open the person's messages (or header X-Access-Reason). */
  reason: accessReason.optional(),
});
export type MessagesQuery = z.infer<typeof messagesQuery>;

/** What support sees of a message: its delivery history, never its content. */
export const messageAdminView = messageView.extend({
  registrantId: z.uuid().nullable(),
  language: languageSchema,
  attempts: z.number().int(),
  /** Why the last attempt failed, or why the message is dead. */
  lastError: z.string().nullable(),
  deliveredAt: z.string().nullable(),
});
export type MessageAdminView = z.infer<typeof messageAdminView>;
export const messageAdminList = z.object({ items: z.array(messageAdminView) });

/**
 * The channels a citizen accepts messages on (true = accepted). One-time sign-in codes
 * ignore these choices: they are how a person gets in at all.
 */
export const channelPreferences = z.strictObject({
  email: z.boolean({ error: 'must be true or false' }),
  sms: z.boolean({ error: 'must be true or false' }),
});
export type ChannelPreferences = z.infer<typeof channelPreferences>;
