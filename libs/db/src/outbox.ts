import type { EventEnvelope } from '@jab/queue';
import type { ClientBase, Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { assertSchema } from './identifier.js';

/**
 * The outbox table of one service schema. Owned by this lib and applied by `migrate()`
 * before the service's own migrations, so every service gets the same shape; idempotent.
 */
export function outboxDdl(schema: string): string {
  assertSchema(schema);
  return `
CREATE TABLE IF NOT EXISTS "${schema}".outbox (
  seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id           uuid        NOT NULL UNIQUE,
  type         text        NOT NULL CHECK (type <> ''),
  payload      jsonb       NOT NULL,
  occurred_at  timestamptz NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX IF NOT EXISTS outbox_unpublished_idx ON "${schema}".outbox (seq) WHERE published_at IS NULL;
-- The relay's cut: rows published together (their first seq), recorded before any reaches Redis.
ALTER TABLE "${schema}".outbox ADD COLUMN IF NOT EXISTS batch bigint;
CREATE INDEX IF NOT EXISTS outbox_unpublished_batch_idx ON "${schema}".outbox (batch) WHERE published_at IS NULL;
`;
}

export function outboxChannel(schema: string): string {
  assertSchema(schema);
  return `${schema}_outbox`;
}

export interface NewEvent<Type extends string = string, Data = unknown> {
  type: Type;
  v?: number;
  source: string;
  data: Data;
  id?: string;
  occurredAt?: Date | string;
}

/** Fills in the envelope: a UUIDv7 id, `v: 1` and `occurredAt: now` unless given. */
export function createEvent<Type extends string, Data>(event: NewEvent<Type, Data>): EventEnvelope<Type, Data> {
  const occurredAt = event.occurredAt ?? new Date();
  return {
    id: event.id ?? uuidv7(),
    type: event.type,
    v: event.v ?? 1,
    occurredAt: typeof occurredAt === 'string' ? occurredAt : occurredAt.toISOString(),
    source: event.source,
    data: event.data,
  };
}

/**
 * Writes `event` to the schema's outbox on `client`, which must be inside the caller's
 * transaction (`withTransaction`): the event exists if and only if the state change commits.
 * `withTransaction` wakes the relay after the commit.
 */
export async function appendEvent<Type extends string, Data>(
  client: ClientBase,
  schema: string,
  event: EventEnvelope<Type, Data> | NewEvent<Type, Data>,
): Promise<EventEnvelope<Type, Data>> {
  const envelope = createEvent(event);
  await client.query(
    `INSERT INTO "${schema}".outbox (id, type, payload, occurred_at) VALUES ($1, $2, $3, $4)`,
    [envelope.id, envelope.type, JSON.stringify(envelope), envelope.occurredAt],
  );
  // No NOTIFY inside the transaction (it makes commits queue on PostgreSQL's notification
  // lock): `withTransaction` wakes the relay once the commit is done (`wakeAfterCommit`).
  awaitingCommit.set(client, schema);
  return envelope;
}

/** Clients whose open transaction wrote outbox rows, and the schema of those rows. */
const awaitingCommit = new WeakMap<ClientBase, string>();
/** One coalesced signal per pool and schema. */
const signals = new WeakMap<Pool, Map<string, () => void>>();

/**
 * The pool's one coalesced wake-up of the schema's relay (`createOutboxSignal`), shared by
 * every caller in the process. A lost wake-up costs only latency: the relay polls.
 */
export function outboxSignal(pool: Pool, schema: string): () => void {
  let bySchema = signals.get(pool);
  if (!bySchema) signals.set(pool, (bySchema = new Map()));
  let signal = bySchema.get(schema);
  if (!signal) {
    signal = createOutboxSignal(pool, schema, () => undefined);
    bySchema.set(schema, signal);
  }
  return signal;
}

/**
 * After `client`'s transaction committed: wakes the schema's relay if the transaction
 * wrote events. After a rollback, call it with `committed: false` to forget. A
 * transaction run outside `withTransaction` is not signalled: its events wait for the
 * relay's poll.
 */
export function wakeAfterCommit(pool: Pool, client: ClientBase, committed: boolean): void {
  const schema = awaitingCommit.get(client);
  if (schema === undefined) return;
  awaitingCommit.delete(client);
  if (committed) outboxSignal(pool, schema)();
}

/**
 * Wakes the relay after commits that wrote outbox rows without a NOTIFY of their own
 * (group commit): one NOTIFY at a time, outside any writing transaction, however many
 * commits asked for it meanwhile. A NOTIFY inside a transaction makes commits queue on
 * PostgreSQL's notification lock; here at most one short transaction per round trip
 * takes it. A lost signal costs only latency: the relay also polls.
 */
export function createOutboxSignal(pool: Pick<Pool, 'query'>, schema: string, onError: (error: unknown) => void): () => void {
  const channel = outboxChannel(schema);
  let sending = false;
  let again = false;
  const send = () => {
    sending = true;
    again = false;
    pool
      .query(`SELECT pg_notify($1, '')`, [channel])
      .catch(onError)
      .finally(() => {
        sending = false;
        if (again) send();
      });
  };
  return () => {
    if (sending) again = true;
    else send();
  };
}
