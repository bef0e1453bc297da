/**
 * Search benchmark on the PostgreSQL engine (never part of a test suite):
 *   node --conditions=@jab/source --import tsx tools/bench/src/search-bench.ts --count 1000000
 * Generates multilingual registrants (faker locales), writes them to search's
 * documents table in a throwaway database, times the search service's own `reindex`
 * command (the engine's bulk path: romanization keys, trigram and B-tree indexes),
 * then times a realistic query mix over HTTP against the search service's api role.
 * Prints a markdown table. Touches nothing but its own database and Redis prefix.
 */
import { allFakers, type Faker } from '@faker-js/faker';
import { createSigner, generateSigningKey } from '@jab/auth';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { transliterate } from 'transliteration';
import { mib, rssOf, sampleRss } from './stack.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    queries: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '4' },
  },
});
const COUNT = Number(values.count);
const QUERIES = Number(values.queries);
const CONCURRENCY = Number(values.concurrency);
const ADMIN_URL =
  process.env['JAB_BENCH_PG_URL'] ??
  'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const SEARCH_MAIN = new URL('../../../apps/search/src/main.ts', import.meta.url)
  .pathname;

// faker has no Hindi locale: Nepali names are written in Devanagari too.
const LOCALES: { locale: string; faker: Faker; regions: string[] }[] = [
  { locale: 'en', faker: allFakers.en, regions: ['US-CA', 'US-NY', 'GB-LND'] },
  { locale: 'es', faker: allFakers.es, regions: ['ES-MD', 'ES-CT'] },
  { locale: 'fr', faker: allFakers.fr, regions: ['FR-IDF', 'FR-ARA'] },
  { locale: 'ru', faker: allFakers.ru, regions: ['RU-MOW', 'RU-SPE'] },
  { locale: 'el', faker: allFakers.el, regions: ['GR-I'] },
  { locale: 'ar', faker: allFakers.ar, regions: ['EG-C', 'SA-01'] },
  { locale: 'hi (ne)', faker: allFakers.ne, regions: ['IN-MH', 'IN-DL'] },
  { locale: 'ja', faker: allFakers.ja, regions: ['JP-13', 'JP-27'] },
];

interface Person {
  id: string;
  fullName: string;
  birthYear: number;
  region: string;
  phoneSuffix: string | null;
}

