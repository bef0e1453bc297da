import { collectDefaultMetrics, Histogram, type Registry } from 'prom-client';

const DURATION = 'http_request_duration_seconds';

export function durationHistogram(registry: Registry): Histogram<'method' | 'route' | 'status_code'> {
  const existing = registry.getSingleMetric(DURATION);
  if (existing instanceof Histogram) return existing;
  return new Histogram({
    name: DURATION,
    help: 'HTTP request duration in seconds, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
}

/** Registers the process's default metrics in `registry`, once. */
export function registerDefaultMetrics(registry: Registry): void {
  if (!registry.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics({ register: registry });
}
