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
