import { z } from 'zod';
import { contactSchema, isoDate, languageSchema, regionSchema } from './common.js';

/** Every event travels in this envelope; `v` versions the `data` shape. */
export const envelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().regex(/^[a-z_]+\.[a-z_]+$/),
  v: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  source: z.string(),
  data: z.unknown(),
});
export type EventEnvelope = z.infer<typeof envelopeSchema>;

/**
 * `registrant.registered` v1 — what the consumers need without calling back:
 * notifications the language and contact to greet them, search the name and
 * coarse identifiers, analytics the day, region and age band.
 */
export const registrantRegisteredV1 = z.object({
  registrantId: z.uuid(),
  /** The household account that manages this person (owner of their messages). */
  accountId: z.uuid(),
  fullName: z.string().min(1),
  birthYear: z.number().int(),
  ageBand: z.string(),
  region: regionSchema,
  preferredLanguage: languageSchema,
  contact: contactSchema,
  registeredOn: isoDate,
  /** Monotonic version of the registrant record, so a stale event never overwrites a newer one. */
  version: z.number().int().positive(),
});
export type RegistrantRegisteredV1 = z.infer<typeof registrantRegisteredV1>;

export const registrantRegisteredEvent = envelopeSchema.extend({
  type: z.literal('registrant.registered'),
  v: z.literal(1),
  data: registrantRegisteredV1,
});
export type RegistrantRegisteredEvent = z.infer<typeof registrantRegisteredEvent>;

/** Union of every event the registration service publishes (grows with the domain). */
export const registrationEvent = z.discriminatedUnion('type', [registrantRegisteredEvent]);
export type RegistrationEvent = z.infer<typeof registrationEvent>;
export type RegistrationEventType = RegistrationEvent['type'];
