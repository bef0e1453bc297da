import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { createLogger } from '@jab/logger';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Registry } from 'prom-client';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp, finalizeApp, pgCheck, redisCheck, type ReadinessCheck } from './index.js';

const PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const logger = createLogger({ service: 'test', level: 'silent' });
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

function appWith(readiness: ReadinessCheck[]) {
  return finalizeApp(createApp({ service: 'test', logger, registry: new Registry(), readiness, readinessTimeoutMs: 1_000 }));
}

function pool(connectionString: string) {
  const p = new pg.Pool({ connectionString, connectionTimeoutMillis: 1_000 });
  // Idle clients error when their server goes away; the next check reports it.
  p.on('error', () => undefined);
  cleanup.push(() => p.end());
  return p;
}

/** A TCP proxy in front of PostgreSQL that the test can cut and restore, like a network outage. */
function tcpProxy(targetPort: number) {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  return {
    open(port = 0) {
      server = createServer((client) => {
        const upstream = connect(targetPort, '127.0.0.1');
        track(client);
        track(upstream);
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      return new Promise<number>((resolve) => server?.listen(port, '127.0.0.1', () => resolve((server?.address() as AddressInfo).port)));
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}

describe('readiness', () => {
  it('is live without running checks', async () => {
    const res = await request(appWith([{ name: 'never', check: () => new Promise(() => undefined) }])).get('/health/live');
    expect(res.status).toBe(200);
  });

  it('is ready when real PostgreSQL and Redis answer', async () => {
    const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
    cleanup.push(async () => redis.disconnect());
    const res = await request(appWith([pgCheck(pool(PG_URL)), redisCheck(redis)])).get('/health/ready');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' }, failing: [] });
  });

  it('answers 503 naming the checks whose dependency is unreachable', async () => {
    const deadRedis = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    deadRedis.on('error', () => undefined);
    cleanup.push(async () => deadRedis.disconnect());
    const res = await request(appWith([pgCheck(pool('postgres://postgres@127.0.0.1:1/postgres')), redisCheck(deadRedis)])).get(
      '/health/ready',
    );
    expect(res.status).toBe(503);
    expect(res.body.failing.sort()).toEqual(['postgres', 'redis']);
  });

  it('fails a check that hangs past its timeout', async () => {
    const started = Date.now();
    const res = await request(appWith([{ name: 'slow', check: () => new Promise(() => undefined) }])).get('/health/ready');
    expect(res.status).toBe(503);
    expect(res.body.failing).toEqual(['slow']);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('turns red when PostgreSQL becomes unreachable and green again when it comes back', async () => {
    const proxy = tcpProxy(5432);
    const port = await proxy.open();
    cleanup.push(() => proxy.close());
    const app = appWith([pgCheck(pool(`postgres://postgres@127.0.0.1:${port}/postgres`))]);

    expect((await request(app).get('/health/ready')).status).toBe(200);

    await proxy.close();
    const red = await request(app).get('/health/ready');
    expect(red.status).toBe(503);
    expect(red.body.failing).toEqual(['postgres']);

    await proxy.open(port);
    expect((await request(app).get('/health/ready')).status).toBe(200);
  });
});
