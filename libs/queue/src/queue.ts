import type { Logger } from '@jab/logger';
import { Queue, type DefaultJobOptions, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { BACKOFF_BASE_MS, BACKOFF_TYPE } from './backoff.js';
import { assertJobId } from './job-id.js';

/** Attempts, jittered backoff (resolved by every `createWorker`), finished-job retention. */
export const defaultJobOptions = {
  attempts: 8,
  backoff: { type: BACKOFF_TYPE, delay: BACKOFF_BASE_MS },
  // Kept for a while so a re-added job id (outbox re-publish) is still recognised as a duplicate.
  removeOnComplete: { age: 3 * 24 * 3600, count: 10_000 },
  // The failed set is the dead-letter store: never trimmed automatically, emptied by redrive.
  removeOnFail: false,
} satisfies DefaultJobOptions;

export interface CreateQueueOptions {
  connection: Redis;
  logger: Logger;
  /** The deployment's Redis key prefix (no `:`), shared by every queue and worker. */
  prefix: string;
  defaultJobOptions?: DefaultJobOptions;
}

/** A BullMQ queue that refuses job ids BullMQ would misread (`:`, all digits). */
export class JabQueue<Data = unknown> extends Queue<Data, unknown, string, Data, unknown, string> {
  override add(name: string, data: Data, opts?: JobsOptions) {
    if (opts?.jobId !== undefined) assertJobId(opts.jobId);
    return super.add(name, data, opts);
  }

  override addBulk(jobs: { name: string; data: Data; opts?: JobsOptions }[]) {
    for (const job of jobs) if (job.opts?.jobId !== undefined) assertJobId(job.opts.jobId);
    return super.addBulk(jobs);
  }
}

export function createQueue<Data = unknown>(name: string, options: CreateQueueOptions): JabQueue<Data> {
  const { connection, logger, prefix } = options;
  assertPrefix(prefix);
  const queue = new JabQueue<Data>(name, {
    connection,
    prefix,
    defaultJobOptions: { ...defaultJobOptions, ...options.defaultJobOptions },
  });
  queue.on('error', (err) => logger.error({ err, queue: name }, 'queue error'));
  return queue;
}

export function assertPrefix(prefix: string): void {
  if (!prefix || prefix.includes(':')) throw new TypeError(`invalid queue prefix "${prefix}": must be non-empty, without ":"`);
}
