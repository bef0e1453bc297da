/**
 * Shared plumbing of the service benchmarks (never part of a test suite): a throwaway
 * database and Redis prefix, a service started as a real child process the way
 * `npm start` starts it (registration with its keys), a signer for admin tokens, a
 * catalogue seeded through the admin API, citizens registered through the public API,
 * autocannon and pgbench runs with per-request latencies, a service's Prometheus
 * counters, RSS sampling, and markdown helpers.
 *
 * Everything a bench creates is synthetic (no personal data) and is removed at the end;
 * tokens are kept in memory and never printed.
 */
import { createSigner, generateSigningKey, type Signer } from '@jab/auth';
import autocannon from 'autocannon';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

const exec = promisify(execFile);

/** What every bench returns: a section of docs/benchmarks.md and whether its correctness facts held. */
export interface BenchReport {
  title: string;
  markdown: string;
  ok: boolean;
}

export interface BenchOptions {
  /** A smoke run for CI (about a minute): smaller loads, no thresholds, correctness still asserted. */
  quick: boolean;
}

export const ROOT = resolve(import.meta.dirname, '../../..');
export const PG_ADMIN_URL = process.env['JAB_BENCH_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
/** As `@jab/runtime`'s ISSUER and AUDIENCE: what registration signs and verifies. */
export const ISSUER = 'jab-registration';
export const AUDIENCE = 'jab';
export const API = '/api/registration/v1';

export const hex = (bytes = 4) => randomBytes(bytes).toString('hex');
export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** True when `moduleUrl` (the caller's `import.meta.url`) is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href;
}

/** Runs one bench as a script: `--quick` from the command line, markdown to stdout, exit 1 when a fact failed. */
export async function runStandalone(bench: (opts: BenchOptions) => Promise<BenchReport>): Promise<void> {
  const report = await bench({ quick: process.argv.includes('--quick') });
  console.log(`\n## ${report.title}\n\n${report.markdown}`);
  if (!report.ok) {
    console.error(`\n${report.title}: a correctness check failed`);
    process.exitCode = 1;
  }
}

/** One line on the progress of a bench, on stderr (stdout carries the markdown). */
export const progress = (message: string) => console.error(`[bench] ${message}`);

// ---- PostgreSQL ----

export interface BenchDatabase {
  name: string;
  url: string;
  /** A small pool for setup and the final checks. */
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** A throwaway database `jab_bench_<hex>`, dropped (with its connections) by `drop()`. */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `jab_bench_${hex(6)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 3 });
  return {
    name,
    url: url.toString(),
    pool,
    async drop() {
      await pool.end().catch(() => undefined);
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Connections PostgreSQL can still give (max_connections less reserved and in use), less a margin for others. */
export async function freeConnections(pool: pg.Pool, margin = 10): Promise<number> {
  const { rows } = await pool.query<{ free: number }>(
    `SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int
            - (SELECT count(*) FROM pg_stat_activity)::int AS free`,
  );
  return Math.max(1, rows[0].free - margin);
}

export async function postgresVersion(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
  return rows[0].v.split(' ')[0];
}

// ---- Redis ----

/** A Redis key prefix of this run; also a valid BullMQ prefix (no `:`). */
export const redisPrefix = () => `jab-bench-${hex(6)}`;

/**
 * Deletes every key under `prefix:` (SCAN + DEL through redis-cli, never KEYS or FLUSH);
 * without redis-cli the keys are left (cache and rate-limit keys expire, queues do not).
 */
export async function cleanRedisPrefix(prefix: string, url = REDIS_URL): Promise<number> {
  if (!/^[\w-]+$/.test(prefix)) throw new Error(`refusing to clean unsafe prefix "${prefix}"`);
  let keys: string[];
  try {
    const { stdout } = await exec('redis-cli', ['-u', url, '--scan', '--pattern', `${prefix}:*`], { maxBuffer: 256 * 1024 * 1024 });
    keys = stdout.split('\n').filter((k) => k.length > 0);
  } catch (error) {
    progress(`could not clean Redis prefix ${prefix}: ${(error as Error).message.split('\n')[0]}`);
    return 0;
  }
  for (let i = 0; i < keys.length; i += 500) await exec('redis-cli', ['-u', url, 'UNLINK', ...keys.slice(i, i + 500)]);
  return keys.length;
}

// ---- keys and tokens ----

export interface RegistrationKeys {
  /** JWT_PRIVATE_JWK, JWT_KEY_ID and the four 32-byte secrets registration needs in production. */
  env: Record<string, string>;
  /** Signs with registration's own key: admin and staff tokens for the bench. */
  signer: Signer;
}

const secret = () => randomBytes(32).toString('base64url');

export async function registrationKeys(): Promise<RegistrationKeys> {
  const key = await generateSigningKey();
  return {
    env: {
      JWT_PRIVATE_JWK: JSON.stringify(key.privateJwk),
      JWT_KEY_ID: key.kid,
      OTP_SEALING_KEY: secret(),
      OTP_HASH_KEY: secret(),
      NATIONAL_ID_HASH_KEY: secret(),
      NATIONAL_ID_ENC_KEY: secret(),
    },
    signer: createSigner({ privateJwk: key.privateJwk, kid: key.kid, issuer: ISSUER }),
  };
}

export const adminToken = (signer: Signer) =>
  signer.issue({ sub: '0190a000-0000-7000-8000-00000000be0c', role: 'national-admin', audience: AUDIENCE, ttlSeconds: 3600 });

// ---- services as child processes ----

/**
 * Every request of a bench comes from 127.0.0.1: the per-IP limits (30 code requests and
 * 30 registrations per 15 minutes by default) would refuse all but the first few. Benches
 * that start registration with these settings say so in their output.
 */
export const RAISED_LIMITS = { OTP_RATE_PER_IP: '1000000000', REGISTRATION_RATE_PER_IP: '1000000000' };
export const RAISED_LIMITS_NOTE =
  'All load comes from 127.0.0.1, so the per-IP limits on one-time codes and registrations are raised for the run (`OTP_RATE_PER_IP` and `REGISTRATION_RATE_PER_IP` at 1000000000); the per-destination and per-contact limits keep their defaults (every request uses a new address).';

export interface ServiceProcess {
  url: string;
  port: number;
  pid: number;
  process: ChildProcess;
  /** The last lines the service wrote (its log goes to a file, not through the bench's event loop). */
  logTail(lines?: number): string[];
  /** SIGTERM, SIGKILL after `graceMs`; removes the log file. */
  stop(graceMs?: number): Promise<void>;
}

export type ServiceName = 'registration' | 'notifications' | 'search' | 'analytics';

export interface StartServiceOptions {
  databaseUrl: string;
  redisPrefix: string;
  /** `api` (HTTP only), `worker` (queues and the outbox relay; HTTP for probes) or `all`. */
  role: 'api' | 'worker' | 'all';
  /** The service's own settings (keys, JWKS_URL, RAISED_LIMITS...). */
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

/**
 * The services run as the image runs them: each one's production bundle (`nx run <app>:build`,
 * esbuild with the workspace libraries inlined, `node main.js`), built once per bench process.
 * `BENCH_FROM_SOURCE=1` runs the sources through tsx instead, as `npm start` does.
 */
const FROM_SOURCE = process.env['BENCH_FROM_SOURCE'] === '1';
const BUNDLED: readonly ServiceName[] = ['registration', 'notifications', 'search', 'analytics'];
let bundles: Promise<void> | undefined;
function buildBundles(): Promise<void> {
  bundles ??= new Promise<void>((resolve, reject) => {
    progress(`building the services' production bundles (nx run-many -t build -p ${BUNDLED.join(' ')})`);
    const nx = join(ROOT, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
    const child = spawn(process.execPath, [nx, 'run-many', '-t', 'build', '-p', ...BUNDLED], {
      cwd: ROOT,
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`building the bundles failed (${code}):\n${output.slice(-3000)}`))));
  });
  return bundles;
}

