/**
 * Faults, each bounded and on loopback: Redis and PostgreSQL taken away (through TCP
 * proxies the test cuts and restores, never the shared servers themselves), a worker
 * dying between its effect and its acknowledgement, and SIGTERM under load.
 */
import { createSigner, generateSigningKey, type Signer } from '@jab/auth';
import { QUEUES, REGISTRATION_EVENT_ROUTES, type RegistrationEventType } from '@jab/contracts';
import { registrantRegistered } from '@jab/contracts/testing';
import { createRedis, EVENT_BATCH_JOB, eventBatchJobId, type EventBatch } from '@jab/queue';
import { AUDIENCE, ISSUER, processorOf, runService } from '@jab/runtime';
import { startTestIssuer, startTestService } from '@jab/runtime/testing';
import { cleanRedisPrefix, createTestDatabase, redisUrl, tcpProxy, testPrefix, waitFor } from '@jab/testing';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { seedCatalogue, REGION_A } from './catalogue.testing.js';
import { childEnv, startChild } from './child.testing.js';
import { expectStatus, field, send, type Res } from './http.testing.js';
import { analyticsService, registrationService, withServiceContext } from './services.testing.js';

const REDIS_PORT = Number(new URL(redisUrl()).port || 6379);
const PG_PORT = Number(new URL(process.env['JAB_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres').port || 5432);
const secret = () => randomBytes(32).toString('base64url');
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function keys(): Promise<{ signer: Signer; env: Record<string, string> }> {
  const key = await generateSigningKey();
  return {
    signer: createSigner({ privateJwk: key.privateJwk, kid: key.kid, issuer: ISSUER }),
    env: {
      JWT_PRIVATE_JWK: JSON.stringify(key.privateJwk),
      JWT_KEY_ID: key.kid,
      OTP_SEALING_KEY: secret(),
      OTP_HASH_KEY: secret(),
      NATIONAL_ID_HASH_KEY: secret(),
      NATIONAL_ID_ENC_KEY: secret(),
    },
  };
}

const person = (tag: string) => ({
  fullName: `Burst Person ${tag}`,
  birthDate: '1975-06-07',
  region: REGION_A,
  preferredLanguage: 'en',
  contact: { channel: 'email', address: `burst-${tag}@example.org` },
});

describe('Redis unavailable during a burst of registrations and bookings', () => {
  it(
    'keeps every accepted write in PostgreSQL, serves reads without Redis, and delivers every event exactly once when Redis is back',
    { timeout: 90_000 },
    async () => {
      const proxy = await tcpProxy(REDIS_PORT, new URL(redisUrl()).hostname);
      const { signer, env } = await keys();
      // Api and outbox relay in one process, every Redis connection through the proxy.
      const svc = await startTestService(registrationService, { ...env, ROLE: 'all', REDIS_URL: proxy.url(redisUrl()) });
      // The consumers: one test worker per queue registration publishes to, on Redis directly.
      const queues = [...new Set(Object.values(REGISTRATION_EVENT_ROUTES).flat())];
      const delivered = new Map<string, string[]>(queues.map((q) => [q, []]));
      const connections: Redis[] = [];
      const workers = queues.map((name) => {
        const connection = createRedis(redisUrl(), { forWorker: true });
        connections.push(connection);
        // A job carries one event, or many (the relay's batches): every event counts.
        const ids = (job: Job) => (job.name === EVENT_BATCH_JOB ? (job.data as EventBatch).events : [job.data as { id: string }]).map((e) => e.id);
        return new Worker(name, async (job: Job) => void delivered.get(name)?.push(...ids(job)), {
          connection,
          prefix: svc.prefix,
          concurrency: 16,
        });
      });
      try {
        const admin = await signer.issue({ sub: randomUUID(), role: 'national-admin', audience: AUDIENCE, ttlSeconds: 600 });
        const call = (method: string, path: string, options: { body?: unknown; token?: string } = {}) =>
          send(svc.url, { method, path: `/api/registration/v1${path}`, ...options });
        const catalogue = await seedCatalogue((method, path, body) => call(method, path, { body, token: admin }));
        // People who will book while Redis is away, registered before.
        const bookers = await Promise.all(
          Array.from({ length: 20 }, async (_, i) => {
            const res = expectStatus(await call('POST', '/registrants', { body: person(`early-${i}-${randomUUID().slice(0, 8)}`) }), 201, 'registering');
            return { token: field(res, 'accessToken'), registrantId: field(res, 'registrant', 'id') };
          }),
        );

        await proxy.close();
        const registrations = Array.from({ length: 30 }, (_, i) => call('POST', '/registrants', { body: person(`outage-${i}-${randomUUID().slice(0, 8)}`) }));
        const bookings = bookers.map((b) =>
          call('POST', '/appointments', { token: b.token, body: { registrantId: b.registrantId, slotId: catalogue.slot, doseNumber: 1 } }),
        );
        const reads = [
          call('GET', `/centers/${catalogue.centerA}/availability?date=${catalogue.day}`),
          call('GET', `/centers/${catalogue.centerA}`),
          call('GET', '/vaccines'),
          call('GET', '/registrants', { token: bookers[0].token }),
        ];
        const [written, booked, read] = await Promise.all([Promise.all(registrations), Promise.all(bookings), Promise.all(reads)]);
        const statuses = (rs: Res[]) => rs.map((r) => r.status);
        expect(statuses(read)).toEqual([200, 200, 200, 200]);
        expect(statuses(written)).toEqual(written.map(() => 201));
        expect(statuses(booked)).toEqual(booked.map(() => 201));
        // The availability read came from PostgreSQL: it already counts the bookings made meanwhile.
        const after = await call('GET', `/centers/${catalogue.centerA}/availability?date=${catalogue.day}`);
        expect(field<{ id: string; remaining: { dose1: number } }[]>(after, 'slots').find((s) => s.id === catalogue.slot)?.remaining.dose1).toBe(5000 - 20);

        // Every accepted write is in PostgreSQL, with its event waiting in the outbox.
        const ids = (rs: Res[], ...path: string[]) => rs.map((r) => field(r, ...path));
        const count = async (sql: string, params: unknown[]) => Number((await svc.pool.query<{ n: string }>(sql, params)).rows[0].n);
        expect(await count(`SELECT count(*) AS n FROM registration.registrants WHERE id = ANY($1)`, [ids(written, 'registrant', 'id')])).toBe(30);
        expect(await count(`SELECT count(*) AS n FROM registration.appointments WHERE id = ANY($1)`, [ids(booked, 'id')])).toBe(20);
        // Held long enough for the relay to have tried (and failed) to publish at least once.
        await pause(6_000);
        expect(await count(`SELECT count(*) AS n FROM registration.outbox WHERE published_at IS NULL`, [])).toBeGreaterThanOrEqual(50);

        await proxy.reopen();
        const expected = async () => {
          const { rows } = await svc.pool.query<{ id: string; type: RegistrationEventType }>(`SELECT payload->>'id' AS id, type FROM registration.outbox`);
          return new Map(queues.map((q) => [q, rows.filter((r) => REGISTRATION_EVENT_ROUTES[r.type].some((n) => n === q)).map((r) => r.id).sort()]));
        };
        await waitFor(async () => (await count(`SELECT count(*) AS n FROM registration.outbox WHERE published_at IS NULL`, [])) === 0, {
          timeoutMs: 60_000,
          intervalMs: 200,
        });
        const want = await expected();
        await waitFor(() => queues.every((q) => (delivered.get(q)?.length ?? 0) >= (want.get(q)?.length ?? 0)), { timeoutMs: 30_000 });
        // A late re-publish of the same ids must not deliver anything twice.
        await pause(1_000);
        for (const q of queues) expect([...(delivered.get(q) ?? [])].sort(), q).toEqual(want.get(q));
        expect(want.get(QUEUES.notificationsFromRegistration)?.length).toBeGreaterThanOrEqual(20 + 30 + 20);
      } finally {
        await Promise.all(workers.map((w) => w.close()));
        await Promise.all(connections.map((c) => c.quit()));
        await proxy.reopen();
        await svc.stop();
        await proxy.close();
      }
    },
  );
});

describe('PostgreSQL unavailable', () => {
  it('reports not ready while PostgreSQL is unreachable, and ready again once it is back, without a restart', { timeout: 60_000 }, async () => {
    const db = await createTestDatabase('resilience-pg');
    const proxy = await tcpProxy(PG_PORT);
    const prefix = testPrefix();
    const { signer, env } = await keys();
    // `exit` is what the process would do: a service that shuts itself down calls it.
    const exits: number[] = [];
    const running = await runService(registrationService, {
      argv: [],
      env: {
        ...env,
        NODE_ENV: 'test',
        // Quiet, except the line a fatal error writes when the service shuts itself down.
        LOG_LEVEL: 'fatal',
        ROLE: 'all',
        PORT: '0',
        DATABASE_URL: proxy.url(db.url),
        REDIS_URL: redisUrl(),
        REDIS_PREFIX: prefix,
        SHUTDOWN_TIMEOUT_MS: '5000',
      },
      exit: (code) => void exits.push(code),
    });
    if (!running) throw new Error('no server');
    const url = `http://127.0.0.1:${running.port}`;
    const get = async (path: string) => {
      try {
        return await fetch(`${url}${path}`, { signal: AbortSignal.timeout(10_000) });
      } catch (error) {
        throw new Error(`the service no longer answers ${path}; it shut itself down with exit code ${exits.join(', ') || '(none yet)'}`, { cause: error });
      }
    };
    const register = (tag: string) => send(url, { method: 'POST', path: '/api/registration/v1/registrants', body: person(tag) });
    const direct = new pg.Pool({ connectionString: db.url, max: 1 });
    direct.on('error', () => undefined);
    try {
      // Just started, it may still be connecting to Redis: ready within moments, then the faults begin.
      await waitFor(async () => (await get('/health/ready')).status === 200, { timeoutMs: 10_000 });
      const admin = await signer.issue({ sub: randomUUID(), role: 'national-admin', audience: AUDIENCE, ttlSeconds: 600 });
      expectStatus(await send(url, { method: 'GET', path: '/api/registration/v1/vaccines', token: admin }), 200, 'a read');

      // PostgreSQL goes away under traffic: registrations are mid-transaction when it does.
      let writing = true;
      const writers = Array.from({ length: 8 }, async () => {
        while (writing) await register(`pg-load-${randomUUID().slice(0, 8)}`).catch(() => undefined);
      });
      await pause(500);
      await proxy.close();
      await pause(500);
      writing = false;
      await Promise.all(writers);
      expect((await get('/health/live')).status).toBe(200);

      const notReady = await waitFor(async () => {
        const res = await get('/health/ready');
        return res.status === 503 ? ((await res.json()) as { failing: string[] }) : undefined;
      });
      expect(notReady?.failing).toEqual(['postgres']);
      expect((await get('/health/live')).status).toBe(200);
      const tag = `pg-outage-${randomUUID().slice(0, 8)}`;
      // Refused as temporarily unavailable, with when to try again: not as a server bug.
      const refused = await register(tag);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect((await get('/api/registration/v1/vaccines')).status).toBe(503);

      await proxy.reopen();
      await waitFor(async () => (await get('/health/ready')).status === 200, { timeoutMs: 20_000 });
      expect((await get('/api/registration/v1/vaccines')).status).toBe(200);
      // Nothing of the refused write was kept: the same person registers now, and the relay publishes it.
      const accepted = expectStatus(await register(tag), 201, 'registering after the outage');
      const id = field(accepted, 'registrant', 'id');
      await waitFor(
        async () =>
          (
            await direct.query(`SELECT 1 FROM registration.outbox WHERE payload->'data'->>'registrantId' = $1 AND published_at IS NOT NULL`, [id])
          ).rowCount === 1,
        { timeoutMs: 20_000, intervalMs: 200 },
      );
      // The same process served throughout: it never shut itself down.
      expect(exits).toEqual([]);
    } finally {
      await proxy.reopen();
      await running.shutdown('test finished');
      await direct.end();
      await proxy.close();
      await db.drop();
      const redis = new Redis(redisUrl());
      await cleanRedisPrefix(redis, prefix);
      await redis.quit();
    }
  });
});

describe('a worker killed mid-job', () => {
  it.each([
    ['an event', 1],
    ['a batch of events (one relay job)', 5],
  ] as const)('applies %s whose worker died after the effect but before acknowledging it exactly once', { timeout: 60_000 }, async (_, count) => {
    const issuer = await startTestIssuer();
    const reportDir = await mkdtemp(join(tmpdir(), 'jab-crash-reports-'));
    const svc = await startTestService(analyticsService, { ROLE: 'api', JWKS_URL: issuer.jwksUrl, REPORT_DIR: reportDir });
    const env = { NODE_ENV: 'test', PORT: '0', ROLE: 'worker', JWKS_URL: issuer.jwksUrl, REPORT_DIR: reportDir, DATABASE_URL: svc.db.url, REDIS_URL: redisUrl(), REDIS_PREFIX: svc.prefix };
    const connections: Redis[] = [];
    const connection = () => {
      const c = createRedis(redisUrl(), { forWorker: true });
      connections.push(c);
      return c;
    };
    try {
      await withServiceContext(analyticsService, env, async (ctx) => {
        // The service's own consumer of registration events: what its worker role runs.
        const consumer = analyticsService.consumers?.(ctx).find((c) => c.queue === QUEUES.analyticsFromRegistration);
        if (!consumer) throw new Error('analytics consumes no registration events');
        let runs = 0;
        // As the worker role runs it: a batch job's events through the consumer's batches.
        const { single, many } = processorOf(consumer);
        const handle = async (job: Job) => {
          runs++;
          if (job.name !== EVENT_BATCH_JOB) return single(consumer.schema.parse(job.data), job);
          const failed = (await many((job.data as EventBatch).events.map((e) => consumer.schema.parse(e)), job)).filter((r) => r.status === 'rejected');
          expect(failed).toEqual([]);
        };
        let applied!: () => void;
        const effectDone = new Promise<void>((resolve) => (applied = resolve));
        // Applies the event, then never acknowledges: its process is about to die.
        const doomed = new Worker(
          consumer.queue,
          async (job) => {
            await handle(job);
            applied();
            return new Promise<never>(() => undefined);
          },
          // Short lock and stalled-check periods (BullMQ's defaults are 30 s each) keep the test bounded.
          { connection: connection(), prefix: svc.prefix, lockDuration: 1_000, stalledInterval: 300 },
        );
        const events = Array.from({ length: count }, () => registrantRegistered({ region: 'SE-AB' }));
        const [event] = events as [ReturnType<typeof registrantRegistered>];
        if (count === 1) await svc.enqueue(consumer.queue, event);
        else {
          const queue = new Queue(consumer.queue, { connection: connection(), prefix: svc.prefix });
          await queue.add(EVENT_BATCH_JOB, { events }, { jobId: eventBatchJobId(events) });
          await queue.close();
        }
        await effectDone;
        // The crash: the worker goes away mid-job, its lock expires unrenewed.
        await doomed.close(true);
        expect(runs).toBe(1);

        // Another worker of the fleet finds the stalled job and runs it again.
        const rescuer = new Worker(consumer.queue, handle, { connection: connection(), prefix: svc.prefix, stalledInterval: 300 });
        const queue = new Queue(consumer.queue, { connection: connection(), prefix: svc.prefix });
        try {
          await waitFor(async () => (await queue.getJobCounts('completed')).completed === 1, { timeoutMs: 20_000, intervalMs: 100 });
        } finally {
          await rescuer.close();
          await queue.close();
        }
        expect(runs).toBe(2);

        const national = await issuer.token('admin', 'national-admin');
        const daily = await svc.http.get<{ total: number }>('/registrations/daily?region=SE-AB', { token: national });
        expect(daily.status).toBe(200);
        expect(daily.body.total).toBe(count);
        const { rows } = await svc.pool.query(`SELECT event_id FROM analytics.processed_events WHERE event_id = ANY($1)`, [events.map((e) => e.id)]);
        expect(rows).toHaveLength(count);
      });
    } finally {
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
      await svc.stop();
      await issuer.close();
      await rm(reportDir, { recursive: true, force: true });
    }
  });
});

describe('SIGTERM under load', () => {
  interface Outcome {
    requestId: string;
    method: string;
    status?: number;
    error?: string;
    tag?: string;
  }

  it('answers every request it accepted, refuses new connections, and exits 0', { timeout: 90_000 }, async () => {
    const db = await createTestDatabase('resilience-sigterm');
    const prefix = testPrefix();
    const { signer, env } = await keys();
    const child = await startChild('registration', childEnv(db.url, redisUrl(), prefix, { ...env, ROLE: 'api', LOG_LEVEL: 'info' }));
    const direct = new pg.Pool({ connectionString: db.url, max: 2 });
    // The database is dropped WITH (FORCE) at the end: a connection still closing then gets
    // PostgreSQL's 57P01, which an unheard pool would raise as an uncaught exception.
    direct.on('error', () => undefined);
    try {
      const admin = await signer.issue({ sub: randomUUID(), role: 'national-admin', audience: AUDIENCE, ttlSeconds: 600 });
      const catalogue = await seedCatalogue((method, path, body) => send(child.url, { method, path: `/api/registration/v1${path}`, body, token: admin }));
      const outcomes: Outcome[] = [];
      let exited = false;
      void child.exited.then(() => (exited = true));
      let n = 0;
      const one = async () => {
        const requestId = `sigterm-${randomBytes(8).toString('hex')}`;
        const i = n++;
        const write = i % 3 === 0;
        const tag = write ? randomUUID().slice(0, 12) : undefined;
        const path = write ? '/api/registration/v1/registrants' : i % 3 === 1 ? '/api/registration/v1/vaccines' : `/api/registration/v1/centers/${catalogue.centerA}/availability?date=${catalogue.day}`;
        const outcome: Outcome = { requestId, method: write ? 'POST' : 'GET', tag };
        try {
          const res = await fetch(`${child.url}${path}`, {
            method: outcome.method,
            headers: { 'x-request-id': requestId, 'content-type': 'application/json', 'x-forwarded-for': `10.1.${i % 250}.${(i >> 8) % 250}` },
            body: write ? JSON.stringify(person(tag as string)) : undefined,
            signal: AbortSignal.timeout(20_000),
          });
          await res.arrayBuffer();
          outcome.status = res.status;
        } catch (error) {
          const cause = (error as { cause?: { code?: string } }).cause;
          outcome.error = cause?.code ?? (error as Error).name;
          // Refused: the listener is closed; do not spin while the process finishes.
          if (outcome.error === 'ECONNREFUSED') await pause(20);
        }
        outcomes.push(outcome);
      };
      // Sixteen clients, each sending its next request as soon as the last is answered.
      const clients = Array.from({ length: 16 }, async () => {
        while (!exited) await one();
      });
      await waitFor(() => outcomes.filter((o) => o.status === 200 || o.status === 201).length >= 150, { timeoutMs: 30_000 });
      child.process.kill('SIGTERM');
      const exit = await child.exited;
      await Promise.all(clients);
      expect(exit).toEqual({ code: 0, signal: null });

      const served = outcomes.filter((o) => o.status !== undefined);
      const refused = outcomes.filter((o) => o.error === 'ECONNREFUSED');
      const logged = new Set(child.lines.flatMap((l) => /"reqId":"(sigterm-[0-9a-f]+)"/.exec(l)?.[1] ?? []));
      // A connection cut without an answer is a failure if the service had taken the request
      // (it logged it, or the write is in PostgreSQL); otherwise the request was never accepted.
      const cut: Outcome[] = [];
      for (const o of outcomes.filter((x) => x.error !== undefined && x.error !== 'ECONNREFUSED')) {
        const written = o.tag
          ? (await direct.query(`SELECT 1 FROM registration.registrants WHERE full_name = $1`, [`Burst Person ${o.tag}`])).rowCount
          : 0;
        if (logged.has(o.requestId) || written) cut.push(o);
      }
      expect(served.filter((o) => (o.status ?? 0) >= 300)).toEqual([]);
      expect(cut).toEqual([]);
      // Load ran through the shutdown: requests before it were answered, new ones refused after.
      expect(served.length).toBeGreaterThanOrEqual(150);
      expect(refused.length).toBeGreaterThan(0);
      expect(child.lines.some((l) => l.includes('shutdown deadline'))).toBe(false);
      // Every write the clients saw accepted is in PostgreSQL.
      const acceptedTags = served.filter((o) => o.status === 201).map((o) => `Burst Person ${o.tag}`);
      const { rowCount } = await direct.query(`SELECT 1 FROM registration.registrants WHERE full_name = ANY($1)`, [acceptedTags]);
      expect(rowCount).toBe(acceptedTags.length);
    } finally {
      await child.stop(5_000);
      await direct.end();
      await db.drop();
      const redis = new Redis(redisUrl());
      await cleanRedisPrefix(redis, prefix);
      await redis.quit();
    }
  });
});
