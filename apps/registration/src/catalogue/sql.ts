import type { PoolClient } from 'pg';

/** What a repo function needs: a pool or a client inside a transaction. */
export type Db = Pick<PoolClient, 'query'>;

/** A timestamptz column as an ISO-8601 UTC string, the shape the API returns. */
export const isoInstant = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A date column as YYYY-MM-DD (pg would otherwise turn it into a local-midnight Date). */
export const isoDay = (column: string) => `to_char(${column}, 'YYYY-MM-DD')`;

/** pg's error for a unique violation, with the constraint that fired. */
export function uniqueViolation(error: unknown): string | undefined {
  const e = error as { code?: string; constraint?: string };
  return e?.code === '23505' ? e.constraint : undefined;
}
