import { z } from 'zod';
import {
  birthDateSchema,
  contactSchema,
  isoDate,
  languageSchema,
  regionSchema,
  searchCursor,
} from './common.js';
import { sexSchema } from './events.js';

// ---- registration ----
export const registerRequest = z.object({
  fullName: z.string().trim().min(2, 'must be at least 2 characters').max(200),
  birthDate: birthDateSchema,
  region: regionSchema,
  preferredLanguage: languageSchema,
  sex: sexSchema.default('unknown'),
  contact: contactSchema,
  /**
   * Optional national ID number; spaces and hyphens are ignored. Stored only as a keyed
   * hash (one registration per ID) and an encrypted value, never returned in clear.
   */
  nationalId: z
    .string()
    .transform((s) => s.replace(/[\s-]/g, '').toUpperCase())
    .pipe(
      z.string().regex(/^[A-Z0-9]{4,24}$/, 'must be 4 to 24 letters or digits'),
    )
    .optional(),
});
export type RegisterRequest = z.infer<typeof registerRequest>;

export const registrantView = z.object({
  id: z.uuid(),
  fullName: z.string(),
  birthDate: isoDate,
  region: regionSchema,
  preferredLanguage: languageSchema,
  sex: sexSchema,
  /** Bumped by every change; events carry it so consumers keep the newest. */
  version: z.number().int().positive(),
  createdAt: z.string(),
});
export type RegistrantView = z.infer<typeof registrantView>;

export const registerResponse = z.object({
  registrant: registrantView,
  accessToken: z.string(),
});
export type RegisterResponse = z.infer<typeof registerResponse>;

export const staffSessionRequest = z.object({
  email: z.email('must be an email address').max(254),
  password: z.string().min(1, 'is required').max(256),
});
export const staffSessionResponse = z.object({
  accessToken: z.string(),
  role: z.string(),
});
export type StaffSessionResponse = z.infer<typeof staffSessionResponse>;

// ---- notifications ----
export const MESSAGE_STATUSES = [
  'queued',
  'sent',
  'delivered',
  'failed',
  'dead',
] as const;
export const messageView = z.object({
  id: z.uuid(),
  template: z.string(),
  channel: z.enum(['email', 'sms', 'sink']),
  status: z.enum(MESSAGE_STATUSES),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
});
export type MessageView = z.infer<typeof messageView>;
export const messageList = z.object({ items: z.array(messageView) });

// ---- search ----
/** Staff search over registrants: a name (any script) and/or a phone suffix, narrowed by filters. */
export const registrantSearchQuery = z
  .object({
    q: z
      .string()
      .trim()
      .min(2, 'must be at least 2 characters')
      .max(100)
      .optional(),
    region: regionSchema.optional(),
    birthYear: z.coerce.number().int().min(1900).max(2200).optional(),
    /** The last 4 digits of the person's phone number. */
    phoneSuffix: z
      .string()
      .regex(/^\d{4}$/, 'must be the last 4 digits of a phone number')
      .optional(),
    sort: z.enum(['relevance', 'name']).default('relevance'),
    /** Opaque `nextCursor` of the previous page. */
    cursor: searchCursor.optional(),
    limit: z.coerce.number().int().min(1).max(50).default(20),
  })
  .refine((query) => query.q !== undefined || query.phoneSuffix !== undefined, {
    path: ['q'],
    message: 'is required unless phoneSuffix is given',
  });
export type RegistrantSearchQuery = z.infer<typeof registrantSearchQuery>;
export const registrantHit = z.object({
  id: z.uuid(),
  fullName: z.string(),
  birthYear: z.number().int(),
  region: z.string(),
  /** The phone suffix masked to its last 2 digits (`••34`), or null when none is known. */
  phoneHint: z.string().nullable(),
});
export type RegistrantHit = z.infer<typeof registrantHit>;
export const registrantSearchResponse = z.object({
  items: z.array(registrantHit),
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type RegistrantSearchResponse = z.infer<typeof registrantSearchResponse>;

// ---- analytics ----
export const dailyRegistrationsQuery = z
  .object({
    from: isoDate.optional(),
    to: isoDate.optional(),
    region: regionSchema.optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    message: 'from must not be after to',
    path: ['from'],
  });
export const dailyRegistrations = z.object({
  items: z.array(z.object({ day: isoDate, count: z.number().int() })),
  total: z.number().int(),
});
export type DailyRegistrations = z.infer<typeof dailyRegistrations>;
