/**
 * Events per second from registration's outbox through the notifications workers to "sent"
 * (never part of a test suite):
 *   node --conditions=@jab/source --import tsx tools/bench/src/events-bench.ts [--quick]
 *
 * 1. Registration's api (no relay) takes N registrations through `POST /registrants`: each
 *    writes a `registrant.registered` event to the outbox in the registration's transaction.
 * 2. A notifications worker starts, then registration's worker (the outbox relay): the clock
 *    runs from the first event the relay published until the last welcome message is `sent`
 *    (written by the local sink transport, which stands in for SES and SNS).
 * Baseline, same run, same Redis and PostgreSQL: bare BullMQ moving N jobs from a bulk add to
 * a worker of concurrency 8 that does one INSERT per job: the floor of one queue hop
 * and one database write per event.
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  cleanRedisPrefix,
  createBenchDatabase,
  factList,
  hex,
  int,
  isMain,
  machineLine,
  mdTable,
  mib,
  postgresVersion,
  progress,
  RAISED_LIMITS,
  ratio,
  REDIS_URL,
  redisPrefix,
  registerCitizens,
  registrationKeys,
  rssOf,
  runStandalone,
  sampleRss,
  sleep,
  startService,
  type BenchOptions,
  type BenchReport,
} from './stack.js';

/** Welcome messages are e-mails: the provider's per-second quota is raised so the platform, not SES's quota, is measured. */
const RAISED_SEND_RATE = { NOTIFY_EMAIL_RATE_PER_SECOND: '100000', NOTIFY_SMS_RATE_PER_SECOND: '100000' };

async function waitUntil<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(50);
  }
}

/** Bare BullMQ: `count` jobs added in bulk, one worker of `concurrency` inserting one row per job. */
async function bareBullmq(databaseUrl: string, prefix: string, count: number, concurrency: number): Promise<{ seconds: number }> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: concurrency });
  await pool.query('CREATE TABLE bench_baseline_events (id text PRIMARY KEY, payload jsonb NOT NULL, at timestamptz NOT NULL DEFAULT now())');
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('baseline', { connection, prefix });
  let done = 0;
  let finished!: () => void;
  const all = new Promise<void>((resolve) => (finished = resolve));
  const worker = new Worker(
    'baseline',
    async (job) => {
      await pool.query('INSERT INTO bench_baseline_events (id, payload) VALUES ($1, $2)', [job.id, job.data]);
      if (++done === count) finished();
    },
    { connection: connection.duplicate(), prefix, concurrency, autorun: false },
  );
  try {
    const payload = { type: 'registrant.registered', data: { registrantId: hex(16), contact: { channel: 'email', address: 'baseline@example.org' } } };
    for (let i = 0; i < count; i += 1000) {
      await queue.addBulk(
        Array.from({ length: Math.min(1000, count - i) }, (_, j) => ({ name: 'event', data: payload, opts: { jobId: `e-${i + j}`, removeOnComplete: true } })),
      );
    }
    const started = performance.now();
    void worker.run();
    await all;
    const seconds = (performance.now() - started) / 1000;
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM bench_baseline_events');
    if (rows[0]?.n !== count) throw new Error(`baseline stored ${rows[0]?.n} of ${count} events`);
    return { seconds };
  } finally {
    await worker.close();
    await queue.close();
    connection.disconnect();
    await pool.end();
  }
}

