import { createVerifier, type Verifier } from '@jab/auth';
import { loadConfig, type BaseConfig } from '@jab/config';
import { createBatcher, createOutboxRelay, createPool, migrate, type OutboxRelay } from '@jab/db';
import { createApp, createOpenApi, finalizeApp, onShutdown, pgCheck, redisCheck, startServer, type ApiRoute } from '@jab/http';
import { createLogger, type Logger } from '@jab/logger';
import { createQueue, createRedis, eventWorker, type Job, type Worker } from '@jab/queue';
import type { RateLimiterOptions } from 'bullmq';
import type { ServiceName } from '@jab/topology';
import { Router } from 'express';
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { z } from 'zod';
import { publishQueueDepth } from './queue-depth.js';

/** What a service's components are built from: one of each per process. */
export interface ServiceContext<C extends BaseConfig> {
  config: C;
  logger: Logger;
  /** The writer: every write, and every read a write or a booking decides on. */
  pool: Pool;
  /**
   * Reads that may be a second behind (lists, exports): the Aurora reader when
   * DATABASE_READ_URL is set, otherwise the writer's own pool. Never for a write, nor for
   * a read right after the caller's own write (docs/decisions/0006-read-replica.md).
   */
  readPool: Pool;
  /** Request-path Redis client: fails fast while Redis is away. */
  redis: Redis;
  registry: Registry;
  /**
   * Registers a step to run at shutdown, after the server and workers stopped and
   * before Redis and PostgreSQL close: for clients a component opened itself.
   */
  onClose: (name: string, run: () => Promise<unknown> | unknown) => void;
}

/** One job of a batch: its parsed event and the BullMQ job it came in. */
export interface Batched<E> {
  event: E;
  job: Job;
}

/**
 * Applies many jobs' events with a few multi-row statements; settles each item on its own
 * (its result, or the error of that item alone), in the order given.
 */
export type BatchHandler<E> = (items: Batched<E>[]) => Promise<PromiseSettledResult<void>[]>;

/** A consumer of one queue: events parsed with `schema`, handled idempotently. */
export interface Consumer<S extends z.ZodType = z.ZodType> {
  queue: string;
  schema: S;
  handle: (event: z.output<S>, job: Job) => Promise<void>;
  /**
   * Group commit for events: the worker holds up to `concurrency` jobs at once and hands
   * them to `handleBatch` together (at most `maxBatch` per call). Each job completes only
   * after its batch committed, so BullMQ's per-job retries and dead-letter set stay as
   * they are; a batch that throws is replayed one event at a time through `handle`, so
   * one bad event fails only its own job.
   */
  batch?: { handle: BatchHandler<z.output<S>>; maxBatch: number; maxInFlight: number };
  concurrency?: number;
  /** BullMQ rate limit for this queue's worker (e.g. a provider's sends per second). */
  limiter?: RateLimiterOptions;
}

/**
 * How a consumer's worker applies events: `single` for a job of one event, `many` for the
 * events of a batch job. With `batch`, both go through one group-commit batcher, so events
 * of several jobs (single or batch) share statements, and `maxInFlight` bounds the database
 * work however many jobs the worker holds.
 */
export function processorOf(c: Consumer): {
  single: (event: unknown, job: Job) => Promise<void>;
  many: (events: unknown[], job: Job) => Promise<PromiseSettledResult<void>[]>;
} {
  const { batch } = c;
  const single = batch ? batched(c, batch) : (event: unknown, job: Job) => c.handle(event, job);
  return { single, many: (events, job) => Promise.allSettled(events.map((event) => single(event, job))) };
}

function batched(c: Consumer, batch: NonNullable<Consumer['batch']>): (event: unknown, job: Job) => Promise<void> {
  const batcher = createBatcher<Batched<unknown>, void>(
    async (items) => {
      try {
        return await batch.handle(items);
      } catch {
        // Which event broke the batch is unknown: each one alone, so only that one fails.
        return Promise.allSettled(items.map((i) => c.handle(i.event, i.job)));
      }
    },
    { maxBatch: batch.maxBatch, maxInFlight: batch.maxInFlight },
  );
  return (event, job) => batcher.submit({ event, job });
}

/** Infers the event type of `handle` (and `batch.handle`) from `schema`. */
export function consumer<S extends z.ZodType>(c: Consumer<S>): Consumer {
  return c as unknown as Consumer;
}

