/**
 * Jab's dev runner: `npm start` (a persistent local database `jab`) and
 * `npm run stack:test` (a throwaway database, dropped on exit, for the e2e tests).
 * Checks PostgreSQL and Redis, starts every service's api and worker process and the
 * web dev server, seeds demo accounts (and demo people with `npm start`), waits for
 * every health check, and stops everything cleanly on Ctrl-C or SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { apiBase, serviceList, web } from '@jab/topology';
import { Redis } from 'ioredis';
import pg from 'pg';
import { startProcess, stopAll, waitHealthy, type Proc } from './processes.js';
import { DEMO_PEOPLE, DEMO_STAFF_EMAILS } from './demo.js';
import { localSecrets } from './secrets.js';

const root = resolve(import.meta.dirname, '../../..');
const testMode = process.argv.includes('--test');
const pgAdminUrl = process.env.JAB_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Workers serve health and metrics too; on one host they need their own ports. */
const WORKER_PORT_OFFSET = 100;
const HOW_TO_START =
  'start it (for example `docker compose up -d postgres redis`, or your system service) and run this again';

async function checkDependencies(): Promise<void> {
  const client = new pg.Client({ connectionString: pgAdminUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch {
    fail(`PostgreSQL is not reachable at ${new URL(pgAdminUrl).host}; ${HOW_TO_START}.`);
  } finally {
    await client.end().catch(() => undefined);
  }
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch {
    fail(`Redis is not reachable at ${new URL(redisUrl).host}; ${HOW_TO_START}.`);
  } finally {
    redis.disconnect();
  }
}

function fail(sentence: string): never {
  process.stderr.write(`${sentence}\n`);
  process.exit(1);
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: pgAdminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function ensureDatabase(name: string): Promise<void> {
  await withAdmin(async (client) => {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  });
}

function databaseUrl(name: string): string {
  const url = new URL(pgAdminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

const tsNode = (entry: string, args: string[] = []) => [
  '--conditions=@jab/source',
  '--import',
  'tsx',
  join(root, entry),
  ...args,
];

async function run(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const proc = startProcess(name, process.execPath, args, env, 8);
  const code = await proc.exited;
  if (code !== 0) throw new Error(`${name} failed with exit code ${code}`);
}

async function seedPeople(): Promise<void> {
  const url = `http://127.0.0.1:${serviceList()[0].port}${apiBase('registration')}/registrants`;
  for (const person of DEMO_PEOPLE) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(person),
    });
    // 409: already registered by an earlier `npm start`.
    if (!res.ok && res.status !== 409) throw new Error(`seeding a demo person failed: ${res.status}`);
  }
}

async function main(): Promise<void> {
  await checkDependencies();
  const suffix = randomBytes(4).toString('hex');
  const database = testMode ? `jab_e2e_${suffix}` : 'jab';
  const redisPrefix = testMode ? `jab-e2e-${suffix}` : 'jab-dev';
  // Local state: the message sink and the keys; a throwaway directory for the e2e stack.
  // JAB_STATE_DIR lets the e2e suite read the messages a citizen receives (their sign-in codes).
  const stateDir = testMode ? (process.env.JAB_STATE_DIR ?? (await mkdtemp(join(tmpdir(), 'jab-e2e-')))) : join(root, '.jab');
  const sinkDir = join(stateDir, 'outbox');
  const demoPassword = process.env.JAB_DEMO_PASSWORD ?? randomBytes(9).toString('base64url');
  await ensureDatabase(database);

  const secrets = localSecrets(root, join(stateDir, 'keys'));
  const common: NodeJS.ProcessEnv = {
    ...process.env,
    ...secrets,
    NODE_ENV: testMode ? 'test' : 'development',
    DATABASE_URL: databaseUrl(database),
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix,
    LOG_LEVEL: process.env.LOG_LEVEL ?? (testMode ? 'warn' : 'info'),
    JWKS_URL: `http://127.0.0.1:${serviceList()[0].port}${apiBase('registration')}/.well-known/jwks.json`,
    // Search reads center availability from registration's API.
    REGISTRATION_URL: `http://127.0.0.1:${serviceList()[0].port}${apiBase('registration')}`,
    NOTIFY_SINK_DIR: sinkDir,
    SEARCH_ENGINE: 'postgres',
  };

  const procs: Proc[] = [];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping Jab…\n');
    await stopAll(procs, 30_000);
    if (testMode) {
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)).catch(() => undefined);
      await rm(stateDir, { recursive: true, force: true });
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    // Migrations first, once per service, so api and worker start on a ready schema.
    for (const s of serviceList()) {
      await run(`${s.name} migrate`, tsNode(`apps/${s.name}/src/main.ts`, ['migrate']), {
        ...common,
        PORT: String(s.port),
      });
    }
    // The demo catalogue (a vaccine, a campaign, centers and a week of slots) and the demo staff
    // accounts with this run's password; idempotent.
    await run('registration seed', tsNode('apps/registration/src/main.ts', ['seed-demo']), {
      ...common,
      PORT: '0',
      JAB_DEMO_PASSWORD: demoPassword,
    });
    serviceList().forEach((s, i) => {
      procs.push(
        startProcess(`${s.name} api`, process.execPath, tsNode(`apps/${s.name}/src/main.ts`), {
          ...common,
          ROLE: 'api',
          PORT: String(s.port),
        }, i),
      );
      procs.push(
        startProcess(`${s.name} worker`, process.execPath, tsNode(`apps/${s.name}/src/main.ts`), {
          ...common,
          ROLE: 'worker',
          PORT: String(s.port + WORKER_PORT_OFFSET),
        }, i + 4),
      );
    });
    const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
    procs.push(
      startProcess('web', process.execPath, [vite, '--config', join(root, 'apps/web/vite.config.mts'), '--host', '127.0.0.1', '--port', String(web.port), '--strictPort'], common, 8),
    );
    await Promise.all([
      ...serviceList().flatMap((s) => [
        waitHealthy(`http://127.0.0.1:${s.port}/health/ready`, procs, 120_000),
        waitHealthy(`http://127.0.0.1:${s.port + WORKER_PORT_OFFSET}/health/ready`, procs, 120_000),
      ]),
      waitHealthy(`http://127.0.0.1:${web.port}/`, procs, 120_000),
    ]);
    if (!testMode) await seedPeople();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    await stop(1);
    return;
  }

  process.stdout.write(
    [
      '',
      `Jab is running: http://127.0.0.1:${web.port}/`,
      `  database ${database}, Redis prefix ${redisPrefix}, messages in ${sinkDir}/outbox.jsonl`,
      ...DEMO_STAFF_EMAILS.map((email) => `  ${email}`),
      process.env.JAB_DEMO_PASSWORD ? '  password: $JAB_DEMO_PASSWORD' : `  password: ${demoPassword}`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  // If any process dies, the stack is not whole: stop everything and say so.
  const died = await Promise.race(procs.map((p) => p.exited.then(() => p)));
  if (!stopping) {
    process.stderr.write(`${died.name} stopped unexpectedly (exit ${died.child.exitCode}).\n`);
    await stop(1);
  }
}

void main();
