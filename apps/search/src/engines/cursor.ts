import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { InvalidCursorError } from './engine.js';

/**
 * Keyset cursors: the sort values of the last item of a page (base64url JSON), then an
 * HMAC-SHA256 under the service's `SEARCH_CURSOR_KEY` of those values, the engine and
 * collection (`scope`) and the query apart from its position. Only this service can
 * make one: a cursor rebuilt or edited by a client, or replayed on another search (it
 * would silently skip or repeat hits), is refused; so is one whose values, signed or
 * not, are not what the engine's keyset takes (`shape`): nothing unchecked reaches SQL.
 */
export type Position = (string | number | null)[];

const MIN_KEY_BYTES = 32;
const DOMAIN = 'jab-search-cursor/v1';
/** base64url of the values, a dot, base64url of the 32-byte HMAC. */
const FORMAT = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;

/** PostgreSQL `int` (keyset values the SQL casts with `::int`). */
export const int32 = z.number().int().min(-2_147_483_648).max(2_147_483_647);
/** A sort key: a folded name, at most 200 characters before folding. */
export const sortKey = z.string().max(1_000);

export interface Cursors {
  encode(scope: string, query: object, position: Position): string;
  /** The position, or InvalidCursorError. */
  decode<P extends Position>(scope: string, query: object, cursor: string, shape: z.ZodType<P>): P;
}

/** What identifies a search apart from its position: the same query pages consistently, whatever its limit. */
function canonical(query: object): string {
  return JSON.stringify(
    Object.entries(query)
      .filter(([k, v]) => v !== undefined && k !== 'cursor' && k !== 'limit')
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

export function createCursors(key: Uint8Array): Cursors {
  if (key.length < MIN_KEY_BYTES) throw new Error(`the cursor key must be at least ${MIN_KEY_BYTES} bytes`);
  const tagOf = (scope: string, query: object, body: string) =>
    createHmac('sha256', key).update(`${DOMAIN}\n${scope}\n${canonical(query)}\n${body}`).digest('base64url');
  return {
    encode(scope, query, position) {
      const body = Buffer.from(JSON.stringify(position)).toString('base64url');
      return `${body}.${tagOf(scope, query, body)}`;
    },
    decode(scope, query, cursor, shape) {
      const [, body, tag] = FORMAT.exec(cursor) ?? [];
      if (!body || !tag) throw new InvalidCursorError();
      if (!timingSafeEqual(Buffer.from(tag), Buffer.from(tagOf(scope, query, body)))) throw new InvalidCursorError();
      let values: unknown;
      try {
        values = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      } catch {
        throw new InvalidCursorError();
      }
      const result = shape.safeParse(values);
      if (!result.success) throw new InvalidCursorError();
      return result.data;
    },
  };
}
