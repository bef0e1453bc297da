import { z } from 'zod';
import { isoDate, isoInstant, languageSchema, regionSchema } from './common.js';
import { centerAvailability } from './search.api.js';

/**
 * HTTP payloads of registration's catalogue, centers, booking and at-the-center
 * routes, shared by the service (which validates with them) and the web app.
 */

const name = z.string().trim().min(2, 'must be at least 2 characters').max(200);
const ageYears = z.number().int().min(0).max(130);
const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time as HH:mm');
const instant = isoInstant;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

// ---- catalogue ----
export const cvxCode = z.string().regex(/^\d{1,3}$/, 'must be a CVX code (1 to 3 digits)');
export const createVaccineRequest = z
  .object({
    name: name.max(100),
    manufacturer: name.max(100),
    seriesDoses: z.number().int().min(1).max(10),
    /** Minimum days between two doses of the series. */
    minIntervalDays: z.number().int().min(0).max(3650),
    minAgeYears: ageYears,
    maxAgeYears: ageYears.nullable().default(null),
    /** CDC CVX code, when the vaccine has one: FHIR exports and health cards carry it. */
    cvxCode: cvxCode.nullable().default(null),
  })
  .refine((v) => v.maxAgeYears === null || v.maxAgeYears >= v.minAgeYears, {
    path: ['maxAgeYears'],
    message: 'must not be below minAgeYears',
  });
export type CreateVaccineRequest = z.infer<typeof createVaccineRequest>;
export const vaccineView = z.object({
  id: z.uuid(),
  name: z.string(),
  manufacturer: z.string(),
  seriesDoses: z.number().int(),
  minIntervalDays: z.number().int(),
  minAgeYears: z.number().int(),
  maxAgeYears: z.number().int().nullable(),
  cvxCode: z.string().nullable(),
});
export type VaccineView = z.infer<typeof vaccineView>;
export const vaccineList = z.object({ items: z.array(vaccineView) });

export const ageRange = z
  .object({ minAge: ageYears, maxAge: ageYears.nullable().default(null) })
  .refine((b) => b.maxAge === null || b.maxAge >= b.minAge, { path: ['maxAge'], message: 'must not be below minAge' });
export type AgeRange = z.infer<typeof ageRange>;

export const createCampaignRequest = z
  .object({
    name,
    vaccineIds: z.array(z.uuid()).min(1, 'must name at least one vaccine').max(20),
    regions: z.array(regionSchema).min(1, 'must name at least one region').max(200),
    startsOn: isoDate,
    endsOn: isoDate,
    targetAgeBands: z.array(ageRange).min(1, 'must name at least one age band').max(20),
  })
  .refine((c) => c.endsOn >= c.startsOn, { path: ['endsOn'], message: 'must not be before startsOn' });
export type CreateCampaignRequest = z.infer<typeof createCampaignRequest>;
export const campaignView = z.object({
  id: z.uuid(),
  name: z.string(),
  vaccineIds: z.array(z.uuid()),
  regions: z.array(regionSchema),
  startsOn: isoDate,
  endsOn: isoDate,
  targetAgeBands: z.array(ageRange),
});
export type CampaignView = z.infer<typeof campaignView>;
export const campaignList = z.object({ items: z.array(campaignView) });

export const lotNumber = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9-]{2,40}$/, 'must be 2 to 40 letters, digits or dashes');
export const createLotRequest = z.object({ vaccineId: z.uuid(), lotNumber, expiresOn: isoDate });
export type CreateLotRequest = z.infer<typeof createLotRequest>;
export const lotView = z.object({
  id: z.uuid(),
  vaccineId: z.uuid(),
  lotNumber: z.string(),
  expiresOn: isoDate,
  recalled: z.boolean(),
  recallReason: z.string().nullable(),
  recalledAt: z.string().nullable(),
});
export type LotView = z.infer<typeof lotView>;
export const lotList = z.object({ items: z.array(lotView) });
export const lotListQuery = z.object({ vaccineId: z.uuid().optional() });
export const recallLotRequest = z.object({ reason: z.string().trim().min(3, 'must be at least 3 characters').max(500) });

