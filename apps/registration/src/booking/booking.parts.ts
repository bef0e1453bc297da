import { createVerifier, type Signer } from '@jab/auth';
import { ISSUER, type ApiParts, type ServiceContext } from '@jab/runtime';
import { Histogram } from 'prom-client';
import { catalogueRouter, catalogueRoutes } from '../catalogue/catalogue.routes.js';
import { createBookingCaches } from '../centers/availability.cache.js';
import { availabilityHotPath, createAvailabilityHotLayer } from '../centers/availability.hot.js';
import { createAvailabilityStreams } from '../centers/availability.stream.js';
import { centersRouter, centersRoutes } from '../centers/centers.routes.js';
import { availability } from '../centers/centers.service.js';
import type { HealthCardKey } from '../certificates/shc.js';
import type { RegistrationConfig } from '../config.js';
import { dosesRouter, dosesRoutes } from '../doses/doses.routes.js';
import { bookingRouter, bookingRoutes } from './booking.routes.js';
import { createBooker } from './booking.service.js';
import type { Pools } from '../pools.js';

/**
 * Catalogue, centers, booking and at-the-center routes, sharing one cache and one
 * verifier. Registration checks its own tokens against its signer's public keys,
 * without an HTTP round trip to its own JWKS.
 */
export function bookingParts(
  ctx: ServiceContext<RegistrationConfig>,
  deps: Pools & { signer: Signer; audience: string; cards: HealthCardKey; wakeRelay: () => void },
): ApiParts {
  const verifier = createVerifier({ jwks: deps.signer.jwks(), issuer: ISSUER, audience: deps.audience });
  const hot = createAvailabilityHotLayer({ redis: ctx.redis, prefix: ctx.config.REDIS_PREFIX, logger: ctx.logger, maxAgeMs: ctx.config.AVAILABILITY_HOT_MAX_AGE_MS });
  ctx.onClose('availability hot layer', () => hot.close());
  const caches = createBookingCaches({ redis: ctx.redis, prefix: ctx.config.REDIS_PREFIX, registry: ctx.registry, logger: ctx.logger, hot });
  const batchSize = new Histogram({
    name: 'jab_booking_batch_size',
    help: 'Bookings and walk-ins written together by one group commit',
    buckets: [1, 2, 4, 8, 16, 32, 48],
    registers: [ctx.registry],
  });
  const booker = createBooker({
    pool: deps.pool,
    caches,
    wakeRelay: deps.wakeRelay,
    onBatch: (size) => batchSize.observe(size),
  });
  const shared = { pool: deps.pool, readPool: deps.readPool, verifier, caches, booker };
  const streams = createAvailabilityStreams({
    load: (day) => availability(shared, day.centerId, day.date),
    logger: ctx.logger,
    registry: ctx.registry,
    maxWatchers: ctx.config.AVAILABILITY_MAX_WATCHERS,
  });
  hot.onDropped((keys) => streams.changed(keys));
  return {
    routers: [catalogueRouter(shared), centersRouter({ ...shared, streams }), bookingRouter(shared), dosesRouter({ ...shared, cards: deps.cards })],
    routes: [...catalogueRoutes, ...centersRoutes, ...bookingRoutes, ...dosesRoutes],
    hotPath: availabilityHotPath(hot, { logger: ctx.logger, registry: ctx.registry }),
    drain: () => streams.close(),
  };
}
