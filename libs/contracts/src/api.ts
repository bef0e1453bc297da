import { z } from 'zod';
import { contactSchema, isoDate, languageSchema, regionSchema } from './common.js';
import { sexSchema } from './events.js';

const today = () => new Date().toISOString().slice(0, 10);

// ---- registration ----
export const registerRequest = z.object({
  fullName: z.string().trim().min(2, 'must be at least 2 characters').max(200),
  birthDate: isoDate.refine((d) => d >= '1900-01-01' && d <= today(), 'must be a real date in the past'),
  region: regionSchema,
  preferredLanguage: languageSchema,
  sex: sexSchema.default('unknown'),
  contact: contactSchema,
});
export type RegisterRequest = z.infer<typeof registerRequest>;

export const registrantView = z.object({
  id: z.uuid(),
  fullName: z.string(),
  birthDate: isoDate,
  region: regionSchema,
  preferredLanguage: languageSchema,
  sex: sexSchema,
  createdAt: z.string(),
});
export type RegistrantView = z.infer<typeof registrantView>;

export const registerResponse = z.object({ registrant: registrantView, accessToken: z.string() });
export type RegisterResponse = z.infer<typeof registerResponse>;

export const staffSessionRequest = z.object({
  email: z.email('must be an email address').max(254),
  password: z.string().min(1, 'is required').max(256),
});
export const staffSessionResponse = z.object({ accessToken: z.string(), role: z.string() });
export type StaffSessionResponse = z.infer<typeof staffSessionResponse>;

// ---- notifications ----
export const MESSAGE_STATUSES = ['queued', 'sent', 'delivered', 'failed', 'dead'] as const;
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
export const registrantSearchQuery = z.object({
  q: z.string().trim().min(2, 'must be at least 2 characters').max(100),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export const registrantHit = z.object({
  id: z.uuid(),
  fullName: z.string(),
  birthYear: z.number().int(),
  region: z.string(),
});
export type RegistrantHit = z.infer<typeof registrantHit>;
export const registrantSearchResponse = z.object({ items: z.array(registrantHit) });

// ---- analytics ----
export const dailyRegistrationsQuery = z
  .object({
    from: isoDate.optional(),
    to: isoDate.optional(),
    region: regionSchema.optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });
export const dailyRegistrations = z.object({
  items: z.array(z.object({ day: isoDate, count: z.number().int() })),
  total: z.number().int(),
});
export type DailyRegistrations = z.infer<typeof dailyRegistrations>;