// ---- centers ----
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const openingHours = z.array(
  z
    .object({ day: z.enum(WEEKDAYS), opens: localTime, closes: localTime })
    .refine((h) => h.closes > h.opens, { path: ['closes'], message: 'must be after opens' }),
);
export const createCenterRequest = z.object({
  /** Center name by language; `en` is required. */
  names: z
    .partialRecord(languageSchema, name)
    .refine((n) => n.en !== undefined, { path: ['en'], message: 'is required' }),
  address: z.string().trim().min(5, 'must be at least 5 characters').max(500),
  region: regionSchema,
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  languages: z.array(languageSchema).min(1, 'must name at least one language'),
  vaccineIds: z.array(z.uuid()).min(1, 'must name at least one vaccine').max(20),
  timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Asia/Kolkata'),
  openingHours,
});
export type CreateCenterRequest = z.infer<typeof createCenterRequest>;
export const centerView = z.object({
  id: z.uuid(),
  names: z.record(z.string(), z.string()),
  address: z.string(),
  region: regionSchema,
  latitude: z.number(),
  longitude: z.number(),
  languages: z.array(languageSchema),
  vaccineIds: z.array(z.uuid()),
  timeZone: z.string(),
  openingHours,
});
export type CenterView = z.infer<typeof centerView>;
export const centerList = z.object({ items: z.array(centerView) });
export const centerListQuery = z.object({
  region: regionSchema.optional(),
  vaccine: z.uuid().optional(),
  language: languageSchema.optional(),
});
export const centerParams = z.object({ centerId: z.uuid() });

export const createSessionRequest = z
  .object({
    vaccineId: z.uuid(),
    /** The center's local calendar day. */
    date: isoDate,
    /** Wall-clock times in the center's time zone. */
    startTime: localTime,
    endTime: localTime,
    slotMinutes: z.number().int().min(5).max(240),
    capacityDose1: z.number().int().min(0).max(10_000),
    capacityLaterDoses: z.number().int().min(0).max(10_000),
    walkInQuota: z.number().int().min(0).max(10_000),
  })
  .refine((s) => s.endTime > s.startTime, { path: ['endTime'], message: 'must be after startTime' })
  .refine((s) => s.endTime <= s.startTime || minutesOf(s.endTime) - minutesOf(s.startTime) >= s.slotMinutes, {
    path: ['slotMinutes'],
    message: 'must fit at least once between startTime and endTime',
  })
  .refine((s) => s.capacityDose1 + s.capacityLaterDoses + s.walkInQuota > 0, {
    path: ['capacityDose1'],
    message: 'the session must have some capacity',
  });
export type CreateSessionRequest = z.infer<typeof createSessionRequest>;
export const sessionView = z.object({
  id: z.uuid(),
  centerId: z.uuid(),
  vaccineId: z.uuid(),
  date: isoDate,
  startTime: localTime,
  endTime: localTime,
  slotMinutes: z.number().int(),
  capacityDose1: z.number().int(),
  capacityLaterDoses: z.number().int(),
  walkInQuota: z.number().int(),
  slotCount: z.number().int(),
});
export type SessionView = z.infer<typeof sessionView>;

export const availabilityQuery = z.object({ date: isoDate });
export const slotAvailability = z.object({
  id: z.uuid(),
  vaccineId: z.uuid(),
  startsAt: instant,
  endsAt: instant,
  /** Seats left per kind: first doses, later doses, walk-ins. */
  remaining: z.object({ dose1: z.number().int(), laterDoses: z.number().int(), walkIn: z.number().int() }),
});
export type SlotAvailability = z.infer<typeof slotAvailability>;
export const availabilityView = z.object({
  centerId: z.uuid(),
  date: isoDate,
  timeZone: z.string(),
  /**
   * The center-day's version: bumped by every change of its seats (bookings, walk-ins,
   * cancellations, reschedules, new sessions), 0 before the first. Also the answer's ETag.
   */
  version: z.number().int().min(0),
  slots: z.array(slotAvailability),
});
export type AvailabilityView = z.infer<typeof availabilityView>;

