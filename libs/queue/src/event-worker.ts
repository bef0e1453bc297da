import { UnrecoverableError, type Job, type Worker } from 'bullmq';
import type { z } from 'zod';
import { createWorker, type CreateWorkerOptions } from './worker.js';

export type EventHandler<Event, Result> = (event: Event, job: Job) => Promise<Result>;

/**
 * A worker whose jobs are event envelopes: each job's data is parsed with `schema`
 * (usually a union of envelope schemas narrowed by `type`) before `handler` runs.
 * A payload that does not parse can never succeed, so it goes straight to the
 * dead-letter set instead of burning retries.
 */
export function eventWorker<Schema extends z.ZodType, Result = void>(
  queueName: string,
  schema: Schema,
  handler: EventHandler<z.output<Schema>, Result>,
  options: CreateWorkerOptions,
): Worker<unknown, Result> {
  return createWorker<unknown, Result>(
    queueName,
    async (job) => {
      const parsed = schema.safeParse(job.data);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
        throw new UnrecoverableError(`invalid event payload: ${issues}`);
      }
      return handler(parsed.data, job as Job);
    },
    options,
  );
}
