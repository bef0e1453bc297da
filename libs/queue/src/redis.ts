import type { Logger } from '@jab/logger';
import { Redis, type RedisOptions } from 'ioredis';

export interface CreateRedisOptions {
  /**
   * Workers, the outbox relay and anything that blocks: commands wait through an outage
   * (`maxRetriesPerRequest: null`, as BullMQ requires). Otherwise the client is for the
   * request path and fails fast while Redis is away instead of hanging requests.
   */
  forWorker: boolean;
  logger?: Logger;
  /** Shown in `CLIENT LIST` and in log lines. */
  name?: string;
  /** Extra ioredis options, applied last. */
  options?: RedisOptions;
}

export function createRedis(url: string, { forWorker, logger, name, options }: CreateRedisOptions): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    ...(forWorker
      ? { maxRetriesPerRequest: null }
      : { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000, commandTimeout: 2_000 }),
    ...options,
  });
  // Without a listener ioredis reports every reconnect attempt as an unhandled error;
  // one warning per outage is enough.
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    logger?.warn({ err, redis: name }, 'redis unavailable');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger?.info({ redis: name }, 'redis available again');
  });
  return redis;
}
