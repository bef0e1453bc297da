import { Gauge, Histogram, type Registry } from 'prom-client';

function existing<T>(registry: Registry, name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}

/**
 * Share of dashboard lookups answered from Redis since the process started, read from
 * the cache's own hit and miss counters (Prometheus can also compute it from them).
 */
export function cacheHitRatioGauge(registry: Registry, cacheName: string): void {
  if (existing(registry, 'analytics_cache_hit_ratio')) return;
  const read = async (metric: string) => {
    const m = registry.getSingleMetric(metric);
    return m ? ((await m.get()).values.find((v) => v.labels['cache'] === cacheName)?.value ?? 0) : 0;
  };
  new Gauge({
    name: 'analytics_cache_hit_ratio',
    help: 'Dashboard cache hits ÷ (hits + misses) since start',
    registers: [registry],
    async collect() {
      const [hits, misses] = await Promise.all([read('cache_hits_total'), read('cache_misses_total')]);
      this.set(hits + misses > 0 ? hits / (hits + misses) : 0);
    },
  });
}

/** Seconds from an event's `occurredAt` to its commit in the rollups. */
export function freshnessHistogram(registry: Registry): Histogram<string> {
  return (
    existing<Histogram<string>>(registry, 'analytics_data_freshness_seconds') ??
    new Histogram({
      name: 'analytics_data_freshness_seconds',
      help: 'Delay from an event occurring to its effect being committed in the analytics rollups',
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600],
      registers: [registry],
    })
  );
}
