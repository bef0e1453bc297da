import { z } from 'zod';
import { contactSchema, isoDate, isoInstant, languageSchema, regionSchema } from './common.js';

/** Every event travels in this envelope; `v` versions the `data` shape. */
export const envelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().regex(/^[a-z_]+\.[a-z_]+$/),
  v: z.number().int().positive(),
  occurredAt: isoInstant,
  source: z.string(),
  data: z.unknown(),
});
export type EventEnvelope = z.infer<typeof envelopeSchema>;

const SEXES = ['female', 'male', 'other', 'unknown'] as const;
export const sexSchema = z.enum(SEXES);
export type Sex = z.infer<typeof sexSchema>;

/** How to reach a person, in their language: what a message needs. */
const recipient = {
  accountId: z.uuid(),
  preferredLanguage: languageSchema,
  contact: contactSchema,
};

/** Where and when an appointment is, as a message or a dashboard shows it. */
export const appointmentPlace = z.object({
  centerId: z.uuid(),
  /** Center name by language (at least `en`). */
  centerName: z.record(z.string(), z.string()),
  centerAddress: z.string(),
  /** IANA zone of the center, e.g. `Asia/Kolkata`: times are shown in it. */
  centerTimeZone: z.string(),
  region: regionSchema,
  slotId: z.uuid(),
  startsAt: isoInstant,
  endsAt: isoInstant,
});
export type AppointmentPlace = z.infer<typeof appointmentPlace>;

/**
 * `registrant.registered` v1 — what the consumers need without calling back:
 * notifications the language and contact to greet them, search the name and
 * coarse identifiers, analytics the day, region, age band and sex.
 */
export const registrantRegisteredV1 = z.object({
  registrantId: z.uuid(),
  /** The household account that manages this person (owner of their messages). */
  ...recipient,
  fullName: z.string().min(1),
  birthYear: z.number().int(),
  ageBand: z.string(),
  sex: sexSchema,
  region: regionSchema,
  /** Last digits of the account's phone, for staff search; absent for email contacts. */
  phoneSuffix: z.string().regex(/^\d{4}$/).optional(),
  registeredOn: isoDate,
  /** Monotonic version of the registrant record, so a stale event never overwrites a newer one. */
  version: z.number().int().positive(),
});
export type RegistrantRegisteredV1 = z.infer<typeof registrantRegisteredV1>;

/** `registrant.updated` v1 — the whole current record (consumers replace, ordered by `version`). */
export const registrantUpdatedV1 = registrantRegisteredV1.omit({ registeredOn: true }).extend({
  /** True when the person was removed from the household: consumers delete them. */
  deleted: z.boolean().default(false),
});

/** `appointment.booked` v1. */
export const appointmentBookedV1 = z.object({
  appointmentId: z.uuid(),
  registrantId: z.uuid(),
  ...recipient,
  ...appointmentPlace.shape,
  /** The short code the citizen shows the vaccinator. */
  appointmentCode: z.string(),
  doseNumber: z.number().int().positive(),
  vaccineId: z.uuid(),
  vaccineName: z.string(),
  ageBand: z.string(),
  sex: sexSchema,
  walkIn: z.boolean(),
  bookedAt: isoInstant,
});

/** `appointment.cancelled` v1. */
export const appointmentCancelledV1 = z.object({
  appointmentId: z.uuid(),
  registrantId: z.uuid(),
  ...recipient,
  ...appointmentPlace.shape,
  doseNumber: z.number().int().positive(),
  vaccineId: z.uuid(),
  reason: z.enum(['citizen', 'staff', 'center-closed', 'no-show']),
  cancelledAt: isoInstant,
});

/** `appointment.rescheduled` v1: moved atomically from one slot to another. */
export const appointmentRescheduledV1 = z.object({
  appointmentId: z.uuid(),
  registrantId: z.uuid(),
  ...recipient,
  appointmentCode: z.string(),
  doseNumber: z.number().int().positive(),
  vaccineId: z.uuid(),
  from: appointmentPlace,
  to: appointmentPlace,
  rescheduledAt: isoInstant,
});

/** `appointment.checked_in` v1. */
export const appointmentCheckedInV1 = z.object({
  appointmentId: z.uuid(),
  registrantId: z.uuid(),
  centerId: z.uuid(),
  region: regionSchema,
  staffId: z.uuid(),
  checkedInAt: isoInstant,
});

/** `dose.administered` v1. */
export const doseAdministeredV1 = z.object({
  doseId: z.uuid(),
  registrantId: z.uuid(),
  ...recipient,
  appointmentId: z.uuid().nullable(),
  centerId: z.uuid(),
  region: regionSchema,
  vaccineId: z.uuid(),
  vaccineName: z.string(),
  lotNumber: z.string(),
  doseNumber: z.number().int().positive(),
  seriesDoses: z.number().int().positive(),
  seriesComplete: z.boolean(),
  administeredAt: isoInstant,
  ageBand: z.string(),
  sex: sexSchema,
  /** Earliest date of the next dose, or null when the series is complete. */
  nextDoseEarliest: isoDate.nullable(),
});

/** `aefi.reported` v1 — an adverse event following immunization. */
export const aefiReportedV1 = z.object({
  aefiId: z.uuid(),
  doseId: z.uuid(),
  registrantId: z.uuid(),
  vaccineId: z.uuid(),
  lotNumber: z.string(),
  region: regionSchema,
  severity: z.enum(['mild', 'moderate', 'severe', 'life-threatening', 'death']),
  onsetDate: isoDate,
  reportedBy: z.enum(['citizen', 'staff']),
  reportedAt: isoInstant,
});

