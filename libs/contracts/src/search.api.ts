import { z } from 'zod';
import { languageSchema, regionSchema } from './common.js';

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
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
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
export const centerSearchResponse = z.object({
  items: z.array(centerHit),
  nextCursor: z.string().nullable(),
});
export type CenterSearchResponse = z.infer<typeof centerSearchResponse>;
