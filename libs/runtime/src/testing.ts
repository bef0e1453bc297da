/**
 * Runs a real service in-process for integration tests: its own throwaway database,
 * its own Redis/BullMQ prefix, an ephemeral port, and a token signer whose JWKS is
 * served over HTTP the way registration serves it.
 */
import { createSigner, generateSigningKey, type Role, type Signer } from '@jab/auth';
import type { BaseConfig } from '@jab/config';
import { adminUrl, cleanRedisPrefix, createTestDatabase, redisUrl, testPrefix, waitFor, type TestDatabase } from '@jab/testing';
import { eventJobId, migrate } from '@jab/db';
import { createLogger } from '@jab/logger';
import { createQueue, createRedis, type JabQueue } from '@jab/queue';
import { Redis } from 'ioredis';
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { AUDIENCE, ISSUER, runService, type ServiceDefinition } from './service.js';

export interface TestIssuer {
  jwksUrl: string;
  signer: Signer;
  token(sub: string, role: Role, extra?: { region?: string; centerId?: string }): Promise<string>;
  close(): Promise<void>;
}

/** A JWKS endpoint on a local port and a signer for it, standing in for registration. */
export async function startTestIssuer(): Promise<TestIssuer> {
  const key = await generateSigningKey();
  const signer = createSigner({ privateJwk: key.privateJwk, kid: key.kid, issuer: ISSUER });
  const server: Server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(signer.jwks()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    signer,
    token: (sub, role, extra) => signer.issue({ sub, role, ...extra, audience: AUDIENCE, ttlSeconds: 300 }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface HttpResult<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface CallOptions {
  token?: string;
  headers?: Record<string, string>;
}

/** A small JSON client over real HTTP; tests name the contract type they expect back. */
export function httpClient(base: string) {
  const call = async <T>(method: string, path: string, body: unknown, options: CallOptions = {}): Promise<HttpResult<T>> => {
    const { token } = options;
    const headers: Record<string, string> = { ...options.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers['authorization'] = `Bearer ${token}`;
    const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
  };
  return {
    get: <T>(path: string, options?: CallOptions) => call<T>('GET', path, undefined, options),
    post: <T>(path: string, body: unknown, options?: CallOptions) => call<T>('POST', path, body, options),
    put: <T>(path: string, body: unknown, options?: CallOptions) => call<T>('PUT', path, body, options),
    patch: <T>(path: string, body: unknown, options?: CallOptions) => call<T>('PATCH', path, body, options),
    delete: <T>(path: string, options?: CallOptions) => call<T>('DELETE', path, undefined, options),
  };
}
export type HttpClient = ReturnType<typeof httpClient>;

export interface TestService {
  url: string;
  /** JSON client rooted at the service's public API, `/api/<name>/v1`. */
  http: HttpClient;
  db: TestDatabase;
  /** A pool on the service's database, for assertions. */
  pool: pg.Pool;
  prefix: string;
  /** Adds an event to one of the service's queues, as the outbox relay would. */
  enqueue(queue: string, event: { id: string; type: string }, jobId?: string): Promise<void>;
  /** Resolves once the queue has no waiting, delayed or active job left. */
  drained(queue: string): Promise<void>;
  /** Runs a one-off command of the service (`migrate`, `create-staff` …). */
  command(argv: string[], env?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

async function withQueue<T>(name: string, prefix: string, fn: (queue: JabQueue) => Promise<T>): Promise<T> {
  const connection = createRedis(redisUrl(), { forWorker: true });
  const queue = createQueue(name, { connection, prefix, logger: createLogger({ service: 'test', level: 'silent' }) });
  try {
    return await fn(queue);
  } finally {
    await queue.close();
    await connection.quit();
  }
}

export async function startTestService<C extends BaseConfig>(
  def: ServiceDefinition<C>,
  env: Record<string, string> = {},
): Promise<TestService> {
  const db = await createTestDatabase(def.name);
  const prefix = testPrefix();
  const baseEnv = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    DATABASE_URL: db.url,
    REDIS_URL: redisUrl(),
    REDIS_PREFIX: prefix,
    SHUTDOWN_TIMEOUT_MS: '5000',
    ...env,
  };
  let running: Awaited<ReturnType<typeof runService>>;
  try {
    // The test runner owns the process: shutting the service down must not exit it.
    running = await runService(def, { argv: [], env: baseEnv, exit: () => undefined });
    if (!running) throw new Error('runService started no server');
  } catch (error) {
    // A service that fails to start must not leave its database behind.
    await db.drop();
    throw error;
  }
  const pool = new pg.Pool({ connectionString: db.url, max: 2, application_name: 'jab-test-assertions' });
  // Dropping the database (WITH FORCE) may reach a connection that is still closing;
  // that error is expected at teardown and must not surface as an unhandled one.
  pool.on('error', () => undefined);
  const url = `http://127.0.0.1:${running.port}`;
  return {
    url,
    http: httpClient(`${url}/api/${def.name}/v1`),
    db,
    pool,
    prefix,
    enqueue: (queueName, event, jobId) =>
      withQueue(queueName, prefix, async (queue) => {
        await queue.add(event.type, event, { jobId: jobId ?? eventJobId(event) });
      }),
    drained: (queueName) =>
      withQueue(queueName, prefix, async (queue) => {
        await waitFor(async () => {
          const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
          return Object.values(counts).every((n) => n === 0);
        });
      }),
    command: async (argv, extra = {}) => {
      await runService(def, { argv, env: { ...baseEnv, ...extra } });
    },
    stop: async () => {
      await running.shutdown('test finished');
      await pool.end();
      await db.drop();
      const redis = new Redis(redisUrl());
      await cleanRedisPrefix(redis, prefix);
      await redis.quit();
    },
  };
}

export interface TestReader {
  /** For `DATABASE_READ_URL`: the reader database through a role that may only read. */
  url: string;
  /** An owner's pool on the reader database, to put there what replication would have. */
  pool: pg.Pool;
  /** Copies rows of `table` matching `where` from `from` (the writer) to the reader, as replication would. */
  replicate(from: pg.Pool, table: string, where: string, params?: unknown[]): Promise<number>;
  drop(): Promise<void>;
}

/**
 * A stand-in for the Aurora reader of `def`'s service: its own database with the service's
 * schema, which nothing replicates into, reached through a role with SELECT only (a replica
 * refuses writes too). A test copies into it what the replica would hold and so tells which
 * reads it answered; any write routed to it fails.
 */
export async function createTestReader<C extends BaseConfig>(def: ServiceDefinition<C>): Promise<TestReader> {
  const db = await createTestDatabase(`${def.name}_reader`);
  const owner = new pg.Pool({ connectionString: db.url, max: 2, application_name: 'jab-test-reader' });
  owner.on('error', () => undefined);
  const role = `${db.name}_ro`;
  const password = randomBytes(16).toString('hex');
  try {
    await migrate({ databaseUrl: db.url, schema: def.name, dir: def.migrationsDir, logger: createLogger({ service: 'test', level: 'silent' }) });
    await owner.query(`CREATE ROLE "${role}" LOGIN PASSWORD '${password}'`);
    await owner.query(`GRANT CONNECT ON DATABASE "${db.name}" TO "${role}"`);
    await owner.query(`GRANT USAGE ON SCHEMA "${def.name}" TO "${role}"`);
    await owner.query(`GRANT SELECT ON ALL TABLES IN SCHEMA "${def.name}" TO "${role}"`);
  } catch (error) {
    await owner.end();
    await db.drop();
    throw error;
  }
  const url = new URL(db.url);
  url.username = role;
  url.password = password;
  return {
    url: url.toString(),
    pool: owner,
    replicate: async (from, table, where, params = []) => {
      const { rows } = await from.query<{ row: unknown }>(`SELECT row_to_json(t) AS row FROM ${table} t WHERE ${where}`, params);
      for (const { row } of rows) await owner.query(`INSERT INTO ${table} SELECT * FROM json_populate_record(NULL::${table}, $1)`, [row]);
      return rows.length;
    },
    drop: async () => {
      await owner.end();
      await db.drop();
      // Roles belong to the cluster, not the database: the grants went with it, the role goes now.
      const admin = new pg.Client({ connectionString: adminUrl(), application_name: 'jab-test-reader' });
      await admin.connect();
      try {
        await admin.query(`DROP ROLE IF EXISTS "${role}"`);
      } finally {
        await admin.end();
      }
    },
  };
}
