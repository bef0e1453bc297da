import { createLogger } from '@jab/logger';
import { createQueue, createRedis } from '@jab/queue';
import { cleanRedisPrefix, redisUrl, testPrefix } from '@jab/testing';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { publishQueueDepth } from './queue-depth.js';

const prefix = testPrefix();
const connection = createRedis(redisUrl(), { forWorker: true });
afterAll(async () => {
  await cleanRedisPrefix(connection, prefix);
  await connection.quit();
});

describe('queue depth for autoscaling', () => {
  it('publishes the waiting jobs of every consumer queue as one CloudWatch EMF line', async () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const logger = createLogger({ service: 'search', destination });
    const a = createQueue('depth.a', { connection, prefix, logger });
    const b = createQueue('depth.b', { connection, prefix, logger });
    await a.add('x', {}, { jobId: 'x-1' });
    await a.add('x', {}, { jobId: 'x-2', priority: 5 });
    await b.add('x', {}, { jobId: 'x-3' });

    const waiting = await publishQueueDepth({ queues: [a, b], logger, environment: 'qa', service: 'search' });
    await a.close();
    await b.close();

    expect(waiting).toBe(3);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      Environment: 'qa',
      Service: 'search',
      WaitingJobs: 3,
      _aws: { CloudWatchMetrics: [{ Namespace: 'Jab', Dimensions: [['Environment', 'Service']], Metrics: [{ Name: 'WaitingJobs' }] }] },
    });
  });
});
