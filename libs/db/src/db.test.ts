import { fileURLToPath } from 'node:url';
import { createLogger } from '@jab/logger';
import { closeAll, createQueue, createRedis, EVENT_BATCH_JOB, type EventBatch, type EventEnvelope, type JabQueue } from '@jab/queue';
import { cleanRedisPrefix, createTestDatabase, redisUrl, tcpProxy, testPrefix, waitFor, type TestDatabase } from '@jab/testing';
import pg, { type Pool } from 'pg';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendEvent,
  createOutboxRelay,
  createOutboxSignal,
  createPool,
  eventJobId,
  migrate,
  outboxChannel,
  withTransaction,
  type OutboxRelay,
} from './index.js';

const logger = createLogger({ service: 'db-test', level: 'silent' });
const dir = fileURLToPath(new URL('./test-migrations', import.meta.url));
const schema = 'svc';
const prefix = testPrefix();
const redis = createRedis(redisUrl(), { forWorker: true, logger });
let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase('db');
  pool = createPool(db.url, { applicationName: 'db-test', max: 5, logger });
  await migrate({ databaseUrl: db.url, schema, dir, logger });
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
  await cleanRedisPrefix(redis, prefix);
  await closeAll(redis);
});

const unpublished = async () =>
  (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM svc.outbox WHERE published_at IS NULL`)).rows[0]?.n;

const queuesToClose: JabQueue[] = [];
const queue = (name: string) => {
  const q = createQueue(name, { connection: redis, logger, prefix });
  queuesToClose.push(q);
  return q;
};
afterAll(() => closeAll(...queuesToClose));

function relay(overrides: Partial<Parameters<typeof createOutboxRelay>[0]> = {}): OutboxRelay {
  return createOutboxRelay({
    pool,
    schema,
    routes: { 'registrant.registered': ['notifications.registration', 'search.registration'] },
    connection: redis,
    prefix,
    logger,
    pollIntervalMs: 100,
    ...overrides,
  });
}

async function register(name: string) {
  return withTransaction(pool, async (client) => {
    const id = crypto.randomUUID();
    await client.query('INSERT INTO svc.registrants (id, name) VALUES ($1, $2)', [id, name]);
    return appendEvent(client, schema, { type: 'registrant.registered', source: 'registration', data: { registrantId: id } });
  });
}

describe('migrate', () => {
  it('applies SQL files into the service schema, with the outbox and the migrations table there', async () => {
    const { rows } = await pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'svc' ORDER BY table_name`,
    );
    expect(rows.map((r) => r.table_name)).toEqual(['outbox', 'pgmigrations', 'registrants']);
    const { rows: applied } = await pool.query<{ name: string }>('SELECT name FROM svc.pgmigrations ORDER BY id');
    expect(applied.map((r) => r.name)).toEqual(['001_registrants', '002_registrants_email']);
  });

  it('is a no-op when run again, and safe when replicas run it concurrently', async () => {
    expect(await migrate({ databaseUrl: db.url, schema, dir, logger })).toEqual([]);

    const other = await createTestDatabase('db');
    try {
      const runs = await Promise.all([1, 2, 3].map(() => migrate({ databaseUrl: other.url, schema, dir, logger })));
      expect(runs.map((r) => r.length).sort()).toEqual([0, 0, 2]);
    } finally {
      await other.drop();
    }
  });
});

describe('withTransaction and appendEvent', () => {
  it('rolls back both the state change and its event, and releases the client', async () => {
    const before = await unpublished();
    await expect(
      withTransaction(pool, async (client) => {
        await client.query(`INSERT INTO svc.registrants (id, name) VALUES ($1, 'Rolled Back')`, [crypto.randomUUID()]);
        await appendEvent(client, schema, { type: 'registrant.registered', source: 'registration', data: {} });
        throw new Error('domain rule violated');
      }),
    ).rejects.toThrow('domain rule violated');
    expect((await pool.query(`SELECT 1 FROM svc.registrants WHERE name = 'Rolled Back'`)).rowCount).toBe(0);
    expect(await unpublished()).toBe(before);
    expect(pool.idleCount).toBe(pool.totalCount);
  });

  it('commits the state change together with a complete event envelope', async () => {
    const event = await register('Committed');
    const { rows } = await pool.query('SELECT id, type, payload FROM svc.outbox WHERE id = $1', [event.id]);
    expect(rows[0]).toMatchObject({ id: event.id, type: 'registrant.registered', payload: event });
    expect(event).toMatchObject({ v: 1, source: 'registration' });
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    await pool.query('UPDATE svc.outbox SET published_at = now()');
  });
});