/** How the services ran, for the reports. */
export const SERVICES_RUN = FROM_SOURCE
  ? 'from source through tsx, as `npm start` runs it (BENCH_FROM_SOURCE=1)'
  : 'as its production bundle (esbuild, `node main.js`), as the image runs it';

/**
 * Starts a service (see SERVICES_RUN) in production mode at log level info (a line per
 * request, as deployed), with its output in a temporary file so the bench's own process
 * does not pay for reading it. Every service migrates its schema on start.
 */
export async function startService(name: ServiceName, options: StartServiceOptions): Promise<ServiceProcess> {
  const entry = FROM_SOURCE
    ? ['--conditions=@jab/source', '--import', 'tsx', join(ROOT, 'apps', name, 'src/main.ts')]
    : await buildBundles().then(() => [join(ROOT, 'apps', name, 'dist', 'main.js')]);
  const dir = await mkdtemp(join(tmpdir(), 'jab-bench-'));
  const logFile = join(dir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  // BENCH_CPU_PROF=<dir>: each service writes V8 CPU profiles there when it stops, one per thread
  // (CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; open it in Chrome's DevTools).
  const profile = process.env['BENCH_CPU_PROF'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_CPU_PROF']}`] : [];
  const child = spawn(process.execPath, [...profile, ...entry], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? tmpdir(),
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      PORT: '0',
      ROLE: options.role,
      DATABASE_URL: options.databaseUrl,
      REDIS_URL,
      REDIS_PREFIX: options.redisPrefix,
      SHUTDOWN_TIMEOUT_MS: '10000',
      // Production requires search's cursor key; a bench pages within one process, so a key of its own will do.
      ...(name === 'search' ? { SEARCH_CURSOR_KEY: secret() } : {}),
      ...options.env,
    },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`${name} could not be spawned`);
  const pid = child.pid;
  const read = () => {
    try {
      return readFileSync(logFile, 'utf8').split('\n');
    } catch {
      return [];
    }
  };
  const logTail = (n = 20) => read().slice(-n - 1);
  let exited = false;
  const exit = new Promise<void>((done) =>
    child.once('exit', () => {
      exited = true;
      done();
    }),
  );
  const stop = async (graceMs = 15_000) => {
    if (!exited) child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exit;
    clearTimeout(kill);
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 90_000);
  for (;;) {
    const line = read().find((l) => l.includes('"service started"'));
    if (line) {
      const port = (JSON.parse(line) as { port: number }).port;
      return { url: `http://127.0.0.1:${port}`, port, pid, process: child, logTail, stop };
    }
    if (exited || Date.now() > deadline) {
      const tail = logTail(30).join('\n');
      await stop(1_000);
      throw new Error(`${name} did not start (${exited ? `exited with ${child.exitCode}` : 'timed out'}):\n${tail}`);
    }
    await sleep(100);
  }
}

/** Registration with its keys (`keys.env`) and any extra settings. */
export function startRegistration(options: Omit<StartServiceOptions, 'env'> & { keys: RegistrationKeys; env?: Record<string, string> }): Promise<ServiceProcess> {
  const { keys, env, ...rest } = options;
  return startService('registration', { ...rest, env: { ...keys.env, ...env } });
}

// ---- HTTP ----

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

/** One JSON call to registration's API (`path` relative to `/api/registration/v1`). */
export async function call<T = unknown>(baseUrl: string, method: string, path: string, options: { body?: unknown; token?: string } = {}): Promise<ApiResponse<T>> {
  const res = await fetch(`${baseUrl}${API}${path}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body: body as T, text, headers: res.headers };
}

export function expectStatus<T>(res: ApiResponse<T>, status: number, what: string): T {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status}: ${res.text.slice(0, 500)}`);
  return res.body;
}

// ---- catalogue ----

export const BENCH_REGION = 'FR-IDF';
const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 24 * 3600_000).toISOString().slice(0, 10);