export async function run({ quick }: BenchOptions): Promise<BenchReport> {
  const count = quick ? 300 : 5_000;
  const db = await createBenchDatabase();
  const prefix = redisPrefix();
  const keys = await registrationKeys();
  const sinkDir = await mkdtemp(join(tmpdir(), 'jab-bench-sink-'));
  const stops: (() => Promise<void>)[] = [];
  try {
    const pgVersion = await postgresVersion(db.pool);
    const api = await startService('registration', { databaseUrl: db.url, redisPrefix: prefix, role: 'api', env: { ...keys.env, ...RAISED_LIMITS } });
    stops.push(() => api.stop());
    progress(`events: registering ${count} people (each writes registrant.registered to the outbox)`);
    await registerCitizens(api.url, { count, connections: 16 });
    const { rows: outbox } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM registration.outbox WHERE type = 'registrant.registered'`);

    const jwks = `${api.url}/api/registration/v1/.well-known/jwks.json`;
    const notifications = await startService('notifications', {
      databaseUrl: db.url,
      redisPrefix: prefix,
      role: 'worker',
      env: { JWKS_URL: jwks, REGISTRATION_URL: `${api.url}/api/registration/v1`, NOTIFY_SINK_DIR: sinkDir, NOTIFY_SINK_CONSOLE: 'false', OTP_SEALING_KEY: keys.env['OTP_SEALING_KEY'], ...RAISED_SEND_RATE },
    });
    stops.push(() => notifications.stop());
    // Search and analytics consume the same events from their own queues: their memory too.
    const consumers = { search: { JWKS_URL: jwks, REGISTRATION_URL: `${api.url}/api/registration/v1` }, analytics: { JWKS_URL: jwks } } as const;
    const others: { name: string; pid: number }[] = [];
    for (const [name, env] of Object.entries(consumers)) {
      const worker = await startService(name as keyof typeof consumers, { databaseUrl: db.url, redisPrefix: prefix, role: 'worker', env });
      stops.push(() => worker.stop());
      others.push({ name, pid: worker.pid });
    }
    const atRest = rssOf(notifications.pid) ?? NaN;
    const othersAtRest = others.map((o) => rssOf(o.pid) ?? NaN);
    const othersRss = others.map((o) => sampleRss(o.pid));
    const sent = async () =>
      (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM notifications.messages WHERE template = 'welcome' AND status = 'sent'`)).rows[0].n;

    progress(`events: outbox relay on; timing ${count} events to "sent"`);
    const rss = sampleRss(notifications.pid);
    const relay = await startService('registration', { databaseUrl: db.url, redisPrefix: prefix, role: 'worker', env: keys.env });
    stops.push(() => relay.stop());
    await waitUntil('every welcome message sent', quick ? 120_000 : 600_000, async () => ((await sent()) >= count ? true : undefined));
    const underLoad = rss.stop();
    const consumed = async () =>
      (
        await db.pool.query<{ indexed: number; counted: number }>(
          `SELECT (SELECT count(*)::int FROM search.registrant_documents) AS indexed, (SELECT count(*)::int FROM analytics.registrants) AS counted`,
        )
      ).rows[0];
    const seen = await waitUntil('every registration indexed and counted', quick ? 120_000 : 600_000, async () => {
      const c = await consumed();
      return c.indexed >= count && c.counted >= count ? c : undefined;
    });
    const othersUnderLoad = othersRss.map((r) => r.stop());
    // Timed by the database's own clocks, from the first event the relay published to the last
    // message sent: the relay process's start-up is not part of the pipeline.
    // Search and analytics from the same first publication to their last write (the engine's row, the event's claim).
    const { rows: span } = await db.pool.query<{ total: number; relay: number; search: number; analytics: number }>(
      `SELECT extract(epoch FROM (SELECT max(sent_at) FROM notifications.messages WHERE template = 'welcome') - o.first)::float8 AS total,
              extract(epoch FROM o.last - o.first)::float8 AS relay,
              extract(epoch FROM (SELECT max(indexed_at) FROM search.registrants) - o.first)::float8 AS search,
              extract(epoch FROM (SELECT max(processed_at) FROM analytics.processed_events) - o.first)::float8 AS analytics
         FROM (SELECT min(published_at) AS first, max(published_at) AS last FROM registration.outbox) o`,
    );
    const seconds = span[0].total;
    const relaySeconds = span[0].relay;
    // Nothing sent twice: one message per person, one line per message in the sink.
    const { rows: dupes } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT account_id FROM notifications.messages WHERE template = 'welcome' GROUP BY account_id HAVING count(*) > 1) d`,
    );
    const sinkLines = (await readFile(join(sinkDir, 'outbox.jsonl'), 'utf8')).split('\n').filter(Boolean).length;

    progress(`events: baseline, bare BullMQ with ${count} jobs`);
    const baseline = await bareBullmq(db.url, `${prefix}-baseline`, count, 8);

    const rate = count / seconds;
    const baseRate = count / baseline.seconds;
    const facts = [
      { fact: `the outbox held one \`registrant.registered\` per registration (${int(outbox[0]?.n ?? 0)} of ${int(count)})`, ok: outbox[0]?.n === count },
      { fact: `every welcome message reached "sent" (${int(count)})`, ok: true },
      { fact: 'no person got two welcome messages', ok: dupes[0]?.n === 0 },
      { fact: `the sink holds exactly one line per message (${int(sinkLines)})`, ok: sinkLines === count },
      { fact: `search indexed every registrant once (${int(seen.indexed)}) and analytics counted each once (${int(seen.counted)})`, ok: seen.indexed === count && seen.counted === count },
    ];
    const markdown = [
      `${machineLine(pgVersion)}; ${new Date().toISOString().slice(0, 10)}. One registration api process, one registration worker (outbox relay: 500 rows per claim, up to 100 events per queue job), one notifications worker (its defaults: 16 event jobs and 256 send jobs held, applied in batches of up to 128), sink transport, and the search and analytics workers consuming the same events from their own queues; the provider send quota raised to isolate the platform (\`NOTIFY_EMAIL_RATE_PER_SECOND\` is 50 by default: in production SES's quota, not Jab, bounds e-mail).`,
      '',
      mdTable(
        ['pipeline', 'events', 'seconds', 'events/s', 'vs baseline'],
        [
          ['outbox → relay → BullMQ → notifications worker → "sent" (Jab)', int(count), seconds.toFixed(1), int(rate), ratio(rate, baseRate)],
          ['of which outbox relayed to the queues', int(count), relaySeconds.toFixed(1), int(count / relaySeconds), ''],
          ['outbox → relay → BullMQ → search worker → indexed (same run)', int(count), span[0].search.toFixed(1), int(count / span[0].search), ratio(count / span[0].search, baseRate)],
          ['outbox → relay → BullMQ → analytics worker → counted (same run)', int(count), span[0].analytics.toFixed(1), int(count / span[0].analytics), ratio(count / span[0].analytics, baseRate)],
          ['bare BullMQ: bulk add → worker → one INSERT (baseline)', int(count), baseline.seconds.toFixed(1), int(baseRate), '1.00×'],
        ],
      ),
      '',
      mdTable(
        ['worker (RSS)', 'at rest (started, queues empty)', 'under load, mean', 'under load, max'],
        [
          ['notifications (welcome messages)', mib(atRest), mib(underLoad.mean), mib(underLoad.max)],
          ...others.map((o, i) => [
            `${o.name} (${o.name === 'search' ? 'indexing registrants' : 'registration facts'})`,
            mib(othersAtRest[i] ?? NaN),
            mib(othersUnderLoad[i]?.mean ?? NaN),
            mib(othersUnderLoad[i]?.max ?? NaN),
          ]),
        ],
      ),
      '',
      factList(facts),
    ].join('\n');
    return { title: 'Events: outbox to "sent"', markdown, ok: facts.every((f) => f.ok) };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await rm(sinkDir, { recursive: true, force: true });
    await cleanRedisPrefix(prefix);
    await cleanRedisPrefix(`${prefix}-baseline`);
    await db.drop();
  }
}

if (isMain(import.meta.url)) await runStandalone(run);