/** Most centers in one batch read: a search page holds at most 50. */
export const MAX_AVAILABILITY_CENTERS = 50;
/** Several centers' availability on one local day: `centerIds` comma-separated, each once. */
export const availabilityBatchQuery = z.object({
  centerIds: z
    .string()
    .transform((s) => s.split(','))
    .pipe(
      z
        .array(z.uuid('must be comma-separated center ids'))
        .min(1)
        .max(MAX_AVAILABILITY_CENTERS, `must name at most ${MAX_AVAILABILITY_CENTERS} centers`)
        .refine((ids) => new Set(ids).size === ids.length, 'must name each center once'),
    ),
  date: isoDate,
});
export const availabilityBatch = z.object({
  date: isoDate,
  /** In the order asked; `availability` is null for a center registration does not know. */
  items: z.array(z.object({ centerId: z.uuid(), availability: availabilityView.nullable() })),
});
export type AvailabilityBatch = z.infer<typeof availabilityBatch>;

/** The same centers in brief (a search page's badges), optionally for one vaccine. */
export const availabilitySummaryQuery = availabilityBatchQuery.extend({ vaccineId: z.uuid().optional() });
export const availabilitySummaryBatch = z.object({
  date: isoDate,
  /** In the order asked; `availability` is null for a center registration does not know. */
  items: z.array(z.object({ centerId: z.uuid(), availability: centerAvailability.nullable() })),
});
export type AvailabilitySummaryBatch = z.infer<typeof availabilitySummaryBatch>;

// ---- booking ----
/** Unambiguous alphabet (no 0/O, 1/I/L): read aloud or typed at a desk without mistakes. */
export const APPOINTMENT_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const appointmentCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/, 'must be the 8-character appointment code');

export const bookAppointmentRequest = z.object({
  registrantId: z.uuid(),
  slotId: z.uuid(),
  doseNumber: z.number().int().min(1).max(10),
});
export type BookAppointmentRequest = z.infer<typeof bookAppointmentRequest>;
export const rescheduleRequest = z.object({ slotId: z.uuid() });
export const appointmentParams = z.object({ appointmentId: z.uuid() });
export const APPOINTMENT_STATUSES = ['booked', 'checked_in', 'completed', 'cancelled'] as const;
export const appointmentView = z.object({
  id: z.uuid(),
  code: z.string(),
  registrantId: z.uuid(),
  centerId: z.uuid(),
  vaccineId: z.uuid(),
  slotId: z.uuid(),
  startsAt: instant,
  endsAt: instant,
  doseNumber: z.number().int(),
  walkIn: z.boolean(),
  status: z.enum(APPOINTMENT_STATUSES),
  bookedAt: instant,
});
export type AppointmentView = z.infer<typeof appointmentView>;
export const appointmentList = z.object({ items: z.array(appointmentView) });
export const idempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 visible ASCII characters')
  .optional();

// ---- at the center ----
export const checkInRequest = z.object({ appointmentCode });
export const DOSE_SITES = ['left-arm', 'right-arm', 'left-thigh', 'right-thigh'] as const;
/** How far ahead of the server's clock a dose may be dated: a desk device's clock drifts a little, never hours. */
export const ADMINISTERED_AHEAD_MINUTES = 5;
/** When a dose was given: in the past (the range allows old records), at most a few minutes ahead. */
const administeredAt = instant.refine(
  (t) => Date.parse(t) <= Date.now() + ADMINISTERED_AHEAD_MINUTES * 60_000,
  `must not be more than ${ADMINISTERED_AHEAD_MINUTES} minutes in the future`,
);
export const recordDoseRequest = z.object({
  registrantId: z.uuid(),
  appointmentId: z.uuid().optional(),
  vaccineId: z.uuid(),
  lotNumber,
  doseNumber: z.number().int().min(1).max(10),
  site: z.enum(DOSE_SITES),
  administeredAt,
});
export type RecordDoseRequest = z.infer<typeof recordDoseRequest>;
export const doseView = z.object({
  id: z.uuid(),
  registrantId: z.uuid(),
  appointmentId: z.uuid().nullable(),
  centerId: z.uuid(),
  vaccineId: z.uuid(),
  lotNumber: z.string(),
  doseNumber: z.number().int(),
  site: z.enum(DOSE_SITES),
  administeredAt: instant,
  seriesComplete: z.boolean(),
  /** Earliest day (center's calendar) for the next dose; null when the series is complete. */
  nextDoseEarliest: isoDate.nullable(),
  /** The dose's current (unrevoked) health card, see `GET /certificates/{certificateId}`. */
  certificateId: z.uuid().nullable(),
});
export type DoseView = z.infer<typeof doseView>;
export const doseParams = z.object({ doseId: z.uuid() });