export interface CenterDaySlots {
  centerId: string;
  date: string;
  slotIds: string[];
}

export interface Catalogue {
  vaccineId: string;
  region: string;
  centerIds: string[];
  /** One entry per center and day, in center order then day order. */
  days: CenterDaySlots[];
  /** Every slot of every center-day. */
  slots: { slotId: string; centerId: string; date: string }[];
  capacityPerSlot: number;
}

export interface CatalogueOptions {
  centers: number;
  /** Consecutive days from tomorrow. */
  days: number;
  /** Slots per center-day (15 minutes each from 08:00; at most 63). */
  slotsPerDay: number;
  /** First-dose seats per slot (at most 10,000). */
  capacity: number;
}

const clock = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/**
 * Seeds, through the admin API as a national admin would: a vaccine, `centers` centers
 * in one region (UTC, so local days are UTC days), a campaign over the region, and a
 * session per center and day with `slotsPerDay` slots of `capacity` first-dose seats.
 */
export async function seedCatalogue(baseUrl: string, signer: Signer, o: CatalogueOptions): Promise<Catalogue> {
  if (o.slotsPerDay < 1 || o.slotsPerDay > 63) throw new Error('slotsPerDay must be 1 to 63');
  const token = await adminToken(signer);
  const admin = <T>(method: string, path: string, body?: unknown) => call<T>(baseUrl, method, path, { body, token });
  const tag = hex(3);
  const vaccine = expectStatus(
    await admin<{ id: string }>('POST', '/vaccines', {
      name: `Benchvax ${tag}`,
      manufacturer: 'Bench Labs',
      seriesDoses: 2,
      minIntervalDays: 21,
      minAgeYears: 18,
      maxAgeYears: null,
    }),
    201,
    'a vaccine',
  );
  expectStatus(
    await admin('POST', '/campaigns', {
      name: `Bench campaign ${tag}`,
      vaccineIds: [vaccine.id],
      regions: [BENCH_REGION],
      startsOn: isoDay(-1),
      endsOn: isoDay(30),
      targetAgeBands: [{ minAge: 18, maxAge: null }],
    }),
    201,
    'a campaign',
  );
  const centerIds: string[] = [];
  const days: CenterDaySlots[] = [];
  for (let c = 0; c < o.centers; c++) {
    const center = expectStatus(
      await admin<{ id: string }>('POST', '/centers', {
        names: { en: `Bench center ${tag}-${c + 1}` },
        address: `${c + 1} Bench Street, Benchville`,
        region: BENCH_REGION,
        latitude: 48.85,
        longitude: 2.35,
        languages: ['en', 'fr'],
        vaccineIds: [vaccine.id],
        timeZone: 'UTC',
        openingHours: [{ day: 'mon', opens: '08:00', closes: '18:00' }],
      }),
      201,
      'a center',
    );
    centerIds.push(center.id);
    for (let d = 1; d <= o.days; d++) {
      const date = isoDay(d);
      expectStatus(
        await admin('POST', `/centers/${center.id}/sessions`, {
          vaccineId: vaccine.id,
          date,
          startTime: '08:00',
          endTime: clock(8 * 60 + 15 * o.slotsPerDay),
          slotMinutes: 15,
          capacityDose1: o.capacity,
          capacityLaterDoses: 0,
          walkInQuota: 0,
        }),
        201,
        'a session',
      );
      const avail = expectStatus(await admin<{ slots: { id: string }[] }>('GET', `/centers/${center.id}/availability?date=${date}`), 200, 'availability');
      if (avail.slots.length !== o.slotsPerDay) throw new Error(`expected ${o.slotsPerDay} slots, got ${avail.slots.length}`);
      days.push({ centerId: center.id, date, slotIds: avail.slots.map((s) => s.id) });
    }
  }
  return {
    vaccineId: vaccine.id,
    region: BENCH_REGION,
    centerIds,
    days,
    slots: days.flatMap((d) => d.slotIds.map((slotId) => ({ slotId, centerId: d.centerId, date: d.date }))),
    capacityPerSlot: o.capacity,
  };
}

