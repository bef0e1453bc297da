/**
 * The four services, as the suites start them: their definitions (imported from the
 * apps: these suites exercise the real composition roots) and a `ServiceContext` built
 * the way `runService` builds it, for what the suites need beyond HTTP — the routers a
 * service mounts (to find routes its OpenAPI document leaves out) and its queue
 * consumers (to crash one mid-job).
 */
import { loadConfig, type BaseConfig } from '@jab/config';
import { createPool } from '@jab/db';
import { createLogger } from '@jab/logger';
import { createRedis } from '@jab/queue';
import type { ServiceContext, ServiceDefinition } from '@jab/runtime';
import { Registry } from 'prom-client';
import { analyticsService } from '../../../apps/analytics/src/service.js';
import { notificationsService } from '../../../apps/notifications/src/service.js';
import { registrationService } from '../../../apps/registration/src/service.js';
import { searchService } from '../../../apps/search/src/service.js';

export { analyticsService, notificationsService, registrationService, searchService };

export const SERVICE_NAMES = ['registration', 'notifications', 'search', 'analytics'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Each definition's config type differs; the suites only need what `BaseConfig` has. */
export const definitions: Record<ServiceName, ServiceDefinition<BaseConfig>> = {
  registration: registrationService as unknown as ServiceDefinition<BaseConfig>,
  notifications: notificationsService as unknown as ServiceDefinition<BaseConfig>,
  search: searchService as unknown as ServiceDefinition<BaseConfig>,
  analytics: analyticsService as unknown as ServiceDefinition<BaseConfig>,
};

/**
 * Runs `fn` with a context for `def` on `env` (the service's own settings), then closes
 * what the context and the components opened.
 */
export async function withServiceContext<C extends BaseConfig, T>(
  def: ServiceDefinition<C>,
  env: Record<string, string>,
  fn: (ctx: ServiceContext<C>) => Promise<T>,
): Promise<T> {
  const config = loadConfig(def.config, { ...env, LOG_LEVEL: 'silent' });
  const logger = createLogger({ service: def.name, level: 'silent' });
  const pool = createPool(config.DATABASE_URL, { applicationName: `${def.name}-resilience` });
  const redis = createRedis(config.REDIS_URL, { forWorker: false, logger, name: `${def.name}-resilience` });
  const closers: (() => Promise<unknown> | unknown)[] = [];
  const ctx: ServiceContext<C> = { config, logger, pool, readPool: pool, redis, registry: new Registry(), onClose: (_name, run) => closers.push(run) };
  try {
    return await fn(ctx);
  } finally {
    for (const close of closers) await close();
    await redis.quit().catch(() => redis.disconnect());
    await pool.end();
  }
}
