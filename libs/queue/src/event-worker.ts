import { UnrecoverableError, type Job, type Worker } from 'bullmq';
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { EVENT_BATCH_JOB, eventJobId } from './envelope.js';
import { createQueue, type JabQueue } from './queue.js';
import { createWorker, type CreateWorkerOptions } from './worker.js';

export type EventHandler<Event, Result> = (event: Event, job: Job) => Promise<Result>;

/** Applies the events of one batch job, each settled on its own, in the order given. */
export type EventsHandler<Event> = (events: Event[], job: Job) => Promise<PromiseSettledResult<void>[]>;

export interface EventWorkerOptions<Event> extends CreateWorkerOptions {
  /** For batch jobs (`EVENT_BATCH_JOB`); by default each event goes through the handler in turn. */
  many?: EventsHandler<Event>;
}

/**
 * A worker whose jobs are event envelopes: each job's data is parsed with `schema`
 * (usually a union of envelope schemas narrowed by `type`) before `handler` runs.
 * A payload that does not parse can never succeed, so it goes straight to the
 * dead-letter set instead of burning retries.
 *
 * A batch job (`EVENT_BATCH_JOB`, many events) completes when every event it carries
 * did. When only some failed (or did not parse), each of those is added back to the
 * queue as a job of its own (`eventJobId`), before the batch completes: it then has
 * its own retries and its own place in the dead-letter set, and the rest is not redone.
 * When all failed, the batch job fails and is retried whole.
 */
export function eventWorker<Schema extends z.ZodType, Result = void>(
  queueName: string,
  schema: Schema,
  handler: EventHandler<z.output<Schema>, Result>,
  options: EventWorkerOptions<z.output<Schema>>,
): Worker<unknown, Result | undefined> {
  const { many, ...workerOptions } = options;
  let requeue: JabQueue | undefined;
  const singles = () => (requeue ??= createQueue(queueName, { connection: options.connection, logger: options.logger, prefix: options.prefix }));

  async function batch(job: Job): Promise<undefined> {
    const raw = (job.data as { events?: unknown }).events;
    if (!Array.isArray(raw)) throw new UnrecoverableError('invalid event batch: no events');
    const parsed = raw.map((event) => ({ event, result: schema.safeParse(event) }));
    const valid = parsed.flatMap((p) => (p.result.success ? [p.result.data as z.output<Schema>] : []));
    const settled = many
      ? await many(valid, job)
      : await Promise.allSettled(valid.map(async (event) => void (await handler(event, job))));
    let v = 0;
    const failed = parsed.flatMap((p) => {
      if (!p.result.success) return [{ event: p.event, reason: invalid(p.result.error) }];
      const outcome = settled[v++];
      return outcome?.status === 'fulfilled' ? [] : [{ event: p.event, reason: outcome?.reason }];
    });
    if (failed.length === 0) return undefined;
    if (failed.length === raw.length) throw failed[0]?.reason instanceof Error ? failed[0].reason : new Error(String(failed[0]?.reason));
    await singles().addBulk(failed.map(({ event }) => ({ name: nameOf(event), data: event, opts: { jobId: singleJobId(event) } })));
    options.logger.warn({ queue: queueName, jobId: job.id, failed: failed.length, events: raw.length }, 'events of a batch failed; each retried as a job of its own');
    return undefined;
  }

  const worker = createWorker<unknown, Result | undefined>(
    queueName,
    async (job) => {
      if (job.name === EVENT_BATCH_JOB) return batch(job as Job);
      const parsed = schema.safeParse(job.data);
      if (!parsed.success) throw invalid(parsed.error);
      return handler(parsed.data, job as Job);
    },
    workerOptions,
  );
  worker.on('closed', () => void requeue?.close());
  return worker;
}

function invalid(error: z.ZodError): UnrecoverableError {
  const issues = error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  return new UnrecoverableError(`invalid event payload: ${issues}`);
}

const nameOf = (event: unknown) => {
  const type = (event as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type.length > 0 ? type : 'invalid';
};

/** The event's own job id; for one too broken to have an id and a type, one from its content. */
function singleJobId(event: unknown): string {
  const { id, type } = (event ?? {}) as { id?: unknown; type?: unknown };
  if (typeof id === 'string' && typeof type === 'string' && /^[\w-]+$/.test(id) && type.length > 0) return eventJobId({ id, type });
  return `invalid-${createHash('sha256').update(JSON.stringify(event) ?? 'undefined').digest('hex').slice(0, 40)}`;
}
