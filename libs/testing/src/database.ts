import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export function adminUrl(): string {
  return process.env['JAB_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl(), application_name: 'jab-testing' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty throwaway database `jab_t_<prefix>_<random>`; `drop()` removes it even with open connections. */
export async function createTestDatabase(prefix = ''): Promise<TestDatabase> {
  const tag = prefix.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 20);
  const name = ['jab_t', tag, randomBytes(6).toString('hex')].filter(Boolean).join('_');
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))),
  };
}
