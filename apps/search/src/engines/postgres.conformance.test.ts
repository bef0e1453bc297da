import { migrate } from '@jab/db';
import { createLogger } from '@jab/logger';
import { createTestDatabase } from '@jab/testing';
import pg from 'pg';
import { engineConformance } from '../registrants/conformance.testing.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCursors } from './cursor.js';
import { InvalidCursorError } from './engine.js';
import { createPostgresEngine } from './postgres.engine.js';
import { migrationsNear } from '@jab/runtime';
import { person } from '../registrants/conformance.testing.js';

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
    engine: createPostgresEngine(pool, createCursors(randomBytes(32))),
    cleanup: async () => {
      await pool.end();
      await db.drop();
    },
  };
}, 'PostgreSQL');

describe('PostgreSQL engine: cursors and narrowed searches', () => {
  const key = randomBytes(32);
  const signer = createCursors(key);
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  let engine: ReturnType<typeof createPostgresEngine>;
  beforeAll(async () => {
    db = await createTestDatabase('search-cursors');
    await migrate({ databaseUrl: db.url, schema: 'search', dir: migrationsNear(import.meta.dirname + '/..'), logger: createLogger({ service: 'search', level: 'silent' }) });
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    pool.on('error', () => undefined);
    engine = createPostgresEngine(pool, createCursors(key));
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  // Signed with the engine's own key, so only the check of every value stands between them and the SQL casts.
  it('refuses a signed registrant position that is not its keyset: an overflowing int, a tier out of range, a bad id, a wrong arity', async () => {
    const query = { text: 'zoe', sort: 'relevance' as const, limit: 5 };
    for (const position of [
      [0, 1e20, 'zoe', randomUUID()],
      [0, -2147483649, 'zoe', randomUUID()],
      [3, 0, 'zoe', randomUUID()],
      [0, 0, 'zoe', "x'::uuid"],
      [0, 0, 'zoe'],
      [0, 0, null, randomUUID()],
    ]) {
      const cursor = signer.encode('postgres:registrants', query, position);
      await expect(engine.searchRegistrants({ ...query, cursor }), JSON.stringify(position)).rejects.toBeInstanceOf(InvalidCursorError);
    }
  });

  it('finds a name typed far off among the few people a region and birth year, or a phone suffix, leave', async () => {
    const grace = person('Grace Okafor', 'NG-LA', 1970, '4321');
    await engine.bulkIndexRegistrants([grace, person('Grace Okafor', 'NG-LA', 1971), person('Gary Okoro', 'NG-KN', 1970)]);
    const ids = async (extra: object) =>
      (await engine.searchRegistrants({ text: 'Gcare Okafro', sort: 'relevance', limit: 5, ...extra })).items.map((i) => i.id);
    // Two swapped pairs: a word similarity of 0.31, below the 0.6 a bare name needs.
    expect(await ids({})).toEqual([]);
    expect(await ids({ region: 'NG-LA' })).toEqual([]);
    expect(await ids({ region: 'NG-LA', birthYear: 1970 })).toEqual([grace.id]);
    expect(await ids({ phoneSuffix: '4321' })).toEqual([grace.id]);
  });

  it('refuses a signed center position that is not its keyset', async () => {
    const query = { text: 'clinic', limit: 5 };
    for (const position of [
      [1e20, 'clinic', randomUUID()],
      [0.5, 'clinic', randomUUID()],
      [0, 'clinic', 'not-a-uuid'],
      [0, 'x'.repeat(1_001), randomUUID()],
    ]) {
      const cursor = signer.encode('postgres:centers', query, position);
      await expect(engine.searchCenters({ ...query, cursor }), JSON.stringify(position)).rejects.toBeInstanceOf(InvalidCursorError);
    }
    // The same key and values, well formed, page on.
    const cursor = signer.encode('postgres:centers', query, [0, 'clinic', randomUUID()]);
    await expect(engine.searchCenters({ ...query, cursor })).resolves.toEqual({ items: [], nextCursor: null });
  });
});
