import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Histogram, type Registry } from 'prom-client';
import { routePattern } from './request-context.js';

const DURATION = 'http_request_duration_seconds';

function durationHistogram(registry: Registry): Histogram<'method' | 'route' | 'status_code'> {
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

/** Registers default and HTTP metrics in `registry` (once) and times every request. */
export function httpMetrics(registry: Registry): RequestHandler {
  if (!registry.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics({ register: registry });
  const histogram = durationHistogram(registry);
  return (req, res, next) => {
    const end = histogram.startTimer();
    res.once('finish', () => {
      // Unmatched paths share one label so scanners cannot blow up the series count.
      end({ method: req.method, route: routePattern(req) ?? 'unmatched', status_code: res.statusCode });
    });
    next();
  };
}