/**
 * `lot.recalled` v1. Consumers that must reach the people who received the lot keep
 * their own projection from `dose.administered` (no call back to registration).
 */
export const lotRecalledV1 = z.object({
  lotNumber: z.string(),
  vaccineId: z.uuid(),
  vaccineName: z.string(),
  reason: z.string(),
  recalledAt: isoInstant,
});

/**
 * `otp.requested` v1. The code travels sealed (JWE, `dir` + A256GCM, key shared by
 * registration and notifications only): never in clear in the outbox, Redis or logs.
 */
export const otpRequestedV1 = z.object({
  otpId: z.uuid(),
  destination: contactSchema,
  preferredLanguage: languageSchema,
  sealedCode: z.string(),
  expiresAt: isoInstant,
  purpose: z.enum(['login']),
});

/** `certificate.issued` v1. */
export const certificateIssuedV1 = z.object({
  certificateId: z.uuid(),
  registrantId: z.uuid(),
  ...recipient,
  doseId: z.uuid(),
  issuedAt: isoInstant,
  /** A re-issue after a correction replaces this certificate. */
  replaces: z.uuid().nullable(),
});

/** `center.saved` v1: a center as the public finds it (search indexes it; version-ordered). */
export const centerSavedV1 = z.object({
  centerId: z.uuid(),
  /** Name by language, at least `en`. */
  names: z.record(z.string(), z.string()),
  /** Where it is, as people type it (the address). */
  locality: z.string(),
  region: regionSchema,
  languages: z.array(languageSchema),
  vaccines: z.array(z.object({ id: z.uuid(), name: z.string() })),
  version: z.number().int().positive(),
});

/** `session.scheduled` v1: a day of slots opened at a center, with what it can take. */
export const sessionScheduledV1 = z.object({
  sessionId: z.uuid(),
  centerId: z.uuid(),
  region: regionSchema,
  vaccineId: z.uuid(),
  /** The center's local calendar day. */
  day: isoDate,
  slots: z.number().int().positive(),
  /** Every seat of every slot: first doses, later doses and walk-ins. */
  capacity: z.number().int().nonnegative(),
});

function event<T extends string, D extends z.ZodType>(type: T, data: D) {
  return envelopeSchema.extend({ type: z.literal(type), v: z.literal(1), data });
}

export const registrantRegisteredEvent = event('registrant.registered', registrantRegisteredV1);
export const registrantUpdatedEvent = event('registrant.updated', registrantUpdatedV1);
export const appointmentBookedEvent = event('appointment.booked', appointmentBookedV1);
export const appointmentCancelledEvent = event('appointment.cancelled', appointmentCancelledV1);
export const appointmentRescheduledEvent = event('appointment.rescheduled', appointmentRescheduledV1);
export const appointmentCheckedInEvent = event('appointment.checked_in', appointmentCheckedInV1);
export const doseAdministeredEvent = event('dose.administered', doseAdministeredV1);
export const aefiReportedEvent = event('aefi.reported', aefiReportedV1);
export const lotRecalledEvent = event('lot.recalled', lotRecalledV1);
export const otpRequestedEvent = event('otp.requested', otpRequestedV1);
export const certificateIssuedEvent = event('certificate.issued', certificateIssuedV1);
export const centerSavedEvent = event('center.saved', centerSavedV1);
export const sessionScheduledEvent = event('session.scheduled', sessionScheduledV1);

export type RegistrantRegisteredEvent = z.infer<typeof registrantRegisteredEvent>;
export type RegistrantUpdatedEvent = z.infer<typeof registrantUpdatedEvent>;
export type AppointmentBookedEvent = z.infer<typeof appointmentBookedEvent>;
export type AppointmentCancelledEvent = z.infer<typeof appointmentCancelledEvent>;
export type AppointmentRescheduledEvent = z.infer<typeof appointmentRescheduledEvent>;
export type AppointmentCheckedInEvent = z.infer<typeof appointmentCheckedInEvent>;
export type DoseAdministeredEvent = z.infer<typeof doseAdministeredEvent>;
export type AefiReportedEvent = z.infer<typeof aefiReportedEvent>;
export type LotRecalledEvent = z.infer<typeof lotRecalledEvent>;
export type OtpRequestedEvent = z.infer<typeof otpRequestedEvent>;
export type CertificateIssuedEvent = z.infer<typeof certificateIssuedEvent>;
export type CenterSavedEvent = z.infer<typeof centerSavedEvent>;
export type SessionScheduledEvent = z.infer<typeof sessionScheduledEvent>;

/** Every event the registration service publishes; consumers parse with this union. */
export const registrationEvent = z.discriminatedUnion('type', [
  registrantRegisteredEvent,
  registrantUpdatedEvent,
  appointmentBookedEvent,
  appointmentCancelledEvent,
  appointmentRescheduledEvent,
  appointmentCheckedInEvent,
  doseAdministeredEvent,
  aefiReportedEvent,
  lotRecalledEvent,
  otpRequestedEvent,
  certificateIssuedEvent,
  centerSavedEvent,
  sessionScheduledEvent,
]);
export type RegistrationEvent = z.infer<typeof registrationEvent>;
export type RegistrationEventType = RegistrationEvent['type'];
