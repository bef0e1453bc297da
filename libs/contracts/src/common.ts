import { z } from 'zod';

export const LANGUAGES = ['en', 'es', 'fr', 'hi', 'ar'] as const;
export const languageSchema = z.enum(LANGUAGES);
export type Language = z.infer<typeof languageSchema>;

/** ISO 3166-2 subdivision code, e.g. `IN-MH`, `FR-IDF`, `US-CA`. */
export const regionSchema = z
  .string()
  .regex(/^[A-Z]{2}-[A-Z0-9]{1,3}$/, 'must be an ISO 3166-2 code such as IN-MH');

/**
 * Every calendar day and instant Jab takes in or sends out lies in 1900-01-01..2200-12-31
 * (UTC). PostgreSQL refuses year 0000, and no birth, campaign, lot, session, report or
 * dose falls outside this range: a day or instant beyond it is a field error at the edge,
 * never a 500 at the database (docs/kit.md).
 */
export const DATE_RANGE = { min: '1900-01-01', max: '2200-12-31' } as const;
const FIRST_INSTANT = Date.parse(`${DATE_RANGE.min}T00:00:00.000Z`);
const LAST_INSTANT = Date.parse(`${DATE_RANGE.max}T23:59:59.999Z`);

/** A calendar day, `YYYY-MM-DD` (a real one: no February 30th), inside `DATE_RANGE`. */
export const isoDate = z.iso
  .date({ error: 'must be a date as YYYY-MM-DD', abort: true })
  // `abort`: a day out of range gets that one message, not also those of refinements added after.
  .refine((d) => d >= DATE_RANGE.min && d <= DATE_RANGE.max, {
    message: `must be a date from ${DATE_RANGE.min} to ${DATE_RANGE.max}`,
    abort: true,
  });

/** An instant, ISO 8601 with `Z` or an offset, inside `DATE_RANGE` once in UTC. */
export const isoInstant = z.iso
  .datetime({ offset: true, error: 'must be a date and time with a time zone, e.g. 2026-11-23T09:30:00Z', abort: true })
  .refine((t) => {
    const ms = Date.parse(t);
    return ms >= FIRST_INSTANT && ms <= LAST_INSTANT;
  }, { message: `must be an instant from ${DATE_RANGE.min}T00:00:00Z to ${DATE_RANGE.max}T23:59:59Z`, abort: true });

const today = () => new Date().toISOString().slice(0, 10);
/** A birth date: in the range, and not after today (UTC). */
export const birthDateSchema = isoDate.refine((d) => d <= today(), 'must not be in the future');

/**
 * A search page's `nextCursor`, handed back as is: signed keyset values, long enough for a
 * 200-character name in any script (the service checks everything else).
 */
export const searchCursor = z.string().max(2_048, 'must be the nextCursor of a previous page of this search');

export const contactSchema = z.discriminatedUnion('channel', [
  z.object({ channel: z.literal('email'), address: z.email('must be an email address').max(254) }),
  z.object({
    channel: z.literal('sms'),
    address: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be a phone number in E.164 form, e.g. +919812345678'),
  }),
]);
export type Contact = z.infer<typeof contactSchema>;

/** Age bands used by analytics and eligibility, in completed years. */
export function ageBand(birthDate: string, on: Date): string {
  const birth = new Date(`${birthDate}T00:00:00Z`);
  let age = on.getUTCFullYear() - birth.getUTCFullYear();
  const beforeBirthday =
    on.getUTCMonth() < birth.getUTCMonth() ||
    (on.getUTCMonth() === birth.getUTCMonth() && on.getUTCDate() < birth.getUTCDate());
  if (beforeBirthday) age -= 1;
  if (age < 18) return '0-17';
  if (age >= 80) return '80+';
  const lower = Math.floor((age - 18) / 10) * 10 + 18;
  return `${lower}-${lower + 9}`;
}

/** RFC 9457 problem details, as every service answers errors. */
export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  requestId: z.string().optional(),
  /** One entry per bad field; `path` names where it was, e.g. `body.contact.address`. */
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof problemSchema>;