/** Staff correct what was recorded wrongly; the dose's certificate is revoked and re-issued. */
export const correctDoseRequest = z
  .object({
    lotNumber: lotNumber.optional(),
    site: z.enum(DOSE_SITES).optional(),
    administeredAt: administeredAt.optional(),
    /** Why the record was wrong; kept with the correction and in the access log. */
    reason: z.string().trim().min(3, 'must say why (3 to 200 characters)').max(200),
  })
  .strict()
  .refine((c) => c.lotNumber !== undefined || c.site !== undefined || c.administeredAt !== undefined, {
    path: ['lotNumber'],
    message: 'give at least one of lotNumber, site or administeredAt to correct',
  });
export type CorrectDoseRequest = z.infer<typeof correctDoseRequest>;
export const doseCorrected = z.object({
  dose: doseView,
  /** The certificate issued for the corrected record. */
  certificateId: z.uuid(),
  /** The certificate it revoked and replaced (null if the dose had none). */
  replacedCertificateId: z.uuid().nullable(),
});
export type DoseCorrected = z.infer<typeof doseCorrected>;

export const AEFI_SEVERITIES = ['mild', 'moderate', 'severe', 'life-threatening', 'death'] as const;
export const reportAefiRequest = z.object({
  severity: z.enum(AEFI_SEVERITIES),
  onsetDate: isoDate,
  description: z.string().trim().min(3, 'must be at least 3 characters').max(2000),
});
export type ReportAefiRequest = z.infer<typeof reportAefiRequest>;
export const aefiView = z.object({
  id: z.uuid(),
  doseId: z.uuid(),
  severity: z.enum(AEFI_SEVERITIES),
  onsetDate: isoDate,
  reportedBy: z.enum(['citizen', 'staff']),
  reportedAt: instant,
});
export type AefiView = z.infer<typeof aefiView>;

// ---- the center's day (staff) ----
/** `no_show`: booked, and the slot ended without a check-in (or cancelled as a no-show). */
export const CENTER_APPOINTMENT_STATUSES = ['booked', 'checked_in', 'completed', 'cancelled', 'no_show'] as const;
export const centerAppointmentsQuery = z.object({
  /** The center's local calendar day. */
  date: isoDate,
  status: z.enum(CENTER_APPOINTMENT_STATUSES).optional(),
  /** Opaque `nextCursor` of the previous page. */
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'must be the nextCursor of a previous page').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Admins see full names only when they say why (or in header X-Access-Reason). */
  reason: z.string().trim().min(3, 'must say why (3 to 200 characters)').max(200).optional(),
});
export type CenterAppointmentsQuery = z.infer<typeof centerAppointmentsQuery>;
export const centerAppointment = z.object({
  id: z.uuid(),
  code: z.string(),
  registrantId: z.uuid(),
  slotId: z.uuid(),
  startsAt: instant,
  endsAt: instant,
  status: z.enum(CENTER_APPOINTMENT_STATUSES),
  doseNumber: z.number().int(),
  vaccineId: z.uuid(),
  vaccineName: z.string(),
  walkIn: z.boolean(),
  /** The person's full name, or only initials (`É. M.`) when `nameMasked`. */
  name: z.string(),
  nameMasked: z.boolean(),
});
export type CenterAppointment = z.infer<typeof centerAppointment>;
export const centerAppointmentList = z.object({
  centerId: z.uuid(),
  date: isoDate,
  timeZone: z.string(),
  items: z.array(centerAppointment),
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type CenterAppointmentList = z.infer<typeof centerAppointmentList>;
