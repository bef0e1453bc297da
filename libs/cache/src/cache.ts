import { randomUUID } from 'node:crypto';
import type { Logger } from '@jab/logger';
import type { Redis } from 'ioredis';
import { Counter, type Registry } from 'prom-client';

export interface CacheOptions {
  /** A request-path client: `createRedis(url, { forWorker: false })` (no offline queue). */
  redis: Redis;
  /** Key namespace, e.g. `jab:registration:centers`; also the `cache` metric label unless `name` is given. */
  prefix: string;
  name?: string;
  registry?: Registry;
  logger: Logger;
  /** How long one process may hold the right to load a key (ms). */
  lockTtlMs?: number;
  /** How long other processes wait for that load before loading themselves (ms). */
  lockWaitMs?: number;
  /** Values kept parsed in this process, by key, while Redis holds the same bytes (default 1,000). */
  parsedEntries?: number;
}

/**
 * Values are shared between callers (a hit whose bytes did not change returns the object
 * parsed before): callers must not mutate what they get.
 */
export interface Cache {
  /** The cached JSON value of `key`, or `loader()`'s result (stored for `ttlSeconds`). Never fails because of Redis. */
  getOrLoad<T>(key: string, ttlSeconds: number, loader: () => Promise<T>): Promise<T>;
  /**
   * Many keys in one round trip (`MGET`): each cached value, or the loader's result for the
   * misses alone (each through `getOrLoad`, so concurrent misses still load once).
   */
  getManyOrLoad<T>(keys: readonly string[], ttlSeconds: number, loader: (key: string) => Promise<T>): Promise<T[]>;
  /** Forgets keys after a write; a Redis failure is logged, not thrown (entries expire by TTL). */
  invalidate(...keys: string[]): Promise<void>;
}

const RELEASE_LOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
/**
 * Stores a loaded value only if no invalidation came since the load began: the key's
 * epoch (a token each invalidation replaces) must still be the one read before loading.
 * Otherwise a load that read the database before a write committed, and finished after
 * that write's invalidation, would put the old state back for a whole TTL.
 */
const FILL_IF_EPOCH = `if (redis.call('get', KEYS[2]) or '') == ARGV[3] then return redis.call('set', KEYS[1], ARGV[1], 'EX', ARGV[2]) else return 0 end`;
/** Epochs outlive any load by far; they only need to exist while loads are in flight. */
const EPOCH_TTL_SECONDS = 86_400;

