import { ApiError } from '../shared/api';
import type { FieldErrors } from '../shared/validate';

/**
 * Splits a service's problem into the errors shown next to known fields and the rest,
 * shown in the form's summary. `alias` maps a server path onto the field showing it.
 */
export function splitServerErrors(
  error: unknown,
  known: readonly string[],
  alias: Record<string, string> = {},
): { fields: FieldErrors; other: string[] } {
  const fields: FieldErrors = {};
  const other: string[] = [];
  if (!(error instanceof ApiError)) return { fields, other };
  for (const { field, message } of error.fieldErrors) {
    const name = alias[field] ?? field;
    if (known.includes(name)) fields[name] ??= message;
    else other.push(field ? `${field}: ${message}` : message);
  }
  return { fields, other };
}

/**
 * Client-side errors (from the contracts' zod schema) in the reader's language: one text
 * per field, since the schema's own messages are English.
 */
export function localizeErrors(errors: FieldErrors, messageFor: (field: string) => string | undefined): FieldErrors {
  const out: FieldErrors = {};
  for (const [field, message] of Object.entries(errors)) out[field] = messageFor(field) ?? message;
  return out;
}

/** Moves focus to the first invalid control of a form, after React has rendered the errors. */
export function focusFirstInvalid(form: HTMLFormElement | null): void {
  setTimeout(() => form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
}