// ---- load (autocannon) ----

export interface LoadSpec {
  /** The service's base URL. */
  url: string;
  connections: number;
  /** Stop after this many responses (every request sent gets its answer: exact counts). */
  amount?: number;
  /** Or stop after this many seconds (requests in flight at the end are cut). */
  duration?: number;
  requests: autocannon.Request[];
  /** Requests per second over all connections. */
  overallRate?: number;
  timeoutSeconds?: number;
  /** Stop early once this settles (requests in flight then are cut, as with `duration`). */
  until?: Promise<unknown>;
}

export interface LoadResult {
  /** Responses received. */
  responses: number;
  seconds: number;
  /** Responses per second. */
  rate: number;
  /** Per-response latency in ms, sorted (autocannon's own histogram rounds to whole ms). */
  latencies: number[];
  statuses: Map<number, number>;
  /** Connection errors and timeouts. */
  errors: number;
  timeouts: number;
}

/** One autocannon run from this process; latencies and statuses are taken from every response. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const started = performance.now();
  return new Promise((done, fail) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        ...(spec.amount === undefined ? { duration: spec.duration ?? 10 } : { amount: spec.amount }),
        ...(spec.overallRate === undefined ? {} : { overallRate: spec.overallRate }),
        requests: spec.requests,
        timeout: spec.timeoutSeconds ?? 30,
      },
      (error: unknown, result) => {
        if (error) return fail(error instanceof Error ? error : new Error(String(error)));
        const seconds = (performance.now() - started) / 1000;
        latencies.sort((a, b) => a - b);
        done({ responses: latencies.length, seconds, rate: latencies.length / seconds, latencies, statuses, errors: result.errors, timeouts: result.timeouts });
      },
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      latencies.push(ms);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    });
    spec.until?.then(
      () => instance.stop(),
      () => instance.stop(),
    );
  });
}

export const countOf = (r: LoadResult, status: number) => r.statuses.get(status) ?? 0;
export const statusSummary = (r: LoadResult) =>
  [...r.statuses.entries()]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s}: ${int(n)}`)
    .join(', ');

// ---- citizens ----

export interface Citizen {
  registrantId: string;
  /** A citizen access token (15 minutes): kept in memory, never printed. */
  token: string;
}