export function createCache({ redis, prefix, name = prefix, registry, logger, lockTtlMs = 5_000, lockWaitMs = 1_000, parsedEntries = 1_000 }: CacheOptions): Cache {
  const log = logger.child({ cache: name });
  const counters = cacheCounters(registry);
  const count = (c: Counter<'cache'>) => c.inc({ cache: name });
  const valueKey = (key: string) => `${prefix}:v:${key}`;
  const lockKey = (key: string) => `${prefix}:l:${key}`;
  const epochKey = (key: string) => `${prefix}:e:${key}`;
  const inflight = new Map<string, Promise<unknown>>();
  let degraded = false;

  // A hot key is read thousands of times between changes: parse its bytes once. The bytes
  // Redis returns decide (compared whole), so an invalidated and refilled key is parsed again.
  const parsed = new Map<string, { raw: string; value: unknown }>();
  const parse = (key: string, raw: string): unknown => {
    const known = parsed.get(key);
    if (known && known.raw === raw) return known.value;
    const value: unknown = JSON.parse(raw);
    if (parsedEntries > 0) {
      if (known) parsed.delete(key);
      else if (parsed.size >= parsedEntries) parsed.delete(parsed.keys().next().value as string);
      parsed.set(key, { raw, value });
    }
    return value;
  };

  const redisFailed = (err: unknown) => {
    count(counters.bypass);
    if (!degraded) log.warn({ err }, 'cache bypassed: Redis unavailable, serving from the source');
    degraded = true;
  };
  const redisOk = () => {
    if (degraded) log.info('cache back in use');
    degraded = false;
  };

  async function load<T>(key: string, ttlSeconds: number, loader: () => Promise<T>): Promise<T> {
    // Not connected: the command would fail anyway, or with an offline queue, hang.
    if (redis.status !== 'ready') {
      redisFailed(new Error(`redis status ${redis.status}`));
      return loader();
    }
    let lockToken: string | undefined;
    let epoch = '';
    try {
      const [cached, seen] = await redis.mget(valueKey(key), epochKey(key));
      epoch = seen ?? '';
      redisOk();
      if (cached !== null) {
        count(counters.hits);
        return parse(key, cached) as T;
      }
      count(counters.misses);
      const token = randomUUID();
      if ((await redis.set(lockKey(key), token, 'PX', lockTtlMs, 'NX')) === 'OK') {
        lockToken = token;
      } else {
        // Another process is loading this key: wait briefly for its result.
        const filled = await pollFor(() => redis.get(valueKey(key)), lockWaitMs);
        if (filled !== null) return parse(key, filled) as T;
      }
    } catch (err) {
      redisFailed(err);
      return loader();
    }

    const value = await loader();
    try {
      if (value !== undefined) await redis.eval(FILL_IF_EPOCH, 2, valueKey(key), epochKey(key), JSON.stringify(value), ttlSeconds, epoch);
      if (lockToken) await redis.eval(RELEASE_LOCK, 1, lockKey(key), lockToken);
    } catch (err) {
      log.debug({ err }, 'cache fill failed');
    }
    return value;
  }

  function getOrLoad<T>(key: string, ttlSeconds: number, loader: () => Promise<T>): Promise<T> {
    const shared = inflight.get(key);
    if (shared) return shared as Promise<T>;
    const promise = load(key, ttlSeconds, loader).finally(() => {
      if (inflight.get(key) === promise) inflight.delete(key);
    });
    inflight.set(key, promise);
    return promise;
  }

  return {
    getOrLoad,

    async getManyOrLoad<T>(keys: readonly string[], ttlSeconds: number, loader: (key: string) => Promise<T>): Promise<T[]> {
      if (keys.length === 0) return [];
      let cached: (string | null)[] = keys.map(() => null);
      if (redis.status === 'ready') {
        try {
          cached = await redis.mget(...keys.map(valueKey));
          redisOk();
        } catch (err) {
          redisFailed(err);
        }
      }
      return Promise.all(
        keys.map((key, i) => {
          const hit = cached[i];
          if (hit === null || hit === undefined) return getOrLoad(key, ttlSeconds, () => loader(key));
          count(counters.hits);
          return parse(key, hit) as T;
        }),
      );
    },

    async invalidate(...keys: string[]) {
      if (keys.length === 0) return;
      // Callers arriving after the write must not join a load that may have read the old state.
      for (const key of keys) inflight.delete(key);
      try {
        const epoch = randomUUID();
        const multi = redis.multi().del(...keys.map(valueKey));
        for (const key of keys) multi.set(epochKey(key), epoch, 'EX', EPOCH_TTL_SECONDS);
        await multi.exec();
      } catch (err) {
        log.warn({ err, keys }, 'cache invalidation failed; entries will expire by TTL');
      }
    },
  };
}

async function pollFor(get: () => Promise<string | null>, waitMs: number): Promise<string | null> {
  const deadline = Date.now() + waitMs;
  for (let delay = 10; Date.now() < deadline; delay = Math.min(delay * 2, 100)) {
    await new Promise((resolve) => setTimeout(resolve, delay));
    const value = await get();
    if (value !== null) return value;
  }
  return null;
}

function cacheCounters(registry: Registry | undefined) {
  const counter = (metric: string, help: string): Counter<'cache'> => {
    const existing = registry?.getSingleMetric(metric);
    if (existing) return existing as Counter<'cache'>;
    return new Counter({ name: metric, help, labelNames: ['cache'], registers: registry ? [registry] : [] });
  };
  return {
    hits: counter('cache_hits_total', 'Cache lookups answered from Redis'),
    misses: counter('cache_misses_total', 'Cache lookups that ran the loader and filled Redis'),
    bypass: counter('cache_bypass_total', 'Cache lookups served by the loader because Redis was unavailable'),
  };
}