export interface ApiParts {
  routers: Router[];
  /** Routes described in the OpenAPI document, from the same zod schemas that validate. */
  routes?: ApiRoute[];
  /**
   * Answers from process memory, before express, the few public reads a surge is made of;
   * returns false to hand the request to express. It must pay what every request pays
   * (`createRequestTracker`) and send the headers express would.
   */
  hotPath?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /**
   * Called once the server takes no new connections: end the responses that never end
   * by themselves (event streams), so shutdown does not wait for its deadline and their
   * clients reconnect to another task.
   */
  drain?: () => void;
}

export interface ServiceDefinition<C extends BaseConfig> {
  name: ServiceName;
  /** Extends `baseConfigSchema` with the service's own settings. */
  config: z.ZodType<C>;
  /** Folder of the service's SQL migrations. */
  migrationsDir: string;
  api?: (ctx: ServiceContext<C>) => Promise<ApiParts> | ApiParts;
  consumers?: (ctx: ServiceContext<C>) => Consumer[];
  /** Publishes this service's outbox to the consuming queues (runs in the worker role). */
  outbox?: { routes: Readonly<Record<string, readonly string[]>> };
  /** One-off commands (`node main.js <name> …`), e.g. creating the first admin. */
  commands?: Record<
    string,
    (ctx: Omit<ServiceContext<C>, 'redis' | 'registry' | 'onClose'>, args: string[], env: Record<string, string | undefined>) => Promise<void>
  >;
}

/** Identity helper that infers the config type once for the whole definition. */
export function defineService<C extends BaseConfig>(def: ServiceDefinition<C>): ServiceDefinition<C> {
  return def;
}

export interface RunOptions {
  argv?: string[];
  env?: Record<string, string | undefined>;
  /** Injected by tests; the process exits by default. */
  exit?: (code: number) => void;
}

export interface RunningService {
  port: number;
  /** Graceful shutdown, as on SIGTERM; resolves with the exit code. */
  shutdown: (reason?: string) => Promise<number>;
}

/** Verifier for tokens issued by the registration service, from its JWKS. */
export function jwksVerifier(jwksUrl: string): Verifier {
  return createVerifier({ jwksUrl, issuer: ISSUER, audience: AUDIENCE });
}
export const ISSUER = 'jab-registration';
export const AUDIENCE = 'jab';

/**
 * The service's migrations folder seen from its entry file: beside the bundle in an
 * image (`dist/migrations`), one level up from `src/` in the workspace.
 */
export function migrationsNear(entryDir: string): string {
  const candidates = [join(entryDir, 'migrations'), join(entryDir, '..', 'migrations')];
  return candidates.find((dir) => existsSync(dir)) ?? candidates[1];
}

/**
 * The composition root every service shares: config → logger → pools → migrations
 * → HTTP server (api role) and queue workers + outbox relay (worker role) → graceful
 * shutdown. `ROLE=all` runs both roles in one process.
 */