/**
 * Registers `count` synthetic people, one new household each, through the public
 * `POST /registrants` (what a person does first), `connections` at a time. Returns
 * them with the registration rate.
 */
export async function registerCitizens(baseUrl: string, o: { count: number; connections: number }): Promise<{ citizens: Citizen[]; load: LoadResult }> {
  const tag = hex(4);
  const citizens: Citizen[] = [];
  let next = 0;
  const load = await runLoad({
    url: baseUrl,
    connections: Math.min(o.connections, o.count),
    amount: o.count,
    requests: [
      {
        method: 'POST',
        path: `${API}/registrants`,
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => {
          const i = next++;
          return {
            ...req,
            body: JSON.stringify({
              fullName: `Bench Citizen ${tag} ${i}`,
              birthDate: '1980-05-05',
              region: BENCH_REGION,
              preferredLanguage: 'en',
              contact: { channel: 'email', address: `bench-${tag}-${i}@example.org` },
              nationalId: `BN${tag}${i}`.toUpperCase(),
            }),
          };
        },
        onResponse: (status, body) => {
          if (status !== 201) return;
          const created = JSON.parse(body) as { registrant: { id: string }; accessToken: string };
          citizens.push({ registrantId: created.registrant.id, token: created.accessToken });
        },
      },
    ],
  });
  if (citizens.length !== o.count) throw new Error(`registered ${citizens.length} of ${o.count} citizens (${statusSummary(load)}, errors ${load.errors})`);
  return { citizens, load };
}

