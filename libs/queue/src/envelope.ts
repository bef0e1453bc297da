import { createHash } from 'node:crypto';
import { z } from 'zod';

/** Every domain event, on the outbox and on every queue. */
export interface EventEnvelope<Type extends string = string, Data = unknown> {
  /** UUIDv7: unique, time-ordered; consumers are idempotent on it. */
  id: string;
  /** `noun.past_tense_verb`, e.g. `appointment.booked`. */
  type: Type;
  /** Payload version. */
  v: number;
  /** ISO-8601 timestamp of the state change. */
  occurredAt: string;
  /** The service that emitted it. */
  source: string;
  data: Data;
}

/** Base zod schema; narrow it per event with `.extend({ type: z.literal(…), data: … })`. */
export const eventEnvelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  v: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  source: z.string().min(1),
  data: z.unknown(),
});

/** `appointment.booked` + id → `appointment-booked-<id>`: the same event always gets the same job id. */
export function eventJobId(event: Pick<EventEnvelope, 'type' | 'id'>): string {
  return `${event.type.replaceAll('.', '-').replaceAll(':', '-')}-${event.id}`;
}

/**
 * The name of a job that carries many events (`data.events`, in outbox order): the
 * relay's unit, so that a queue hop costs Redis one job per batch, not one per event.
 */
export const EVENT_BATCH_JOB = 'events';

export interface EventBatch {
  events: EventEnvelope[];
}

/** The same events always make the same batch job id (a re-published batch is added once). */
export function eventBatchJobId(events: readonly Pick<EventEnvelope, 'id'>[]): string {
  return `events-${createHash('sha256').update(events.map((e) => e.id).join(',')).digest('hex').slice(0, 40)}`;
}
