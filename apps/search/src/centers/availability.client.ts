import {
  availabilityView,
  type AvailabilityView,
  type CenterAvailability,
} from '@jab/contracts';
import type { Logger } from '@jab/logger';
import { Counter, type Registry } from 'prom-client';

export const AVAILABILITY_OUTCOMES = [
  'hit',
  'not_found',
  'timeout',
  'error',
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
  /** Per request; a page waits at most twice this (see `forCenters`). */
  timeoutMs: number;
  /** Requests in flight at once for one page. */
  concurrency?: number;
  logger: Logger;
  registry?: Registry;
  now?: () => Date;
}

/**
 * The citizen's view of one center-day: seats left for booking (first and later doses;
 * walk-in quotas are kept for the desk) in slots that have not started, and the start
 * of the earliest such slot. `vaccineId` narrows it to the vaccine searched for.
 */
export function summarize(
  view: AvailabilityView,
  now: Date,
  vaccineId?: string,
): CenterAvailability {
  let freeSeats = 0;
  let first: number | null = null;
  for (const slot of view.slots) {
    if (vaccineId && slot.vaccineId !== vaccineId) continue;
    const startsAt = Date.parse(slot.startsAt);
    if (startsAt <= now.getTime()) continue;
    const free =
      Math.max(0, slot.remaining.dose1) +
      Math.max(0, slot.remaining.laterDoses);
    if (free === 0) continue;
    freeSeats += free;
    if (first === null || startsAt < first) first = startsAt;
  }
  return {
    date: view.date,
    freeSeats,
    firstFreeAt: first === null ? null : new Date(first).toISOString(),
  };
}

/** Runs `fn` over `items` with at most `limit` calls in flight, results in order. */
async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
  return results;
}

type Lookup =
  | { outcome: 'hit'; view: AvailabilityView }
  | { outcome: Exclude<AvailabilityOutcome, 'hit'>; reason: string };

function isTimeout(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'TimeoutError' || error.name === 'AbortError')
  );
}

/**
 * Reads registration's public, Redis-cached `GET /centers/:id/availability?date=` for
 * the centers of one search page: in parallel (bounded), each request with its own
 * timeout and the page with a deadline of twice that, so a registration that hangs
 * costs a search at most ~2 × `timeoutMs`. Failures become null, one warn line per page.
 */
export function createAvailabilityClient(
  options: AvailabilityClientOptions,
): AvailabilityClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const concurrency = options.concurrency ?? 8;
  const now = options.now ?? (() => new Date());
  const lookups = new Counter({
    name: 'search_availability_lookups_total',
    help: "Center availability lookups against registration's API, by outcome",
    labelNames: ['outcome'],
    registers: options.registry ? [options.registry] : [],
  });
  for (const outcome of AVAILABILITY_OUTCOMES) lookups.inc({ outcome }, 0);

  async function lookup(
    centerId: string,
    date: string,
    deadline: AbortSignal,
  ): Promise<Lookup> {
    if (deadline.aborted)
      return { outcome: 'timeout', reason: 'page deadline passed' };
    const url = `${base}/centers/${encodeURIComponent(centerId)}/availability?date=${encodeURIComponent(date)}`;
    try {
      const res = await fetch(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.any([
          AbortSignal.timeout(options.timeoutMs),
          deadline,
        ]),
      });
      if (res.status === 404) {
        await res.body?.cancel();
        return { outcome: 'not_found', reason: 'HTTP 404' };
      }
      if (!res.ok) {
        await res.body?.cancel();
        return { outcome: 'error', reason: `HTTP ${res.status}` };
      }
      const body = availabilityView.safeParse(await res.json());
      if (!body.success)
        return {
          outcome: 'error',
          reason: 'response does not match availabilityView',
        };
      return { outcome: 'hit', view: body.data };
    } catch (error) {
      if (isTimeout(error))
        return { outcome: 'timeout', reason: 'no answer in time' };
      const cause =
        error instanceof Error && error.cause instanceof Error
          ? `: ${error.cause.message}`
          : '';
      return {
        outcome: 'error',
        reason: `${error instanceof Error ? error.message : String(error)}${cause}`,
      };
    }
  }

  return {
    async forCenters(centerIds, date, { vaccineId } = {}) {
      if (centerIds.length === 0) return [];
      const deadline = AbortSignal.timeout(options.timeoutMs * 2);
      const results = await mapBounded(centerIds, concurrency, (id) =>
        lookup(id, date, deadline),
      );
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
      const at = now();
      return results.map((r) =>
        r.outcome === 'hit' ? summarize(r.view, at, vaccineId) : null,
      );
    },
  };
}