// ---- pgbench ----

export interface PgbenchSpec {
  databaseUrl: string;
  /** The custom script (`-f`), run with `-M prepared`. */
  script: string;
  clients: number;
  threads: number;
  /** Transactions per client (`-t`), or `seconds` (`-T`). */
  transactions?: number;
  seconds?: number;
}

export interface PgbenchResult {
  transactions: number;
  /** As pgbench reports it (without initial connection time). */
  tps: number;
  /** Per-transaction latency in ms from the `-l` log, sorted. */
  latencies: number[];
  failed: number;
  output: string;
}

/** Runs pgbench with a per-transaction log, from which the latency percentiles come. */
export async function runPgbench(spec: PgbenchSpec): Promise<PgbenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'jab-pgbench-'));
  try {
    const scriptFile = join(dir, 'script.sql');
    await writeFile(scriptFile, spec.script);
    const args = [
      '-n',
      '-M',
      'prepared',
      '-f',
      scriptFile,
      '-c',
      String(spec.clients),
      '-j',
      String(Math.min(spec.threads, spec.clients)),
      ...(spec.transactions !== undefined ? ['-t', String(spec.transactions)] : ['-T', String(spec.seconds ?? 10)]),
      '-l',
      `--log-prefix=${join(dir, 'tx')}`,
      spec.databaseUrl,
    ];
    const { stdout, stderr } = await exec('pgbench', args, { cwd: dir, maxBuffer: 64 * 1024 * 1024 }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`pgbench failed: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    const output = `${stdout}\n${stderr}`;
    const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(output)?.[1] ?? NaN);
    const processed = Number(/number of transactions actually processed: (\d+)/.exec(output)?.[1] ?? NaN);
    const failed = Number(/number of failed transactions: (\d+)/.exec(output)?.[1] ?? 0);
    const latencies: number[] = [];
    for (const file of (await readdir(dir)).filter((f) => f.startsWith('tx.'))) {
      for (const line of (await readFile(join(dir, file), 'utf8')).split('\n')) {
        // client_id transaction_no time(µs) script_no time_epoch time_us
        const us = Number(line.split(' ')[2]);
        if (line && Number.isFinite(us)) latencies.push(us / 1000);
      }
    }
    latencies.sort((a, b) => a - b);
    return { transactions: processed, tps, latencies, failed, output };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---- memory ----

/** Resident set size of a process in bytes (VmRSS from /proc), undefined once it is gone. */
export function rssOf(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

export interface RssStats {
  samples: number;
  min: number;
  mean: number;
  max: number;
}

/** Samples a process's RSS every `intervalMs` until `stop()`. */
export function sampleRss(pid: number, intervalMs = 250): { stop(): RssStats } {
  const values: number[] = [];
  const take = () => {
    const v = rssOf(pid);
    if (v !== undefined) values.push(v);
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return {
        samples: values.length,
        min: Math.min(...values),
        mean: values.reduce((a, b) => a + b, 0) / Math.max(1, values.length),
        max: Math.max(...values),
      };
    },
  };
}

/** CPU seconds (user + system) one process has used so far; NaN when it cannot be read (not Linux, gone). */
export function processCpuSeconds(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // utime(14) and stime(15), numbered from 1 with "pid (comm)" as 1 and 2; USER_HZ is 100 on Linux.
    return (Number(fields[14 - 3]) + Number(fields[15 - 3])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds PostgreSQL has used on this machine so far: every live postgres process's
 * user + system time, plus what the postmaster's exited children (backends of clients
 * that disconnected, such as pgbench's) used. The difference over a phase is the
 * database's work for it, whoever the client was. Linux only; NaN elsewhere.
 */
export function postgresCpuSeconds(): number {
  const TICKS_PER_SECOND = 100; // USER_HZ, 100 on Linux
  let ticks = 0;
  let found = false;
  let names: string[];
  try {
    names = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return NaN;
  }
  const stats = new Map<string, { comm: string; ppid: string; fields: string[] }>();
  for (const pid of names) {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = text.lastIndexOf(')');
      const comm = text.slice(text.indexOf('(') + 1, close);
      // After "pid (comm) ": state ppid … utime(14) stime(15) cutime(16) cstime(17), numbered from 1.
      const fields = text.slice(close + 2).split(' ');
      stats.set(pid, { comm, ppid: fields[1] ?? '', fields });
    } catch {
      // The process ended while we looked.
    }
  }
  for (const { comm, ppid, fields } of stats.values()) {
    if (comm !== 'postgres') continue;
    found = true;
    const at = (n: number) => Number(fields[n - 3] ?? 0);
    ticks += at(14) + at(15);
    if (stats.get(ppid)?.comm !== 'postgres') ticks += at(16) + at(17);
  }
  return found ? ticks / TICKS_PER_SECOND : NaN;
}

// ---- numbers and markdown ----

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : '–');
export const ms = (n: number) => (Number.isFinite(n) ? (n < 10 ? n.toFixed(2) : n.toFixed(1)) : '–');
export const mib = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(0)} MiB` : '–');
export const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '–');
/** `a / b` as `0.42×`. */
export const ratio = (a: number, b: number) => (Number.isFinite(a / b) && b !== 0 ? `${(a / b).toFixed(2)}×` : '–');

