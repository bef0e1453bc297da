import type { Logger } from '@jab/logger';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { assertSchema } from './identifier.js';
import { outboxDdl } from './outbox.js';

export interface MigrateOptions {
  databaseUrl: string;
  /** The service's schema: created if missing; holds its tables, outbox and `pgmigrations`. */
  schema: string;
  /** Folder of numbered `.sql` files (`-- Up Migration` / `-- Down Migration` sections). */
  dir: string;
  logger: Logger;
  /** Create the lib-owned outbox table first (default true). */
  outbox?: boolean;
}

/**
 * Applies pending migrations of one service schema. Runs under a per-schema advisory
 * lock, so replicas starting together wait for each other instead of failing, while
 * different services migrate in parallel; a re-run with nothing new is a no-op.
 */
export async function migrate({ databaseUrl, schema, dir, logger, outbox = true }: MigrateOptions): Promise<string[]> {
  assertSchema(schema);
  const log = logger.child({ schema });
  const client = new pg.Client({ connectionString: databaseUrl, application_name: `migrate-${schema}` });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`jab-migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    if (outbox) await client.query(outboxDdl(schema));
    const applied = await runner({
      dbClient: client,
      dir,
      // Only .sql files count: tests and notes may live beside them.
      ignorePattern: '(?:\\..*|(?!.*\\.sql$).*)',
      schema,
      createSchema: true,
      migrationsSchema: schema,
      migrationsTable: 'pgmigrations',
      direction: 'up',
      singleTransaction: true,
      checkOrder: true,
      // The advisory lock above replaces node-pg-migrate's single global one.
      noLock: true,
      logger: {
        debug: (msg: string) => log.debug(msg),
        info: (msg: string) => log.debug(msg),
        warn: (msg: string) => log.warn(msg),
        error: (msg: string) => log.error(msg),
      },
    });
    log.info({ applied: applied.map((m) => m.name) }, applied.length ? 'migrations applied' : 'schema up to date');
    return applied.map((m) => m.name);
  } finally {
    // Session-level lock: released with the connection, even after an error.
    await client.end();
  }
}
