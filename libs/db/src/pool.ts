import type { Logger } from '@jab/logger';
import pg from 'pg';
import { wakeAfterCommit } from './outbox.js';

export type { Pool, PoolClient } from 'pg';

export interface CreatePoolOptions {
  applicationName: string;
  max?: number;
  logger?: Logger;
}

export function createPool(url: string, { applicationName, max = 10, logger }: CreatePoolOptions): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, application_name: applicationName, max });
  // An idle client losing its connection (database restart) emits on the pool; unheard, it kills the process.
  pool.on('error', (err) => logger?.warn({ err }, 'idle PostgreSQL client error'));
  // A checked-out client (pool.connect(), transactions, the outbox relay) whose connection
  // dies emits on itself: the query in flight still fails, the pool drops the client on
  // release, and the process lives on.
  pool.on('connect', (client) => client.on('error', (err) => logger?.warn({ err }, 'PostgreSQL connection lost')));
  return pool;
}

/** Runs `fn` in BEGIN/COMMIT on one client, rolls back on any error, always releases the client. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    wakeAfterCommit(pool, client, true);
    return result;
  } catch (error) {
    wakeAfterCommit(pool, client, false);
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    // A client whose rollback failed is in an unknown state: destroy it rather than reuse it.
    client.release(broken);
  }
}
