import type { z } from 'zod';
import { ApiError } from './api';

/** Field path (`contact.address`) → first message. */
export type FieldErrors = Record<string, string>;

/**
 * Checks a form with the same zod schema the service validates with (from
 * `@jab/contracts`), so people see the same rule before sending as after.
 */
export function validateWith<S extends z.ZodType>(schema: S, value: unknown): { ok: true; data: z.infer<S> } | { ok: false; errors: FieldErrors } {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) errors[issue.path.join('.')] ??= issue.message;
  return { ok: false, errors };
}

/** The service's field errors (problem+json `errors[]`), keyed like validateWith's. */
export function serverFieldErrors(error: unknown): FieldErrors {
  return error instanceof ApiError ? error.byField() : {};
}