describe('outbox relay', () => {
  it('publishes each event to every consuming queue with a job id from the event id, then marks it published', async () => {
    const r = relay({ pollIntervalMs: 60_000 });
    r.start();
    try {
      const event = await register('Routed');
      const unrouted = await withTransaction(pool, (c) => appendEvent(c, schema, { type: 'nobody.cares', source: 'registration', data: {} }));
      // Poll interval is a minute: arriving now proves LISTEN/NOTIFY woke the relay.
      for (const name of ['notifications.registration', 'search.registration']) {
        const job = await waitFor(() => queue(name).getJob(`registrant-registered-${event.id}`), { timeoutMs: 5000 });
        if (!job) throw new Error('unreachable: waitFor returns a truthy value');
        expect(job.data).toEqual(event);
        expect(job.name).toBe('registrant.registered');
      }
      expect(eventJobId(event)).toBe(`registrant-registered-${event.id}`);
      await waitFor(async () => (await unpublished()) === 0);
      const { rows } = await pool.query('SELECT published_at FROM svc.outbox WHERE id = $1', [unrouted.id]);
      expect(rows[0].published_at).toBeInstanceOf(Date);
    } finally {
      await r.stop();
    }
  });

  it('keeps an event through a Redis outage between commit and publish, then delivers it exactly once', async () => {
    const proxy = await tcpProxy(Number(new URL(redisUrl()).port || 6379));
    const viaProxy = createRedis(proxy.url(redisUrl()), { forWorker: true, logger, options: { retryStrategy: () => 100 } });
    await waitFor(() => viaProxy.status === 'ready');
    await proxy.close();
    const registry = new Registry();
    const r = relay({ connection: viaProxy, publishTimeoutMs: 300, registry });
    r.start();
    try {
      const event = await register('Outage');
      const jobId = eventJobId(event);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await unpublished()).toBe(1);
      expect(await queue('notifications.registration').getJob(jobId)).toBeUndefined();
      const backlog = await registry.getSingleMetricAsString('outbox_backlog');
      expect(backlog).toContain('outbox_backlog{schema="svc"} 1');

      await proxy.reopen();
      await waitFor(async () => (await unpublished()) === 0, { timeoutMs: 20_000 });
      for (const name of ['notifications.registration', 'search.registration']) {
        const q = queue(name);
        expect((await q.getJob(jobId))?.data).toEqual(event);
        const jobs = await q.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
        expect(jobs.filter((j) => j.id === jobId)).toHaveLength(1);
      }
    } finally {
      await r.stop();
      await closeAll(viaProxy);
      await proxy.close();
    }
  });

  it('re-publishes a batch whose adds outlived their timeout as it was first cut, so no event is in two jobs', async () => {
    const proxy = await tcpProxy(Number(new URL(redisUrl()).port || 6379));
    const viaProxy = createRedis(proxy.url(redisUrl()), { forWorker: true, logger, options: { retryStrategy: () => 100 } });
    await waitFor(() => viaProxy.status === 'ready');
    const name = 'analytics.registration';
    const r = relay({ connection: viaProxy, publishTimeoutMs: 300, routes: () => [name] });
    try {
      await proxy.close();
      const first = [await register('Cut 1'), await register('Cut 2'), await register('Cut 3')];
      r.start();
      // The relay's adds wait in the client's offline queue past their timeout: rolled back, not forgotten.
      await waitFor(async () => (await pool.query(`SELECT 1 FROM svc.outbox WHERE batch IS NOT NULL AND published_at IS NULL`)).rowCount === 3);
      await new Promise((resolve) => setTimeout(resolve, 700));
      const later = [await register('Cut 4'), await register('Cut 5')];
      await proxy.reopen();
      await waitFor(async () => (await unpublished()) === 0, { timeoutMs: 20_000 });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const jobs = await queue(name).getJobs(['waiting', 'delayed']);
      const carried = jobs.flatMap((j) => (j.name === EVENT_BATCH_JOB ? (j.data as EventBatch).events : [j.data as EventEnvelope]));
      expect(carried.map((e) => e.id).sort()).toEqual([...first, ...later].map((e) => e.id).sort());
    } finally {
      await r.stop();
      await closeAll(viaProxy);
      await proxy.close();
      await queue(name).obliterate({ force: true });
    }
  });

  it('never publishes a row twice when two relays run concurrently (SKIP LOCKED)', async () => {
    await withTransaction(pool, async (client) => {
      for (let i = 0; i < 300; i++) await appendEvent(client, schema, { type: 'load.tested', source: 'registration', data: { i } });
    });
    const registries = [new Registry(), new Registry()];
    const relays = registries.map((registry) => relay({ routes: () => ['analytics.registration'], batchSize: 10, registry }));
    relays.forEach((r) => r.start());
    try {
      await waitFor(async () => (await unpublished()) === 0, { timeoutMs: 20_000 });
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
    }
    const counts = await Promise.all(
      registries.map(async (reg) => (await reg.getSingleMetric('outbox_published_total')?.get())?.values[0]?.value ?? 0),
    );
    expect(counts.reduce((a, b) => a + b, 0)).toBe(300);
    // Many events per job: every event in exactly one job.
    const jobs = await queue('analytics.registration').getJobs(['waiting', 'delayed']);
    const carried = jobs.flatMap((j) => (j.name === EVENT_BATCH_JOB ? (j.data as EventBatch).events : [j.data as EventEnvelope]));
    expect(carried).toHaveLength(300);
    expect(new Set(carried.map((e) => e.id)).size).toBe(300);
  });

  it('reconnects its LISTEN connection after a PostgreSQL outage', async () => {
    const proxy = await tcpProxy(Number(new URL(db.url).port || 5432));
    const r = relay({ databaseUrl: proxy.url(db.url), pollIntervalMs: 60_000 });
    r.start();
    try {
      // Let LISTEN connect through the proxy and the first drain pass finish.
      await waitFor(async () => (await pool.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'outbox-relay-svc'`)).rowCount === 1);
      await proxy.close();
      await proxy.reopen();
      await waitFor(async () => (await pool.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'outbox-relay-svc'`)).rowCount === 1, { timeoutMs: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const event = await register('After restart');
      await waitFor(() => queue('search.registration').getJob(eventJobId(event)), { timeoutMs: 5000 });
    } finally {
      await r.stop();
      await proxy.close();
    }
  });
});

