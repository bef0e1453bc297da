import { createLogger } from '@jab/logger';
import { closeAll, createRedis } from '@jab/queue';
import { cleanRedisPrefix, redisUrl, tcpProxy, testPrefix, waitFor } from '@jab/testing';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createCache } from './index.js';

const logger = createLogger({ service: 'cache-test', level: 'silent' });
const prefix = testPrefix();
const redis = createRedis(redisUrl(), { forWorker: false, logger });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterAll(async () => {
  await cleanRedisPrefix(redis, prefix);
  await closeAll(redis);
});

async function counter(registry: Registry, name: string): Promise<number> {
  const metric = registry.getSingleMetric(name);
  return metric ? ((await metric.get()).values.find((v) => v.labels['cache'] === 'centers')?.value ?? 0) : 0;
}

function setup(overrides: Partial<Parameters<typeof createCache>[0]> = {}) {
  const registry = new Registry();
  const cache = createCache({ redis, prefix: `${prefix}:${Math.random().toString(36).slice(2)}`, name: 'centers', registry, logger, ...overrides });
  let loads = 0;
  const loader = async () => {
    loads++;
    await sleep(20);
    return { centers: ['Alpha', 'Ünïcode'], load: loads };
  };
  return { cache, registry, loader, loads: () => loads };
}

describe('cache', () => {
  it('misses once, then hits with the stored JSON value', async () => {
    await waitFor(() => redis.status === 'ready');
    const { cache, registry, loader, loads } = setup();
    const first = await cache.getOrLoad('list', 60, loader);
    const second = await cache.getOrLoad('list', 60, loader);
    expect(second).toEqual(first);
    expect(first).toEqual({ centers: ['Alpha', 'Ünïcode'], load: 1 });
    expect(loads()).toBe(1);
    expect(await counter(registry, 'cache_misses_total')).toBe(1);
    expect(await counter(registry, 'cache_hits_total')).toBe(1);
  });

  it('runs the loader once for 50 concurrent calls on one key', async () => {
    const { cache, loader, loads } = setup();
    const results = await Promise.all(Array.from({ length: 50 }, () => cache.getOrLoad('hot', 60, loader)));
    expect(loads()).toBe(1);
    expect(new Set(results.map((r) => r.load))).toEqual(new Set([1]));
  });

  it('runs the loader once across processes sharing Redis (lock)', async () => {
    const { loader, loads } = setup();
    const otherRedis = createRedis(redisUrl(), { forWorker: false, logger });
    await waitFor(() => otherRedis.status === 'ready');
    // Two "processes": each its own client and in-process single-flight, one shared prefix.
    const shared = `${prefix}:shared`;
    const a = createCache({ redis, prefix: shared, logger });
    const b = createCache({ redis: otherRedis, prefix: shared, logger });
    const slow = async () => {
      await sleep(200);
      return loader();
    };
    const [ra, rb] = await Promise.all([a.getOrLoad('k', 60, slow), b.getOrLoad('k', 60, slow)]);
    expect(ra).toEqual(rb);
    expect(loads()).toBe(1);
    await closeAll(otherRedis);
  });

  it('loads by itself when the lock holder never fills the key', async () => {
    const p = `${prefix}:stuck`;
    await redis.set(`${p}:l:k`, 'someone-else', 'PX', 5000);
    const cache = createCache({ redis, prefix: p, logger, lockWaitMs: 150 });
    const started = Date.now();
    expect(await cache.getOrLoad('k', 60, async () => 'fresh')).toBe('fresh');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('reloads after invalidate', async () => {
    const { cache, loader, loads } = setup();
    await cache.getOrLoad('a', 60, loader);
    await cache.getOrLoad('b', 60, loader);
    await cache.invalidate('a', 'b');
    expect((await cache.getOrLoad('a', 60, loader)).load).toBe(3);
    expect((await cache.getOrLoad('b', 60, loader)).load).toBe(4);
    expect(loads()).toBe(4);
  });

  it('never stores what a load read before an invalidation that came while it ran', async () => {
    const { cache } = setup();
    let state = 'before the write';
    let release: () => void = () => undefined;
    const gate = new Promise<void>((done) => (release = done));
    // A load reads the old state, then stalls (a slow query) while the write commits and invalidates.
    const slow = cache.getOrLoad('w', 60, async () => {
      const read = state;
      await gate;
      return read;
    });
    await sleep(50);
    state = 'after the write';
    await cache.invalidate('w');
    release();
    expect(await slow).toBe('before the write');
    // Its result was not stored: the next read loads the new state.
    expect(await cache.getOrLoad('w', 60, async () => state)).toBe('after the write');
    expect(await cache.getOrLoad('w', 60, async () => 'not called')).toBe('after the write');
  });

  it('reads many keys in one round trip and loads only the misses', async () => {
    const { cache } = setup();
    const loaded: string[] = [];
    const loader = async (key: string) => {
      loaded.push(key);
      return { key };
    };
    await cache.getOrLoad('m1', 60, () => loader('m1'));
    loaded.length = 0;
    expect(await cache.getManyOrLoad(['m1', 'm2', 'm3'], 60, loader)).toEqual([{ key: 'm1' }, { key: 'm2' }, { key: 'm3' }]);
    expect(loaded.sort()).toEqual(['m2', 'm3']);
    loaded.length = 0;
    expect(await cache.getManyOrLoad(['m3', 'm2'], 60, loader)).toEqual([{ key: 'm3' }, { key: 'm2' }]);
    expect(loaded).toEqual([]);
    expect(await cache.getManyOrLoad([], 60, loader)).toEqual([]);
  });

  it('reloads after the TTL expires', async () => {
    const { cache, loader, loads } = setup();
    await cache.getOrLoad('t', 1, loader);
    await cache.getOrLoad('t', 1, loader);
    expect(loads()).toBe(1);
    await sleep(1100);
    await cache.getOrLoad('t', 1, loader);
    expect(loads()).toBe(2);
  });

  it('serves from the loader and counts a bypass while Redis is unreachable', async () => {
    const proxy = await tcpProxy(Number(new URL(redisUrl()).port || 6379));
    const viaProxy = createRedis(proxy.url(redisUrl()), { forWorker: false, logger });
    await waitFor(() => viaProxy.status === 'ready');
    const { cache, registry, loader, loads } = setup({ redis: viaProxy });
    await cache.getOrLoad('x', 60, loader);

    await proxy.close();
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      expect(await cache.getOrLoad('x', 60, loader)).toMatchObject({ centers: ['Alpha', 'Ünïcode'] });
      expect(Date.now() - started).toBeLessThan(500);
    }
    await expect(cache.invalidate('x')).resolves.toBeUndefined();
    expect(loads()).toBe(4);
    expect(await counter(registry, 'cache_bypass_total')).toBe(3);

    await proxy.reopen();
    await waitFor(() => viaProxy.status === 'ready', { timeoutMs: 5000 });
    await cache.getOrLoad('x', 60, loader);
    expect(await counter(registry, 'cache_bypass_total')).toBe(3);
    await closeAll(viaProxy);
    await proxy.close();
  });

  it('bypasses when the client was never connected', async () => {
    const proxy = await tcpProxy(Number(new URL(redisUrl()).port || 6379));
    await proxy.close();
    const down = createRedis(proxy.url(redisUrl()), { forWorker: false, logger });
    const { cache, registry, loader } = setup({ redis: down });
    expect((await cache.getOrLoad('y', 60, loader)).load).toBe(1);
    expect(await counter(registry, 'cache_bypass_total')).toBe(1);
    await closeAll(down);
  });
});
