import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InvalidCursorError } from './engine.js';

/**
 * Keyset cursors: the sort values of the last item of a page, base64url-encoded JSON,
 * tagged with a fingerprint of the query so that a cursor cannot be replayed on a
 * different search (it would silently skip or repeat hits).
 */
const position = z
  .array(z.union([z.string(), z.number(), z.null()]))
  .min(1)
  .max(8);
const payload = z.object({ f: z.string(), p: position });
export type Position = z.infer<typeof position>;

export function encodeCursor(fingerprint: string, values: Position): string {
  return Buffer.from(JSON.stringify({ f: fingerprint, p: values })).toString(
    'base64url',
  );
}

export function decodeCursor(cursor: string, fingerprint: string): Position {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  const result = payload.safeParse(parsed);
  if (!result.success || result.data.f !== fingerprint)
    throw new InvalidCursorError();
  return result.data.p;
}

/** What identifies a search apart from its position: the same query pages consistently. */
export function fingerprintOf(query: object): string {
  const canonical = JSON.stringify(
    Object.entries(query)
      .filter(([k, v]) => v !== undefined && k !== 'cursor' && k !== 'limit')
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  return createHash('sha256')
    .update(canonical)
    .digest('base64url')
    .slice(0, 16);
}
