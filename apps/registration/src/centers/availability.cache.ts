import { createCache, type Cache } from '@jab/cache';
import type { Logger } from '@jab/logger';
import type { Redis } from 'ioredis';
import type { AvailabilityHotLayer } from './availability.hot.js';
import type { Registry } from 'prom-client';

/** Availability changes with every booking; 30 s bounds how stale a missed invalidation can leave it. */
export const AVAILABILITY_TTL_SECONDS = 30;
export const CENTERS_TTL_SECONDS = 300;

export interface CenterDay {
  centerId: string;
  /** The center's local calendar day, YYYY-MM-DD. */
  date: string;
}

export interface BookingCaches {
  availability: Cache;
  centers: Cache;
  /** Forgets the availability of each center-day; call after the write committed. */
  invalidateAvailability(...days: CenterDay[]): Promise<void>;
  /** The in-process layer of answers as bytes, in front of `availability` (API tasks). */
  hot?: AvailabilityHotLayer;
  /** Forgets the center lists a center appears in. */
  invalidateCenters(region: string): Promise<void>;
}

export const availabilityKey = ({ centerId, date }: CenterDay) => `${centerId}:${date}`;
export const centersKey = (region: string | undefined) => region ?? 'all';

export function createBookingCaches(deps: { redis: Redis; prefix: string; registry?: Registry; logger: Logger; hot?: AvailabilityHotLayer }): BookingCaches {
  const availability = createCache({
    redis: deps.redis,
    prefix: `${deps.prefix}:registration:availability`,
    name: 'availability',
    registry: deps.registry,
    logger: deps.logger,
  });
  const centers = createCache({
    redis: deps.redis,
    prefix: `${deps.prefix}:registration:centers`,
    name: 'centers',
    registry: deps.registry,
    logger: deps.logger,
  });
  return {
    availability,
    centers,
    hot: deps.hot,
    // Redis first, then memory: a fill that read Redis before the DEL carries an older generation and is dropped.
    invalidateAvailability: async (...days) => {
      await availability.invalidate(...new Set(days.map(availabilityKey)));
      await deps.hot?.invalidate(days);
    },
    invalidateCenters: (region) => centers.invalidate(centersKey(region), centersKey(undefined)),
  };
}
