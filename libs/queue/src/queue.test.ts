import { createLogger } from '@jab/logger';
import { cleanRedisPrefix, redisUrl, testPrefix, waitFor } from '@jab/testing';
import type { Job, Worker } from 'bullmq';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  assertJobId,
  closeAll,
  createQueue,
  createRedis,
  createWorker,
  EVENT_BATCH_JOB,
  eventBatchJobId,
  eventEnvelopeSchema,
  eventJobId,
  eventWorker,
  exponentialJitterBackoff,
  redrive,
  toJobId,
  UnrecoverableError,
  type CreateWorkerOptions,
  type JabQueue,
} from './index.js';

const logger = createLogger({ service: 'queue-test', level: 'silent' });
const prefix = testPrefix();
const connection = createRedis(redisUrl(), { forWorker: true, logger });
const opened: (Worker | JabQueue)[] = [];
let n = 0;

function setup<Data = unknown>(backoffDelay = 10) {
  const name = `q${++n}`;
  const queue = createQueue<Data>(name, { connection, logger, prefix, defaultJobOptions: { backoff: { type: 'jab-exponential-jitter', delay: backoffDelay } } });
  opened.push(queue);
  const worker = <R>(processor: (job: Job<Data, R>) => Promise<R>, extra: Partial<CreateWorkerOptions> = {}) => {
    const w = createWorker<Data, R>(name, processor, { connection, logger, prefix, ...extra });
    opened.unshift(w as Worker);
    return w;
  };
  return { name, queue, worker };
}

afterEach(async () => {
  await closeAll(...opened.splice(0));
});

afterAll(async () => {
  await cleanRedisPrefix(connection, prefix);
  await closeAll(connection);
});

describe('job ids', () => {
  it('converts colons and refuses ids BullMQ would misread', () => {
    expect(toJobId('reminder', 'appointment:42')).toBe('reminder-appointment-42');
    expect(() => assertJobId('a:b')).toThrow(TypeError);
    expect(() => assertJobId('123')).toThrow(TypeError);
  });

  it('rejects an add with a colon in the job id', async () => {
    const { queue } = setup();
    expect(() => queue.add('x', {}, { jobId: 'bad:id' })).toThrow(/invalid job id/);
  });
});

describe('backoff', () => {
  it('is exponential with full jitter and a cap', () => {
    const job = { opts: { backoff: { type: 'jab-exponential-jitter', delay: 100 } } } as unknown as Job;
    for (let i = 0; i < 200; i++) {
      const d3 = exponentialJitterBackoff(3, undefined, undefined, job) as number;
      expect(d3).toBeGreaterThanOrEqual(0);
      expect(d3).toBeLessThan(400);
      expect(exponentialJitterBackoff(40, undefined, undefined, job)).toBeLessThan(15 * 60_000);
    }
  });
});

describe('queue and worker', () => {
  it('runs a job once', async () => {
    const { queue, worker } = setup<{ x: number }>();
    const seen: number[] = [];
    const w = worker(async (job) => void seen.push(job.data.x));
    const job = await queue.add('once', { x: 7 }, { jobId: toJobId('once', 'a') });
    await waitFor(async () => (await job.getState()) === 'completed');
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual([7]);
    expect(w.isRunning()).toBe(true);
  });

  it('retries with backoff, then succeeds', async () => {
    const { queue, worker } = setup();
    const attempts: number[] = [];
    worker(async () => {
      attempts.push(Date.now());
      if (attempts.length < 3) throw new Error('transient');
      return 'ok';
    });
    const job = await queue.add('flaky', {}, { jobId: 'flaky-1' });
    await waitFor(async () => (await job.getState()) === 'completed');
    const done = await queue.getJob('flaky-1');
    expect(done?.returnvalue).toBe('ok');
    expect(done?.attemptsMade).toBe(3);
    expect(attempts).toHaveLength(3);
  });

  it('dead-letters a job after its attempts with the reason, and redrive reruns it under the same id', async () => {
    const { queue, worker } = setup();
    let healthy = false;
    let runs = 0;
    worker(async () => {
      runs++;
      if (!healthy) throw new Error('provider down');
    });
    await queue.add('send', {}, { jobId: 'send-1', attempts: 2 });
    await waitFor(async () => (await queue.getJobState('send-1')) === 'failed');
    const failed = await queue.getJob('send-1');
    expect(failed?.failedReason).toBe('provider down');
    expect(failed?.attemptsMade).toBe(2);
    expect(runs).toBe(2);

    healthy = true;
    const again = await redrive(queue, 'send-1');
    expect(again.id).toBe('send-1');
    await waitFor(async () => (await queue.getJobState('send-1')) === 'completed');
    expect(runs).toBe(3);
    await expect(redrive(queue, 'send-1')).rejects.toThrow(/not failed/);
    await expect(redrive(queue, 'nope')).rejects.toThrow(/not found/);
  });

  it('does not retry an UnrecoverableError', async () => {
    const { queue, worker } = setup();
    let runs = 0;
    worker(async () => {
      runs++;
      throw new UnrecoverableError('bad input');
    });
    await queue.add('x', {}, { jobId: 'x-1' });
    await waitFor(async () => (await queue.getJobState('x-1')) === 'failed');
    expect(runs).toBe(1);
  });

  it('treats a second add with an existing job id as a no-op', async () => {
    const { queue, worker } = setup<{ v: number }>();
    const first = await queue.add('dup', { v: 1 }, { jobId: 'dup-1' });
    const second = await queue.add('dup', { v: 2 }, { jobId: 'dup-1' });
    expect(second.id).toBe(first.id);
    expect(await queue.getJobCountByTypes('waiting', 'active', 'completed', 'delayed')).toBe(1);
    const seen: number[] = [];
    worker(async (job) => void seen.push(job.data.v));
    await waitFor(async () => (await queue.getJobState('dup-1')) === 'completed');
    await queue.add('dup', { v: 3 }, { jobId: 'dup-1' });
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual([1]);
  });

  it('closes gracefully: waits for the active job to finish', async () => {
    const { queue, worker } = setup();
    let started = false;
    let finished = false;
    const w = worker(async () => {
      started = true;
      await new Promise((r) => setTimeout(r, 500));
      finished = true;
    });
    await queue.add('slow', {}, { jobId: 'slow-1' });
    await waitFor(() => started);
    await w.close();
    expect(finished).toBe(true);
    expect(await queue.getJobState('slow-1')).toBe('completed');
  });
});

