import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * Sends a dead-lettered (failed) job back to the queue under its original id, with a
 * fresh set of attempts. Throws when the job is missing or not failed.
 */
export async function redrive(queue: Queue, jobId: string): Promise<Job> {
  const job = await queue.getJob(jobId);
  if (!job) throw new Error(`job ${jobId} not found in queue ${queue.name}`);
  const state = await job.getState();
  if (state !== 'failed') throw new Error(`job ${jobId} in queue ${queue.name} is ${state}, not failed`);
  await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
  return job;
}

export type Closable = { close(): Promise<unknown> } | Redis;

/**
 * Closes in the order given (workers first: `Worker.close()` waits for active jobs;
 * then queues; then connections), keeps going past failures and reports them all.
 */
export async function closeAll(...items: Closable[]): Promise<void> {
  const errors: unknown[] = [];
  for (const item of items) {
    try {
      if (isRedis(item)) {
        if (item.status === 'ready') await item.quit();
        else item.disconnect();
      } else {
        await item.close();
      }
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, 'closeAll: some resources failed to close');
}

function isRedis(item: Closable): item is Redis {
  return 'quit' in item && typeof item.quit === 'function';
}
