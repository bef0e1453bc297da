import { migrate } from '@jab/db';
import { createLogger } from '@jab/logger';
import { createTestDatabase } from '@jab/testing';
import pg from 'pg';
import { engineConformance } from '../registrants/conformance.testing.js';
import { createPostgresEngine } from './postgres.engine.js';
import { migrationsNear } from '@jab/runtime';

engineConformance(async () => {
  const db = await createTestDatabase('search');
  await migrate({
    databaseUrl: db.url,
    schema: 'search',
    dir: migrationsNear(import.meta.dirname + '/..'),
    logger: createLogger({ service: 'search', level: 'silent' }),
  });
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', () => undefined); // a connection still closing when the database is dropped
  return {
    engine: createPostgresEngine(pool),
    cleanup: async () => {
      await pool.end();
      await db.drop();
    },
  };
}, 'PostgreSQL');
