import type { Logger } from '@jab/logger';
import { Worker, type Job, type KeepJobs, type RateLimiterOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { exponentialJitterBackoff } from './backoff.js';
import { assertPrefix } from './queue.js';

export type Processor<Data, Result> = (job: Job<Data, Result>, token?: string, signal?: AbortSignal) => Promise<Result>;

export interface CreateWorkerOptions {
  /** A connection made with `createRedis(url, { forWorker: true })`. */
  connection: Redis;
  logger: Logger;
  prefix: string;
  concurrency?: number;
  limiter?: RateLimiterOptions;
  /** Applies when the job itself does not say; the failed set is always kept. */
  removeOnComplete?: KeepJobs;
  lockDuration?: number;
  /** Start fetching jobs at once (default); `false` to call `worker.run()` later. */
  autorun?: boolean;
}

export function createWorker<Data = unknown, Result = unknown>(
  name: string,
  processor: Processor<Data, Result>,
  options: CreateWorkerOptions,
): Worker<Data, Result> {
  const { connection, logger, prefix, concurrency = 1, ...optional } = options;
  assertPrefix(prefix);
  const log = logger.child({ queue: name });
  const worker = new Worker<Data, Result>(name, processor, {
    connection,
    prefix,
    concurrency,
    // BullMQ spreads options over its defaults, so an explicit `undefined` would erase them.
    ...withoutUndefined(optional),
    settings: { backoffStrategy: exponentialJitterBackoff },
  });
  worker.on('error', (err) => log.error({ err }, 'worker error'));
  worker.on('completed', (job) =>
    log.info({ jobId: job.id, job: job.name, attempt: job.attemptsMade, ms: elapsed(job) }, 'job completed'),
  );
  // Job data is never logged: it may carry personal data.
  worker.on('failed', (job, err) => {
    const final = job ? job.attemptsMade >= (job.opts.attempts ?? 1) || err.name === 'UnrecoverableError' : true;
    log[final ? 'error' : 'warn'](
      { jobId: job?.id, job: job?.name, attempt: job?.attemptsMade, reason: err.message, final },
      final ? 'job failed, moved to the dead-letter set' : 'job failed, will retry',
    );
  });
  return worker;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function elapsed(job: Job): number | undefined {
  return job.processedOn && job.finishedOn ? job.finishedOn - job.processedOn : undefined;
}
