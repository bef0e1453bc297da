import type { Redis } from 'ioredis';

/**
 * A counter in Redis that the worker bumps after every committed event. Dashboard
 * cache keys include it, so a change makes every cached answer unreachable at once
 * (they then expire by TTL) without listing which answers it touched.
 */
export interface DataVersion {
  current(): Promise<string>;
  bump(): Promise<void>;
}

export function dataVersion(redis: Redis, prefix: string): DataVersion {
  const key = `${prefix}:analytics:data-version`;
  return {
    async current() {
      // The cache bypasses Redis when it is away; any version will do then.
      if (redis.status !== 'ready') return 'offline';
      try {
        return (await redis.get(key)) ?? '0';
      } catch {
        return 'offline';
      }
    },
    // A failure throws: the job is retried and bumps again, so a change is never left cached.
    bump: async () => void (await redis.incr(key)),
  };
}
