import net from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanRedisPrefix, createTestDatabase, redisUrl, tcpProxy, testPrefix, waitFor } from './index.js';

async function databaseExists(name: string): Promise<boolean> {
  const client = new pg.Client(process.env['JAB_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  await client.connect();
  const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  await client.end();
  return rowCount === 1;
}

describe('testing helpers', () => {
  const redis = new Redis(redisUrl());
  afterAll(() => redis.quit());

  it('creates a usable throwaway database and drops it even while a client is connected', async () => {
    const db = await createTestDatabase('helpers');
    expect(db.name).toMatch(/^jab_t_helpers_[0-9a-f]{12}$/);
    const client = new pg.Client(db.url);
    client.on('error', () => undefined);
    await client.connect();
    expect((await client.query('SELECT current_database() AS name')).rows[0].name).toBe(db.name);
    await db.drop();
    expect(await databaseExists(db.name)).toBe(false);
    await client.end().catch(() => undefined);
  });

  it('makes unique prefixes without colons and cleans only their keys', async () => {
    const [a, b] = [testPrefix(), testPrefix()];
    expect(a).not.toBe(b);
    expect(a).not.toContain(':');
    await redis.mset(`${a}:x`, '1', `${a}:y`, '2', `${b}:x`, '3');
    expect(await cleanRedisPrefix(redis, a)).toBe(2);
    expect(await redis.exists(`${a}:x`, `${a}:y`)).toBe(0);
    expect(await redis.get(`${b}:x`)).toBe('3');
    await cleanRedisPrefix(redis, b);
  });

  it('forwards through a proxy that can be closed and reopened on the same port', async () => {
    const proxy = await tcpProxy(Number(new URL(redisUrl()).port || 6379));
    const client = new Redis(proxy.url(redisUrl()), { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    client.on('error', () => undefined);
    await waitFor(() => client.status === 'ready');
    expect(await client.ping()).toBe('PONG');

    const port = proxy.port;
    await proxy.close();
    await expect(client.ping()).rejects.toThrow();
    await expect(
      new Promise((resolve, reject) => net.connect(port, '127.0.0.1').on('connect', resolve).on('error', reject)),
    ).rejects.toThrow(/ECONNREFUSED/);

    await proxy.reopen();
    expect(proxy.port).toBe(port);
    await waitFor(async () => (await client.ping()) === 'PONG', { timeoutMs: 5000 });
    client.disconnect();
    await proxy.close();
  });

  it('waitFor returns the first truthy value and reports the last failure on timeout', async () => {
    let n = 0;
    expect(await waitFor(() => (++n >= 3 ? n : 0), { intervalMs: 1 })).toBe(3);
    await expect(
      waitFor(
        () => {
          throw new Error('still red');
        },
        { timeoutMs: 30, intervalMs: 5 },
      ),
    ).rejects.toThrow('still red');
  });
});
