import type { Logger } from '@jab/logger';
import { createQueue, EVENT_BATCH_JOB, eventBatchJobId, eventJobId, type EventBatch, type EventEnvelope, type JabQueue } from '@jab/queue';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { Counter, Gauge, type Registry } from 'prom-client';
import { assertSchema } from './identifier.js';
import { outboxChannel } from './outbox.js';

export type Routes = Record<string, readonly string[]> | ((eventType: string) => readonly string[]);

export interface OutboxRelayOptions {
  pool: pg.Pool;
  /** For the LISTEN connection; defaults to the pool's connection string. */
  databaseUrl?: string;
  schema: string;
  /** Consuming queues per event type. An event no queue consumes is marked published. */
  routes: Routes;
  /** A connection made with `createRedis(url, { forWorker: true })`. */
  connection: Redis;
  prefix: string;
  logger: Logger;
  pollIntervalMs?: number;
  /** Outbox rows claimed and published per round trip. */
  batchSize?: number;
  /** Most events in one queue job: a lone event gets a job of its own (`eventJobId`), more share one. */
  eventsPerJob?: number;
  /** A batch whose queue adds take longer than this is rolled back and retried. */
  publishTimeoutMs?: number;
  registry?: Registry;
}

export interface OutboxRelay {
  start(): void;
  stop(): Promise<void>;
  /** Publishes until the outbox is empty (or throws); what the loop runs when woken. */
  drain(): Promise<number>;
}

interface OutboxRow {
  seq: string;
  type: string;
  payload: EventEnvelope;
}

export { eventJobId } from '@jab/queue';