/** A connection LISTENing on the relay's channel, and what it heard. */
async function listen() {
  const listener = new pg.Client({ connectionString: db.url });
  await listener.connect();
  const heard: string[] = [];
  listener.on('notification', (n) => heard.push(n.channel));
  await listener.query(`LISTEN ${outboxChannel(schema)}`);
  return { listener, heard };
}

describe('createOutboxSignal', () => {
  it('wakes a listener once for a burst of commits, and again for commits after it', async () => {
    const { listener, heard } = await listen();
    try {
      const signal = createOutboxSignal(pool, schema, (error) => {
        throw error;
      });
      for (let i = 0; i < 20; i++) signal();
      await waitFor(() => heard.length >= 1);
      await new Promise((done) => setTimeout(done, 100));
      // The first call sends; the 19 made while it was in flight share one more.
      expect(heard).toEqual([outboxChannel(schema), outboxChannel(schema)]);
      signal();
      await waitFor(() => heard.length === 3);
    } finally {
      await listener.end();
    }
  });
});

describe('withTransaction and the relay', () => {
  it('wakes the relay once the transaction that wrote events has committed, and not after a rollback', async () => {
    const { listener, heard } = await listen();
    try {
      await expect(
        withTransaction(pool, async (client) => {
          await appendEvent(client, schema, { type: 'registrant.registered', source: 'registration', data: {} });
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      await register('Woken Once');
      await waitFor(() => heard.length === 1);
      await new Promise((done) => setTimeout(done, 100));
      expect(heard).toEqual([outboxChannel(schema)]);
      // A transaction without events wakes nobody.
      await withTransaction(pool, (client) => client.query('SELECT 1'));
      await new Promise((done) => setTimeout(done, 100));
      expect(heard).toHaveLength(1);
    } finally {
      await listener.end();
    }
  });
});