function generate(i: number): Person {
  const { faker, regions } = LOCALES[i % LOCALES.length];
  return {
    id: randomUUID(),
    fullName: `${faker.person.firstName()} ${faker.person.lastName()}`,
    birthYear: faker.number.int({ min: 1930, max: 2020 }),
    region: faker.helpers.arrayElement(regions),
    phoneSuffix: faker.datatype.boolean(0.7) ? faker.string.numeric(4) : null,
  };
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@jab/source', '--import', 'tsx', SEARCH_MAIN, ...args],
      { env, stdio: 'inherit' },
    );
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`search ${args.join(' ')} exited with ${code}`)),
    );
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let lastProgress = 0;
/** A line on stderr at most every 5 s and at the end: count, rate, time left (stdout is the report). */
function progress(phase: string, done: number, total: number, since: number): void {
  const now = performance.now();
  if (done < total && now - lastProgress < 5_000) return;
  lastProgress = now;
  const rate = done / ((now - since) / 1000);
  const left = done < total ? `, ${Math.ceil((total - done) / rate)} s left` : '';
  console.error(`[search-bench] ${phase}: ${done.toLocaleString('en')} of ${total.toLocaleString('en')} (${Math.round(rate).toLocaleString('en')} /s${left})`);
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

function typo(name: string): string {
  const chars = [...name];
  const at = 1 + Math.floor(Math.random() * Math.max(1, chars.length - 2));
  if (chars[at] !== ' ' && chars[at + 1] && chars[at + 1] !== ' ')
    [chars[at], chars[at + 1]] = [chars[at + 1], chars[at]];
  return chars.join('');
}

async function main() {
  const dbName = `jab_bench_search_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  const key = await generateSigningKey();
  const signer = createSigner({
    privateJwk: key.privateJwk,
    kid: key.kid,
    issuer: 'jab-registration',
  });
  const jwks = createServer((_req, res) =>
    res
      .setHeader('content-type', 'application/json')
      .end(JSON.stringify(signer.jwks())),
  );
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: url.toString(),
    REDIS_URL,
    REDIS_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
    JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
    // The bench searches registrants only; center availability is never asked for.
    REGISTRATION_URL: 'http://127.0.0.1:9/api/registration/v1',
    SEARCH_ENGINE: 'postgres',
    // Required in production; the bench pages within this one api process.
    SEARCH_CURSOR_KEY: randomBytes(32).toString('base64url'),
    PORT: '0',
  };
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  let api: ReturnType<typeof spawn> | undefined;
  try {
    await run(['migrate'], env);

    // 1. Generate and store the documents (multi-row inserts of 5,000).
    const sample: Person[] = [];
    const t0 = performance.now();
    for (let start = 0; start < COUNT; start += 5_000) {
      const batch = Array.from(
        { length: Math.min(5_000, COUNT - start) },
        (_, j) => generate(start + j),
      );
      for (const p of batch)
        if (sample.length < 5_000 && Math.random() < 5_000 / COUNT + 0.001)
          sample.push(p);
      await pool.query(
        `INSERT INTO search.registrant_documents (id, full_name, birth_year, region, phone_suffix, version, source_event_at)
         SELECT id, full_name, birth_year, region, phone_suffix, 1, now()
           FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::text[]) AS d(id, full_name, birth_year, region, phone_suffix)`,
        [
          batch.map((p) => p.id),
          batch.map((p) => p.fullName),
          batch.map((p) => p.birthYear),
          batch.map((p) => p.region),
          batch.map((p) => p.phoneSuffix),
        ],
      );
      progress('seeding', start + batch.length, COUNT, t0);
    }
    const loadSeconds = (performance.now() - t0) / 1000;

    // 2. The engine's bulk indexing, through the service's own reindex command.
    const t1 = performance.now();
    await run(['reindex'], env);
    const indexSeconds = (performance.now() - t1) / 1000;
    await pool.query('ANALYZE search.registrants');
    const { rows } = await pool.query<{ size: string }>(
      `SELECT pg_size_pretty(pg_total_relation_size('search.registrants')) AS size`,
    );

    // 3. The query mix, over HTTP against the api role, as a national admin (and as a desk).
    const port = await freePort();
    api = spawn(
      process.execPath,
      ['--conditions=@jab/source', '--import', 'tsx', SEARCH_MAIN],
      {
        env: { ...env, ROLE: 'api', PORT: String(port) },
        stdio: 'inherit',
      },
    );
    for (let i = 0; ; i++) {
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (i > 300) throw new Error('search api did not become ready');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const restRss = api.pid === undefined ? NaN : (rssOf(api.pid) ?? NaN);
    const queryRss = api.pid === undefined ? undefined : sampleRss(api.pid);
    const token = await signer.issue({
      sub: 'bench',
      role: 'national-admin',
      audience: 'jab',
      ttlSeconds: 3600,
    });
    // A desk's token: a vaccinator confined to the person's region (the API forces it).
    const staffTokens = new Map<string, Promise<string>>();
    const staffToken = (region: string) => {
      if (!staffTokens.has(region))
        staffTokens.set(
          region,
          signer.issue({ sub: `bench-desk-${region}`, role: 'staff', region, centerId: randomUUID(), audience: 'jab', ttlSeconds: 3600 }),
        );
      return staffTokens.get(region)!;
    };
    const q = (text: string) => `q=${encodeURIComponent(text)}`;
    const prefix = (p: Person) => [...p.fullName].slice(0, 4).join('');
    const filters = (p: Person) => `&region=${p.region}&birthYear=${p.birthYear}`;
    /** Each kind: the query string, and whether a desk (staff, own region) asks it. */
    const kinds: Record<string, (p: Person) => { query: string; staff?: true }> = {
      'exact full name': (p) => ({ query: q(p.fullName) }),
      'prefix (first 4 letters)': (p) => ({ query: q(prefix(p)) }),
      typo: (p) => ({ query: q(typo(p.fullName)) }),
      'cross-script (romanized)': (p) => ({ query: q(transliterate(p.fullName)) }),
      'name + region + birth year': (p) => ({ query: q(p.fullName) + filters(p) }),
      'typo + region + birth year': (p) => ({ query: q(typo(p.fullName)) + filters(p) }),
      'prefix + region + birth year': (p) => ({ query: q(prefix(p)) + filters(p) }),
      'romanized + region + birth year': (p) => ({ query: q(transliterate(p.fullName)) + filters(p) }),
      'name at a desk (staff, own region)': (p) => ({ query: q(p.fullName), staff: true }),
      'phone suffix + birth year': (p) => ({
        query: p.phoneSuffix ? `phoneSuffix=${p.phoneSuffix}&birthYear=${p.birthYear}` : q(p.fullName),
      }),
    };
    const results: {
      kind: string;
      times: number[];
      hits: number;
      found: number;
    }[] = [];
    for (const [kind, build] of Object.entries(kinds)) {
      const times: number[] = [];
      let hits = 0;
      let found = 0;
      // Every kind gets the share it had when the mix had six kinds: a kind added never
      // thins the others (`--queries` counts six kinds' worth).
      const per = Math.ceil(QUERIES / 6);
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < per) {
            const person = sample[next++ % sample.length];
            const { query, staff } = build(person);
            const bearer = staff ? await staffToken(person.region) : token;
            const started = performance.now();
            const res = await fetch(
              `http://127.0.0.1:${port}/api/search/v1/registrants?${query}&limit=20`,
              {
                headers: { authorization: `Bearer ${bearer}` },
              },
            );
            const body = (await res.json()) as { items: { id: string }[] };
            times.push(performance.now() - started);
            if (!res.ok) throw new Error(`query failed with ${res.status}`);
            hits += body.items.length;
            if (body.items.some((i) => i.id === person.id)) found += 1;
          }
        }),
      );
      results.push({ kind, times: times.sort((a, b) => a - b), hits, found });
    }

    const underLoad = queryRss?.stop();
    const ms = (n: number) => n.toFixed(1);
    console.log(
      `\n### Search benchmark — PostgreSQL engine, ${COUNT.toLocaleString('en')} registrants\n`,
    );
    console.log(
      `Locales: ${LOCALES.map((l) => l.locale).join(', ')}. Index size: ${rows[0].size}. Query concurrency: ${CONCURRENCY}.\n`,
    );
    console.log('| phase | time | rate |');
    console.log('| --- | ---: | ---: |');
    console.log(
      `| generate + store documents | ${loadSeconds.toFixed(1)} s | ${Math.round(COUNT / loadSeconds).toLocaleString('en')} /s |`,
    );
    console.log(
      `| index (reindex: keys + GIN/B-tree) | ${indexSeconds.toFixed(1)} s | ${Math.round(COUNT / indexSeconds).toLocaleString('en')} /s |`,
    );
    console.log(
      '\n| query kind | n | p50 ms | p95 ms | p99 ms | person found | mean hits |',
    );
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of results) {
      const n = r.times.length;
      console.log(
        `| ${r.kind} | ${n} | ${ms(percentile(r.times, 50))} | ${ms(percentile(r.times, 95))} | ${ms(percentile(r.times, 99))} | ${Math.round((100 * r.found) / n)}% | ${(r.hits / n).toFixed(1)} |`,
      );
    }
    const all = results.flatMap((r) => r.times).sort((a, b) => a - b);
    console.log(
      `| **all** | ${all.length} | ${ms(percentile(all, 50))} | ${ms(percentile(all, 95))} | ${ms(percentile(all, 99))} | | |`,
    );
    console.log(
      `\nSearch api RSS: ${mib(restRss)} at rest (engine ready), ${mib(underLoad?.mean ?? NaN)} mean and ${mib(underLoad?.max ?? NaN)} peak during the queries.`,
    );
  } finally {
    api?.kill('SIGTERM');
    await new Promise((resolve) =>
      api && api.exitCode === null
        ? api.once('exit', resolve)
        : resolve(undefined),
    );
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
    jwks.close();
  }
}

await main();