/**
 * Moves committed outbox rows to BullMQ, many events per job (`EVENT_BATCH_JOB`): Redis
 * pays one job per batch, not one per event. A row is marked published only in the same
 * transaction that held its lock while every consuming queue accepted its job, so a
 * Redis outage delays events but never loses them; a crash after the adds but before
 * the commit re-publishes the batch as it was cut (`cut`), under the same job ids,
 * which BullMQ ignores.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { pool, schema, connection, prefix, logger, pollIntervalMs = 1_000, batchSize = 500, eventsPerJob = 100, publishTimeoutMs = 5_000 } = options;
  assertSchema(schema);
  const log = logger.child({ component: 'outbox-relay', schema });
  const routesFor = typeof options.routes === 'function' ? options.routes : (type: string) => (options.routes as Record<string, readonly string[]>)[type] ?? [];
  const queues = new Map<string, JabQueue<EventEnvelope | EventBatch>>();
  const metrics = options.registry ? relayMetrics(options.registry, pool, schema) : undefined;

  const queue = (name: string) => {
    let q = queues.get(name);
    if (!q) {
      q = createQueue<EventEnvelope | EventBatch>(name, { connection, logger, prefix });
      queues.set(name, q);
    }
    return q;
  };

  /**
   * Cuts the next batch and records the cut in its own commit, before anything reaches
   * Redis: a batch interrupted after its adds (a crash, a timed-out add that Redis still
   * ran) comes back whole and cut the same way, so it makes the same jobs, which BullMQ
   * ignores. An interrupted batch goes before any new one.
   */
  async function cut(): Promise<string | undefined> {
    const { rows } = await pool.query<{ batch: string | null }>(
      `WITH claimed AS (
         SELECT seq, batch FROM "${schema}".outbox WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED),
       earlier AS (SELECT min(batch) AS batch FROM claimed),
       fresh AS (
         UPDATE "${schema}".outbox o SET batch = (SELECT min(seq) FROM claimed)
           FROM claimed WHERE o.seq = claimed.seq AND (SELECT batch FROM earlier) IS NULL
         RETURNING o.batch)
       SELECT coalesce((SELECT batch FROM earlier), (SELECT min(batch) FROM fresh))::text AS batch`,
      [batchSize],
    );
    return rows[0]?.batch ?? undefined;
  }

  async function publishBatch(): Promise<number> {
    const batch = await cut();
    if (batch === undefined) return 0;
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      // Waits for a relay publishing the same batch, then finds it published.
      const { rows } = await client.query<OutboxRow>(
        `SELECT seq, type, payload FROM "${schema}".outbox WHERE batch = $1 AND published_at IS NULL ORDER BY seq FOR UPDATE`,
        [batch],
      );
      if (rows.length > 0) {
        await withTimeout(addToQueues(rows), publishTimeoutMs);
        await client.query(`UPDATE "${schema}".outbox SET published_at = now() WHERE seq = ANY($1::bigint[])`, [rows.map((r) => r.seq)]);
      }
      await client.query('COMMIT');
      metrics?.published(rows.length);
      return rows.length;
    } catch (error) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async function addToQueues(rows: OutboxRow[]) {
    const byQueue = new Map<string, EventEnvelope[]>();
    for (const { payload } of rows) {
      for (const name of routesFor(payload.type)) {
        const events = byQueue.get(name) ?? [];
        events.push(payload);
        byQueue.set(name, events);
      }
    }
    await Promise.all([...byQueue].map(([name, events]) => queue(name).addBulk(jobsOf(events))));
  }

  /** Outbox order kept: consecutive events share a job, `eventsPerJob` at most. */
  function jobsOf(events: EventEnvelope[]) {
    const jobs: { name: string; data: EventEnvelope | EventBatch; opts: { jobId: string } }[] = [];
    for (let i = 0; i < events.length; i += eventsPerJob) {
      const chunk = events.slice(i, i + eventsPerJob);
      const [only] = chunk;
      if (chunk.length === 1 && only) jobs.push({ name: only.type, data: only, opts: { jobId: eventJobId(only) } });
      else jobs.push({ name: EVENT_BATCH_JOB, data: { events: chunk }, opts: { jobId: eventBatchJobId(chunk) } });
    }
    return jobs;
  }

  async function drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await publishBatch();
      total += n;
      if (n === 0) return total;
    }
  }

  // --- the loop: woken by NOTIFY, by the poll timer, or by stop() ---
  let running: Promise<void> | undefined;
  let stopped = true;
  let pendingWake = false;
  let wakeable = false;
  let interrupt: (() => void) | undefined;
  const wake = () => {
    pendingWake = true;
    if (wakeable) interrupt?.();
  };
  const sleep = (ms: number, canWake: boolean) =>
    stopped || (canWake && pendingWake)
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const timer = setTimeout(done, ms);
          wakeable = canWake;
          interrupt = done;
          function done() {
            clearTimeout(timer);
            interrupt = undefined;
            wakeable = false;
            resolve();
          }
        });

  const refreshBacklog = () => metrics?.refreshBacklog().catch((err: Error) => log.debug({ err }, 'outbox backlog unavailable'));

  async function loop() {
    let failures = 0;
    while (!stopped) {
      pendingWake = false;
      try {
        await drain();
        if (failures > 0) log.info('outbox relay publishing again');
        failures = 0;
        await refreshBacklog();
        await sleep(pollIntervalMs, true);
      } catch (err) {
        failures++;
        if (failures === 1) log.warn({ err }, 'outbox relay cannot publish; backing off, nothing is marked published');
        await refreshBacklog();
        // Not wakeable: new commits during an outage must not turn the backoff into a busy loop.
        await sleep(Math.min(30_000, 250 * 2 ** Math.min(failures, 7)), false);
      }
    }
  }

  // --- LISTEN on a dedicated client, re-established after PostgreSQL restarts ---
  let listener: pg.Client | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  const connectionString = options.databaseUrl ?? pool.options.connectionString;

  async function listen(attempt = 0): Promise<void> {
    if (stopped) return;
    const client = new pg.Client({ connectionString, application_name: `outbox-relay-${schema}` });
    const retry = () => {
      if (listener !== client || stopped) return;
      listener = undefined;
      client.end().catch(() => undefined);
      reconnectTimer = setTimeout(() => void listen(attempt + 1), Math.min(30_000, 500 * 2 ** Math.min(attempt, 6)));
    };
    listener = client;
    client.on('error', (err) => {
      if (attempt === 0) log.warn({ err }, 'outbox LISTEN connection lost; polling until it is back');
      retry();
    });
    client.on('end', retry);
    client.on('notification', () => wake());
    try {
      await client.connect();
      await client.query(`LISTEN "${outboxChannel(schema)}"`);
      if (attempt > 0) log.info('outbox LISTEN connection restored');
      attempt = 0;
      // Commits that happened while we were not listening.
      wake();
    } catch (err) {
      if (attempt === 0) log.warn({ err }, 'outbox LISTEN connection failed; polling until it is back');
      retry();
    }
  }

  return {
    drain,
    start() {
      if (!stopped) return;
      stopped = false;
      void listen();
      running = loop();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(reconnectTimer);
      interrupt?.();
      await running;
      const l = listener;
      listener = undefined;
      await l?.end().catch(() => undefined);
      await Promise.all([...queues.values()].map((q) => q.close()));
      queues.clear();
    },
  };
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`queue add timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function relayMetrics(registry: Registry, pool: pg.Pool, schema: string) {
  // Several relays (one per schema) may share a registry: reuse the metric, label by schema.
  const published =
    (registry.getSingleMetric('outbox_published_total') as Counter<'schema'> | undefined) ??
    new Counter({ name: 'outbox_published_total', help: 'Outbox events published to their queues', labelNames: ['schema'], registers: [registry] });
  const backlog =
    (registry.getSingleMetric('outbox_backlog') as Gauge<'schema'> | undefined) ??
    new Gauge({ name: 'outbox_backlog', help: 'Outbox events not yet published', labelNames: ['schema'], registers: [registry] });
  return {
    published: (n: number) => n > 0 && published.inc({ schema }, n),
    async refreshBacklog() {
      const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".outbox WHERE published_at IS NULL`);
      backlog.set({ schema }, Number(rows[0]?.n ?? 0));
    },
  };
}