describe('eventWorker', () => {
  const bookedSchema = eventEnvelopeSchema.extend({
    type: z.literal('appointment.booked'),
    data: z.object({ appointmentId: z.string() }),
  });

  it('hands parsed envelopes to the handler and dead-letters a bad payload without retrying', async () => {
    const { name, queue } = setup();
    const handled: string[] = [];
    let calls = 0;
    const w = eventWorker(
      name,
      bookedSchema,
      async (event) => {
        calls++;
        handled.push(event.data.appointmentId);
      },
      { connection, logger, prefix },
    );
    opened.unshift(w);
    const event = {
      id: '0190f5b2-7c1e-7a3b-8c4d-5e6f7a8b9c0d',
      type: 'appointment.booked',
      v: 1,
      occurredAt: new Date().toISOString(),
      source: 'registration',
      data: { appointmentId: 'ap-1' },
    };
    await queue.add(event.type, event, { jobId: 'good-1' });
    await queue.add(event.type, { ...event, data: {} }, { jobId: 'bad-1' });
    await waitFor(async () => (await queue.getJobState('good-1')) === 'completed');
    await waitFor(async () => (await queue.getJobState('bad-1')) === 'failed');
    const bad = await queue.getJob('bad-1');
    expect(bad?.failedReason).toMatch(/invalid event payload: data.appointmentId/);
    expect(bad?.attemptsMade).toBe(1);
    expect(handled).toEqual(['ap-1']);
    expect(calls).toBe(1);
  });
});

describe('eventWorker with batch jobs', () => {
  const bookedSchema = eventEnvelopeSchema.extend({
    type: z.literal('appointment.booked'),
    data: z.object({ appointmentId: z.string() }),
  });
  const booked = (n: number) => ({
    id: `0190f5b2-7c1e-7a3b-8c4d-5e6f7a8b9c${String(n).padStart(2, '0')}`,
    type: 'appointment.booked',
    v: 1,
    occurredAt: new Date().toISOString(),
    source: 'registration',
    data: { appointmentId: `ap-${n}` },
  });

  it('applies every event of a batch job together, and only a failing or malformed one is retried, as a job of its own', async () => {
    const { name, queue } = setup();
    const applied: string[] = [];
    const batches: number[] = [];
    let poisoned = true;
    const w = eventWorker(name, bookedSchema, async (event) => void applied.push(event.data.appointmentId), {
      connection,
      logger,
      prefix,
      many: async (events) => {
        batches.push(events.length);
        return events.map((e) => {
          if (e.data.appointmentId === 'ap-2' && poisoned) {
            poisoned = false;
            return { status: 'rejected', reason: new Error('ap-2 refused once') } as const;
          }
          applied.push(e.data.appointmentId);
          return { status: 'fulfilled', value: undefined } as const;
        });
      },
    });
    opened.unshift(w);
    const events = [booked(1), booked(2), { ...booked(3), data: {} }, booked(4)];
    await queue.add(EVENT_BATCH_JOB, { events }, { jobId: eventBatchJobId(events) });

    await waitFor(async () => (await queue.getJobState(eventBatchJobId(events))) === 'completed');
    // The refused event alone, under its own id, succeeds on its retry; the malformed one is dead-lettered alone.
    await waitFor(async () => (await queue.getJobState(eventJobId(booked(2)))) === 'completed');
    await waitFor(async () => (await queue.getJobState(eventJobId(booked(3)))) === 'failed');
    expect((await queue.getJob(eventJobId(booked(3))))?.failedReason).toMatch(/invalid event payload: data.appointmentId/);
    expect(batches).toEqual([3]);
    expect(applied.sort()).toEqual(['ap-1', 'ap-2', 'ap-4']);
  });

  it('retries the whole batch job when every event failed', async () => {
    const { name, queue } = setup();
    let calls = 0;
    const w = eventWorker(name, bookedSchema, async () => undefined, {
      connection,
      logger,
      prefix,
      many: async (events) => {
        calls++;
        return events.map(() => ({ status: 'rejected', reason: new Error('database unavailable') }) as const);
      },
    });
    opened.unshift(w);
    const events = [booked(5), booked(6)];
    await queue.add(EVENT_BATCH_JOB, { events }, { jobId: eventBatchJobId(events), attempts: 2 });
    await waitFor(async () => (await queue.getJobState(eventBatchJobId(events))) === 'failed');
    expect(calls).toBe(2);
    expect((await queue.getJob(eventBatchJobId(events)))?.failedReason).toBe('database unavailable');
    expect(await queue.getJob(eventJobId(booked(5)))).toBeUndefined();
  });
});

describe('createRedis', () => {
  it('fails fast on the request path when Redis is unreachable', async () => {
    const redis = createRedis('redis://127.0.0.1:1', { forWorker: false, logger });
    const started = Date.now();
    await expect(redis.get('k')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1000);
    await closeAll(redis);
  });
});
