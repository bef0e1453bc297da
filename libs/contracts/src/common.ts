import { z } from 'zod';

export const LANGUAGES = ['en', 'es', 'fr', 'hi', 'ar'] as const;
export const languageSchema = z.enum(LANGUAGES);
export type Language = z.infer<typeof languageSchema>;

/** ISO 3166-2 subdivision code, e.g. `IN-MH`, `FR-IDF`, `US-CA`. */
export const regionSchema = z
  .string()
  .regex(/^[A-Z]{2}-[A-Z0-9]{1,3}$/, 'must be an ISO 3166-2 code such as IN-MH');

export const isoDate = z.iso.date();

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