export async function runService<C extends BaseConfig>(
  def: ServiceDefinition<C>,
  { argv = process.argv.slice(2), env = process.env, exit }: RunOptions = {},
): Promise<RunningService | undefined> {
  const config = loadConfig(def.config, env);
  const logger = createLogger({ service: def.name, level: config.LOG_LEVEL }).child({ role: config.ROLE });
  // `check-config`: validate the settings (as a task definition would give them) and stop,
  // touching nothing; a bad setting has already ended the process above.
  if (argv[0] === 'check-config') {
    logger.info('settings are valid');
    return undefined;
  }
  const pool = createPool(config.DATABASE_URL, { applicationName: `${def.name}-${config.ROLE}` });
  const readPool = config.DATABASE_READ_URL
    ? createPool(config.DATABASE_READ_URL, { applicationName: `${def.name}-${config.ROLE}-reader` })
    : pool;
  const closePools = async () => void (await Promise.all([pool.end(), readPool !== pool && readPool.end()]));
  const [command, ...args] = argv;

  if (command) {
    try {
      if (command === 'migrate') await migrate({ databaseUrl: config.DATABASE_URL, schema: def.name, dir: def.migrationsDir, logger });
      else if (def.commands?.[command]) await def.commands[command]({ config, logger, pool, readPool }, args, env);
      else throw new Error(`unknown command "${command}"; known: check-config, migrate, ${Object.keys(def.commands ?? {}).join(', ')}`);
    } finally {
      await closePools();
    }
    return undefined;
  }

  await migrate({ databaseUrl: config.DATABASE_URL, schema: def.name, dir: def.migrationsDir, logger });
  const registry = new Registry();
  registry.setDefaultLabels({ service: def.name, role: config.ROLE });
  collectDefaultMetrics({ register: registry });
  const redis = createRedis(config.REDIS_URL, { forWorker: false, logger, name: `${def.name}-request` });
  const closers: { name: string; run: () => Promise<void> }[] = [];
  const ctx: ServiceContext<C> = {
    config,
    logger,
    pool,
    readPool,
    redis,
    registry,
    onClose: (name, run) => closers.push({ name, run: async () => void (await run()) }),
  };

  const parts = config.ROLE !== 'worker' && def.api ? await def.api(ctx) : undefined;
  const app = createApp({
    service: def.name,
    logger,
    registry,
    bodyLimit: config.BODY_LIMIT,
    trustProxy: config.TRUST_PROXY_HOPS,
    readiness: [pgCheck(pool), ...(readPool === pool ? [] : [pgCheck(readPool, 'postgres-reader')]), redisCheck(redis)],
    openapi: parts?.routes ? createOpenApi({ service: def.name, version: '1', routes: parts.routes }) : undefined,
  });
  // One mount for all the service's routers: express strips the prefix, and parses the URL,
  // once per request rather than once per router it passes (a tenth of a long URL's cost).
  if (parts?.routers.length) app.use(`/api/${def.name}/v1`, Router().use(...parts.routers));
  finalizeApp(app);
  const hotPath = parts?.hotPath;
  const server = await startServer(hotPath ? (req, res) => void (hotPath(req, res) || app(req, res)) : app, { port: config.PORT, logger });

  const workers: Worker[] = [];
  let workerRedis: Redis | undefined;
  let relay: OutboxRelay | undefined;
  if (config.ROLE !== 'api') {
    const connection = createRedis(config.REDIS_URL, { forWorker: true, logger, name: `${def.name}-worker` });
    workerRedis = connection;
    const consumers = def.consumers?.(ctx) ?? [];
    for (const c of consumers) {
      const { single, many } = processorOf(c);
      workers.push(
        eventWorker(c.queue, c.schema, single, {
          many,
          connection,
          logger,
          prefix: config.REDIS_PREFIX,
          concurrency: c.concurrency ?? 8,
          limiter: c.limiter,
        }),
      );
    }
    const environment = config.JAB_ENVIRONMENT;
    if (environment && consumers.length > 0) {
      const queues = consumers.map((c) => createQueue(c.queue, { connection, logger, prefix: config.REDIS_PREFIX }));
      const timer = setInterval(() => {
        publishQueueDepth({ queues, logger, environment, service: def.name }).catch((err: unknown) =>
          logger.warn({ err }, 'queue depth not published'),
        );
      }, config.QUEUE_DEPTH_INTERVAL_MS);
      timer.unref();
      closers.unshift({
        name: 'queue depth',
        run: async () => {
          clearInterval(timer);
          await Promise.all(queues.map((q) => q.close()));
        },
      });
    }
    if (def.outbox) {
      relay = createOutboxRelay({
        pool,
        schema: def.name,
        routes: def.outbox.routes,
        connection,
        prefix: config.REDIS_PREFIX,
        logger,
        registry,
      });
      relay.start();
    }
  }

  const shutdown = onShutdown({
    logger,
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    exit,
    steps: [
      // Stop taking requests first, then let workers finish their active jobs.
      {
        name: 'http server',
        run: async () => {
          const closed = server.close(config.SHUTDOWN_TIMEOUT_MS - 2_000);
          parts?.drain?.();
          await closed;
        },
      },
      { name: 'outbox relay', run: () => relay?.stop() },
      { name: 'workers', run: async () => void (await Promise.all(workers.map((w) => w.close()))) },
      ...closers,
      { name: 'redis', run: async () => void (await Promise.all([redis.quit(), workerRedis?.quit()])) },
      { name: 'postgres', run: closePools },
    ],
  });
  logger.info({ port: server.port, workers: workers.length, relay: Boolean(relay) }, 'service started');
  return { port: server.port, shutdown };
}
