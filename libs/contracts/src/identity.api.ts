import { z } from 'zod';
import { birthDateSchema, contactSchema, languageSchema, regionSchema } from './common.js';
import { registerRequest, registrantView } from './api.js';
import { sexSchema } from './events.js';

// ---- citizen sign-in by one-time code ----
export const otpRequest = z.object({
  contact: contactSchema,
  /** Language of the message carrying the code, when the contact has no household yet. */
  preferredLanguage: languageSchema.optional(),
});
export type OtpRequest = z.infer<typeof otpRequest>;

/** The same answer whether or not the contact has an account. */
export const otpAccepted = z.object({ expiresInSeconds: z.number().int().positive() });
export type OtpAccepted = z.infer<typeof otpAccepted>;

export const sessionRequest = z.object({
  contact: contactSchema,
  code: z.string().regex(/^\d{6}$/, 'must be the 6-digit code'),
});
export type SessionRequest = z.infer<typeof sessionRequest>;

export const sessionTokens = z.object({
  /** ES256 JWT, role `citizen`, subject the household account. */
  accessToken: z.string(),
  /** Opaque; single use: every refresh returns a new one. */
  refreshToken: z.string(),
  expiresIn: z.number().int().positive(),
});
export type SessionTokens = z.infer<typeof sessionTokens>;

export const refreshRequest = z.object({ refreshToken: z.string().min(20).max(200) });
export type RefreshRequest = z.infer<typeof refreshRequest>;

// ---- household ----
/** `POST /registrants`: anonymous callers must give a contact; signed-in citizens add to their household. */
export const registrantCreateRequest = registerRequest.extend({ contact: contactSchema.optional() });
export type RegistrantCreateRequest = z.infer<typeof registrantCreateRequest>;

export const registrantCreated = z.object({
  registrant: registrantView,
  /** Only when the registration created a new household account. */
  accessToken: z.string().optional(),
});
export type RegistrantCreated = z.infer<typeof registrantCreated>;

export const registrantUpdateRequest = z
  .object({
    fullName: z.string().trim().min(2, 'must be at least 2 characters').max(200),
    birthDate: birthDateSchema,
    region: regionSchema,
    preferredLanguage: languageSchema,
    sex: sexSchema,
  })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'must change at least one field');
export type RegistrantUpdateRequest = z.infer<typeof registrantUpdateRequest>;

export const registrantIdParams = z.object({ id: z.uuid('must be a registrant id') });

export const householdList = z.object({ items: z.array(registrantView) });
export type HouseholdList = z.infer<typeof householdList>;

/** What staff see of a person (every such read is audited). */
export const staffRegistrantView = registrantView.extend({
  accountId: z.uuid(),
  /** Last characters only, e.g. `••••5678`; null when no ID was given. */
  nationalIdMasked: z.string().nullable(),
});
export type StaffRegistrantView = z.infer<typeof staffRegistrantView>;

/** Why staff open a person's record: header `X-Access-Reason` or query `reason`. */
export const accessReason = z.string().trim().min(3, 'must say why (3 to 200 characters)').max(200);
export const accessReasonQuery = z.object({ reason: accessReason.optional() });

// ---- audit ----
export const accessLogEntry = z.object({
  action: z.string(),
  /** Role of the staff member, never their name or email. */
  role: z.string(),
  centerId: z.uuid().nullable(),
  region: z.string().nullable(),
  occurredAt: z.string(),
});
export type AccessLogEntry = z.infer<typeof accessLogEntry>;
export const accessLog = z.object({ items: z.array(accessLogEntry) });
export type AccessLog = z.infer<typeof accessLog>;

/**
 * What another service records in a person's access log before it shows staff their data
 * (registration decides who may, and writes the row): one action per kind of read.
 */
export const STAFF_ACCESS_ACTIONS = ['messages.read'] as const;
export const staffAccessRequest = z.object({ action: z.enum(STAFF_ACCESS_ACTIONS) });
export type StaffAccessRequest = z.infer<typeof staffAccessRequest>;
/** The access was allowed and written: the person's region, for the caller's own records. */
export const staffAccessRecorded = z.object({ registrantId: z.uuid(), region: z.string(), action: z.enum(STAFF_ACCESS_ACTIONS) });
export type StaffAccessRecorded = z.infer<typeof staffAccessRecorded>;
