import { availabilitySummaryBatch, type AvailabilitySummaryBatch, type CenterAvailability } from '@jab/contracts';
import {
  BrokenCircuitError,
  circuitBreaker,
  ConsecutiveBreaker,
  handleAll,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import type { Logger } from '@jab/logger';
import { Counter, type Registry } from 'prom-client';
import { Pool } from 'undici';

export const AVAILABILITY_OUTCOMES = [
  'hit',
  'not_found',
  'timeout',
  'error',
  'unavailable',
] as const;
export type AvailabilityOutcome = (typeof AVAILABILITY_OUTCOMES)[number];

export interface AvailabilityClient {
  /**
   * Each center's availability on `date` (the centers' local day), in the order of
   * `centerIds`; null where registration did not answer in time, failed or does not
   * know the center. Never throws: availability is an extra on a search page.
   */
  forCenters(
    centerIds: readonly string[],
    date: string,
    options?: { vaccineId?: string },
  ): Promise<(CenterAvailability | null)[]>;
}

export interface AvailabilityClientOptions {
  /** Registration's API root, e.g. `http://127.0.0.1:3001/api/registration/v1`. */
  baseUrl: string;
  /** One page's request; a page never waits longer. */
  timeoutMs: number;
  /** Failed pages in a row that open the circuit (default 5). */
  breakAfter?: number;
  /** How long the circuit stays open before one page tries again (default 5 s). */
  halfOpenAfterMs?: number;
  /** Connections kept open to registration (default 64). */
  connections?: number;
  logger: Logger;
  registry?: Registry;
}

type Lookup =
  | { outcome: 'hit'; availability: CenterAvailability }
  | { outcome: Exclude<AvailabilityOutcome, 'hit'>; reason: string };

/**
 * Reads the availability of one search page's centers from registration's public,
 * Redis-cached `GET /availability/summary?centerIds=…&date=[&vaccineId=]`, each center's
 * day in brief as registration sums it: one request per page (one Redis `MGET` there,
 * the database only for its misses), with a timeout, behind a circuit
 * breaker (cockatiel): after `breakAfter` failed pages in a row, pages skip registration
 * for `halfOpenAfterMs` and show availability as unknown at once, so a slow registration
 * costs one timeout, not one per page or per center. Failures become null, one warn line per page.
 */
export function createAvailabilityClient(
  options: AvailabilityClientOptions,
): AvailabilityClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const lookups = new Counter({
    name: 'search_availability_lookups_total',
    help: "Center availability lookups against registration's API, by outcome",
    labelNames: ['outcome'],
    registers: options.registry ? [options.registry] : [],
  });
  for (const outcome of AVAILABILITY_OUTCOMES) lookups.inc({ outcome }, 0);
  const breaker = circuitBreaker(handleAll, {
    halfOpenAfter: options.halfOpenAfterMs ?? 5_000,
    breaker: new ConsecutiveBreaker(options.breakAfter ?? 5),
  });
  const policy = wrap(breaker, timeout(options.timeoutMs, TimeoutStrategy.Aggressive));

  // undici's request API on kept-alive connections: the global fetch's web streams and
  // event targets were a quarter of a search page's CPU (profile in decision 0009's notes).
  const origin = new URL(base);
  const prefix = `${origin.pathname.replace(/\/+$/, '')}/availability/summary`;
  const pool = new Pool(origin.origin, { connections: options.connections ?? 64, keepAliveTimeout: 30_000 });
  async function page(centerIds: readonly string[], date: string, vaccineId: string | undefined, signal: AbortSignal): Promise<AvailabilitySummaryBatch> {
    const vaccine = vaccineId ? `&vaccineId=${encodeURIComponent(vaccineId)}` : '';
    const path = `${prefix}?centerIds=${centerIds.map(encodeURIComponent).join(',')}&date=${encodeURIComponent(date)}${vaccine}`;
    const res = await pool.request({ method: 'GET', path, headers: { accept: 'application/json' }, signal });
    if (res.statusCode < 200 || res.statusCode >= 300) {
      await res.body.dump();
      throw new Error(`HTTP ${res.statusCode}`);
    }
    const body = availabilitySummaryBatch.safeParse(await res.body.json());
    if (!body.success || body.data.items.length !== centerIds.length || body.data.items.some((item, i) => item.centerId !== centerIds[i]))
      throw new Error('response does not match the centers asked');
    return body.data;
  }

  async function lookupAll(centerIds: readonly string[], date: string, vaccineId: string | undefined): Promise<Lookup[]> {
    const all = (outcome: Exclude<AvailabilityOutcome, 'hit'>, reason: string): Lookup[] => centerIds.map(() => ({ outcome, reason }));
    try {
      const batch = await policy.execute(({ signal }) => page(centerIds, date, vaccineId, signal));
      return batch.items.map((item) =>
        item.availability ? { outcome: 'hit', availability: item.availability } : { outcome: 'not_found', reason: 'unknown center' },
      );
    } catch (error) {
      if (error instanceof BrokenCircuitError) return all('unavailable', 'circuit open after repeated failures');
      if (error instanceof TaskCancelledError) return all('timeout', 'no answer in time');
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      return all('error', `${error instanceof Error ? error.message : String(error)}${cause}`);
    }
  }

  return {
    async forCenters(centerIds, date, { vaccineId } = {}) {
      if (centerIds.length === 0) return [];
      const results = await lookupAll(centerIds, date, vaccineId);
      const failed: Partial<Record<AvailabilityOutcome, number>> = {};
      let reason: string | undefined;
      for (const r of results) {
        lookups.inc({ outcome: r.outcome });
        if (r.outcome === 'hit') continue;
        failed[r.outcome] = (failed[r.outcome] ?? 0) + 1;
        reason ??= r.reason;
      }
      // Centers carry no personal data; the date and counts say enough to investigate.
      if (reason)
        options.logger.warn(
          { date, centers: centerIds.length, failed, reason },
          'center availability unknown for some centers',
        );
      return results.map((r) => (r.outcome === 'hit' ? r.availability : null));
    },
  };
}
