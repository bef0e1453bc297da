import type { JabQueue } from '@jab/queue';
import type { Redis } from 'ioredis';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { DeliveryMetrics } from './delivery/delivery.service.js';
import { PRIORITY_CLASSES } from './queues.js';

// BullMQ orders its prioritized set by priority · 2^32 + insertion counter.
const PRIORITY_SHIFT = 2 ** 32;

/**
 * The age of the job that has waited longest to run: the head of the wait list and the
 * oldest job of each priority class (the set is ordered by priority first).
 */
async function oldestWaitingSeconds(queue: JabQueue, redis: Redis, now: number): Promise<number> {
  const [head] = await queue.getJobs(['wait'], 0, 0, true);
  const ids = await Promise.all(
    PRIORITY_CLASSES.map((p) =>
      redis.zrangebyscore(queue.keys.prioritized, p * PRIORITY_SHIFT, (p + 1) * PRIORITY_SHIFT - 1, 'LIMIT', 0, 1),
    ),
  );
  const jobs = [head, ...(await Promise.all(ids.flat().map((id) => queue.getJob(id))))];
  const readySince = jobs.filter((j) => j !== undefined).map((j) => j.timestamp + (j.delay ?? 0));
  return readySince.length === 0 ? 0 : Math.max(0, (now - Math.min(...readySince)) / 1000);
}

/**
 * Queue gauges read on each scrape (depth is what the worker service scales on), plus
 * send latency and failures per channel.
 */
export function registerNotificationMetrics(registry: Registry, queues: JabQueue[], redis: Redis): DeliveryMetrics {
  new Gauge({
    name: 'notifications_queue_depth',
    help: 'Jobs ready to run (waiting or prioritized), per queue',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      await Promise.all(
        queues.map(async (q) => {
          const counts = await q.getJobCounts('waiting', 'prioritized');
          this.set({ queue: q.name }, (counts['waiting'] ?? 0) + (counts['prioritized'] ?? 0));
        }),
      ).catch(() => undefined);
    },
  });
  new Gauge({
    name: 'notifications_queue_delayed',
    help: 'Jobs waiting for their time (reminders, second-dose notices, retries), per queue',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      await Promise.all(queues.map(async (q) => this.set({ queue: q.name }, await q.getDelayedCount()))).catch(() => undefined);
    },
  });
  new Gauge({
    name: 'notifications_queue_dead_letters',
    help: 'Jobs in the failed set (the dead-letter store), per queue',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      await Promise.all(queues.map(async (q) => this.set({ queue: q.name }, await q.getFailedCount()))).catch(() => undefined);
    },
  });
  new Gauge({
    name: 'notifications_queue_oldest_waiting_seconds',
    help: 'Age of the oldest job ready to run, per queue',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      const now = Date.now();
      await Promise.all(queues.map(async (q) => this.set({ queue: q.name }, await oldestWaitingSeconds(q, redis, now)))).catch(
        () => undefined,
      );
    },
  });
  const latency = new Histogram({
    name: 'notifications_send_duration_seconds',
    help: 'Time the provider took to accept a message, per channel',
    labelNames: ['channel'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const failures = new Counter({
    name: 'notifications_send_failures_total',
    help: 'Failed send attempts per channel and kind (temporary: retried; permanent: fallback or dead)',
    labelNames: ['channel', 'kind'],
    registers: [registry],
  });
  return {
    sent: (channel, seconds) => latency.observe({ channel }, seconds),
    failed: (channel, kind) => failures.inc({ channel, kind }),
  };
}