export function mdTable(header: string[], rows: (string | number)[][], align: ('l' | 'r')[] = header.map((_, i) => (i === 0 ? 'l' : 'r'))): string {
  const line = (cells: (string | number)[]) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), `| ${align.map((a) => (a === 'r' ? '---:' : '---')).join(' | ')} |`, ...rows.map(line)].join('\n');
}

/** A checklist of correctness facts: `- ✅ fact` / `- ❌ fact`. */
export function factList(facts: { fact: string; ok: boolean }[]): string {
  return facts.map((f) => `- ${f.ok ? '✅' : '❌'} ${f.fact}`).join('\n');
}

/** The machine in one line: CPU model and count, memory, Node and PostgreSQL versions. */
export function machineLine(pgVersion?: string): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}${pgVersion ? `, PostgreSQL ${pgVersion}` : ''}`;
}

export interface ServiceCounters {
  /** `cache_hits_total` / `cache_misses_total` by cache name: one per Redis lookup (requests for a key being loaded share it). */
  caches: Record<string, { hits: number; misses: number }>;
  /** Answered requests by route pattern (`http_request_duration_seconds_count`, all methods and statuses). */
  requests: Record<string, number>;
}

/** Reads a service's Prometheus counters from its `/metrics`. */
export async function serviceCounters(baseUrl: string): Promise<ServiceCounters> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const caches: ServiceCounters['caches'] = {};
  for (const m of text.matchAll(/^cache_(hits|misses)_total\{([^}]*)\} ([\d.e+]+)$/gm)) {
    const cache = /cache="([^"]+)"/.exec(m[2])?.[1] ?? '?';
    caches[cache] ??= { hits: 0, misses: 0 };
    caches[cache][m[1] === 'hits' ? 'hits' : 'misses'] += Number(m[3]);
  }
  const requests: ServiceCounters['requests'] = {};
  for (const m of text.matchAll(/^http_request_duration_seconds_count\{([^}]*)\} ([\d.e+]+)$/gm)) {
    const route = /route="([^"]+)"/.exec(m[1])?.[1] ?? '?';
    requests[route] = (requests[route] ?? 0) + Number(m[2]);
  }
  return { caches, requests };
}
