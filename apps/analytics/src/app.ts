import { createCache } from '@jab/cache';
import { registrationEvent, QUEUES } from '@jab/contracts';
import { consumer, jwksVerifier, type ApiParts, type Consumer, type ServiceContext } from '@jab/runtime';
import type { AnalyticsConfig } from './config.js';
import { dashboardsRouter, dashboardsRoutes } from './dashboards/dashboards.routes.js';
import { createDashboards } from './dashboards/dashboards.service.js';
import { dataVersion } from './dashboards/data-version.js';
import { cacheHitRatioGauge, freshnessHistogram } from './dashboards/metrics.js';
import { ingestEvent, ingestEvents } from './ingest/ingest.service.js';
import { reportsRouter, reportsRoutes } from './reports/reports.routes.js';
import { createReports } from './reports/reports.service.js';
import { reportStore, taskRunner } from './reports/reports.infra.js';

const CACHE_NAME = 'analytics-dashboards';

/** `codeDir`: the folder of the entry, so a report task starts this same code. */
export function buildApi(codeDir: string) {
  return async (ctx: ServiceContext<AnalyticsConfig>): Promise<ApiParts> => {
    const { config, logger, pool, readPool, redis, registry } = ctx;
    const verifier = jwksVerifier(config.JWKS_URL);
    const cache = createCache({ redis, prefix: `${config.REDIS_PREFIX}:analytics:dashboards`, name: CACHE_NAME, registry, logger });
    cacheHitRatioGauge(registry, CACHE_NAME);
    const dashboards = createDashboards({
      readPool,
      cache,
      version: dataVersion(redis, config.REDIS_PREFIX),
      ttlSeconds: config.DASHBOARD_CACHE_TTL_SECONDS,
    });
    // Report rows (status, progress) are polled right after they are written: the writer.
    const reports = createReports({ pool, logger, store: await reportStore(config), runner: await taskRunner(config, logger, codeDir) });
    const components: ApiParts[] = [
      { routers: [dashboardsRouter({ dashboards, verifier })], routes: dashboardsRoutes },
      { routers: [reportsRouter({ reports, verifier })], routes: reportsRoutes },
    ];
    return { routers: components.flatMap((c) => c.routers), routes: components.flatMap((c) => c.routes ?? []) };
  };
}

export function buildConsumers(ctx: ServiceContext<AnalyticsConfig>): Consumer[] {
  const freshness = freshnessHistogram(ctx.registry);
  const deps = {
    pool: ctx.pool,
    version: dataVersion(ctx.redis, ctx.config.REDIS_PREFIX),
    observeFreshness: (seconds: number) => freshness.observe(Math.max(0, seconds)),
  };
  return [
    consumer({
      queue: QUEUES.analyticsFromRegistration,
      schema: registrationEvent,
      handle: async (event) => void (await ingestEvent(deps, event)),
      // Up to 16 jobs held (a relay job carries up to 100 events), applied 128 events to a
      // transaction: one commit and one data-version bump per batch, not per event.
      concurrency: 16,
      batch: { maxBatch: 128, maxInFlight: 2, handle: (items) => ingestEvents(deps, items.map((i) => i.event)) },
    }),
  ];
}
