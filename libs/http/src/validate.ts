import type { Request, RequestHandler } from 'express';
import type { z } from 'zod';
import { BadRequest, type FieldError } from './errors.js';

/** Schemas for the parts of a request; query and params are objects of strings before parsing. */
export interface RequestSchemas {
  body?: z.ZodType;
  query?: z.ZodObject;
  params?: z.ZodObject;
}

export type Parsed<S extends RequestSchemas> = {
  [K in keyof S]: S[K] extends z.ZodType ? z.output<S[K]> : never;
};

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Values parsed by `validate`; read them typed with `parsed(req, schemas)`. */
      valid?: { body?: unknown; query?: unknown; params?: unknown };
    }
  }
}

const PARTS = ['params', 'query', 'body'] as const;

/**
 * PostgreSQL text cannot hold U+0000: a string carrying it would fail at the database
 * as a 500. Every parsed string is checked, so it is a field error instead.
 */
function nulCharacters(value: unknown, path: string[]): FieldError[] {
  if (typeof value === 'string') return value.includes('\u0000') ? [{ path: path.join('.'), message: 'must not contain a NUL character' }] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => nulCharacters(v, [...path, String(i)]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => nulCharacters(v, [...path, k]));
  return [];
}

/**
 * Parse the request with zod; on failure a 400 problem lists every bad field as
 * `body.contact.email`, `query.page`, …. Parsed values land on `req.valid` because
 * express 5's `req.query` is read-only.
 */
export function validate(schemas: RequestSchemas): RequestHandler {
  return (req, _res, next) => {
    const valid: Record<string, unknown> = {};
    const errors: FieldError[] = [];
    for (const part of PARTS) {
      const schema = schemas[part];
      if (!schema) continue;
      const result = schema.safeParse(req[part] ?? {});
      if (result.success) {
        valid[part] = result.data;
        errors.push(...nulCharacters(result.data, [part]));
      } else
        for (const issue of result.error.issues)
          errors.push({ path: [part, ...issue.path.map(String)].join('.'), message: issue.message });
    }
    if (errors.length > 0) return next(new BadRequest('The request is invalid.', { errors }));
    req.valid = valid;
    next();
  };
}

/** The values `validate(schemas)` parsed, typed by the same schemas. */
export function parsed<S extends RequestSchemas>(req: Request, schemas: S): Parsed<S> {
  const valid = req.valid;
  if (!valid) throw new Error('parsed() called on a route without validate()');
  return Object.fromEntries(PARTS.filter((part) => schemas[part]).map((part) => [part, valid[part]])) as Parsed<S>;
}
