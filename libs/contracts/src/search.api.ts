import { z } from 'zod';
import { isoDate, isoInstant, languageSchema, regionSchema, searchCursor } from './common.js';

/**
 * HTTP payloads of the search service's public center search, shared by the service
 * (which validates with them) and the web app. Staff registrant search lives in api.ts.
 */
export const centerSearchQuery = z.object({
  /** Words of the center's name (any of its languages), its locality or a vaccine. */
  q: z
    .string()
    .trim()
    .min(2, 'must be at least 2 characters')
    .max(100)
    .optional(),
  language: languageSchema.optional(),
  /** A vaccine id, as listed by registration's catalogue. */
  vaccine: z.uuid().optional(),
  region: regionSchema.optional(),
  cursor: searchCursor.optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
  /** A day (the centers' local calendar day): each hit then carries its availability on it. */
  date: isoDate.optional().meta({
    description:
      "A day, YYYY-MM-DD, in the centers' local calendar. When given, every hit carries `availability` for that day; without it, `availability` is left out.",
  }),
});
export type CenterSearchQuery = z.infer<typeof centerSearchQuery>;

export const centerHit = z.object({
  id: z.uuid(),
  /** Center name by language (at least `en`). */
  names: z.record(z.string(), z.string()),
  locality: z.string(),
  region: regionSchema,
  languages: z.array(languageSchema),
  vaccines: z.array(z.object({ id: z.uuid(), name: z.string() })),
});
export type CenterHit = z.infer<typeof centerHit>;

/**
 * One center-day in brief, summed from registration's `availabilityView` (its cached
 * view): the seats a citizen can still book online and when the earliest of them starts.
 */
export const centerAvailability = z.object({
  date: isoDate,
  /** Seats left for first and later doses in slots not yet started (walk-in quotas are not counted). */
  freeSeats: z.number().int().min(0),
  /** Start of the earliest slot not yet started with a seat left; null when none is left. */
  firstFreeAt: isoInstant.nullable(),
});
export type CenterAvailability = z.infer<typeof centerAvailability>;

export const centerSearchResult = centerHit.extend({
  availability: centerAvailability
    .nullable()
    .optional()
    .meta({
      description:
        'Only when the search asked for a `date`. Counts only slots of the `vaccine` searched for, if any. null when registration did not answer in time, failed, or does not know the center: availability unknown, not zero.',
    }),
});
export type CenterSearchResult = z.infer<typeof centerSearchResult>;
export const centerSearchResponse = z.object({
  items: z.array(centerSearchResult),
  nextCursor: z.string().nullable(),
});
export type CenterSearchResponse = z.infer<typeof centerSearchResponse>;
