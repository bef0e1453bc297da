/**
 * Availability reads (issue #9 b, with registration's memory for c):
 *   node --conditions=@jab/source --import tsx tools/bench/src/availability-bench.ts [--quick]
 *
 * 1. Warm cache: one center-day read over and over, next to a bare node:http server (a
 *    child process of its own, as the service is) answering the very same status,
 *    headers and body bytes, under the same autocannon load from this process.
 * 2. A realistic read mix: availability of every center-day with a skewed popularity
 *    (a few centers draw most people), the centers list now and then, and bookings
 *    trickling in on the same center-days (each one invalidates its center-day's
 *    entry). The hit ratio comes from registration's own `cache_hits_total` and
 *    `cache_misses_total` counters read before and after.
 * 3. At the end every center-day's cached availability must equal the seats the database
 *    holds (invalidation on booking works).
 * 4. Live seats: watchers on one center-day's availability stream (Server-Sent Events)
 *    while bookings land on it; for each booking, the time from sending it (before its
 *    commit) to each watcher's event of a version at least the one the booking made.
 */
import { spawn } from 'node:child_process';
import { get as httpGet, type ClientRequest } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  API,
  ROOT,
  BENCH_REGION,
  call,
  cleanRedisPrefix,
  countOf,
  createBenchDatabase,
  expectStatus,
  factList,
  int,
  isMain,
  machineLine,
  mdTable,
  mib,
  ms,
  pct,
  percentile,
  postgresVersion,
  processCpuSeconds,
  progress,
  RAISED_LIMITS,
  RAISED_LIMITS_NOTE,
  ratio,
  redisPrefix,
  registerCitizens,
  registrationKeys,
  rssOf,
  runLoad,
  runStandalone,
  sampleRss,
  seedCatalogue,
  serviceCounters,
  statusSummary,
  startRegistration,
  type BenchOptions,
  type BenchReport,
  type LoadResult,
  type RssStats,
  type ServiceCounters,
  type ServiceProcess,
  SERVICES_RUN,
} from './stack.js';

interface Sizes {
  centers: number;
  days: number;
  slotsPerDay: number;
  capacity: number;
  connections: number;
  /** Seconds of each read phase. */
  seconds: number;
  /** Bookings per second during the read mix. */
  bookingRate: number;
  /** Streams open on one center-day, and the bookings made on it while they watch (at `streamBookingRate`/s). */
  watchers: number;
  streamBookings: number;
  streamBookingRate: number;
}

const FULL: Sizes = { centers: 20, days: 3, slotsPerDay: 16, capacity: 200, connections: 64, seconds: 20, bookingRate: 20, watchers: 1_000, streamBookings: 200, streamBookingRate: 20 };
const QUICK: Sizes = { centers: 5, days: 2, slotsPerDay: 16, capacity: 200, connections: 64, seconds: 4, bookingRate: 10, watchers: 100, streamBookings: 20, streamBookingRate: 10 };
/** The bound from a booking's commit to every watcher's event. */
const STREAM_P99_GOAL_MS = 1_000;
/** Share of the mix's reads that list the region's centers rather than one center-day. */
const CENTERS_LIST_SHARE = 0.1;
const HIT_RATIO_GOAL = 0.9;

interface CapturedResponse {
  status: number;
  headers: Record<string, string>;
  /** base64 */
  body: string;
}

/** A bare node:http server in its own process answering every request with `response`. */
const BARE_SERVER = `
const http = require('node:http');
const r = JSON.parse(require('node:fs').readFileSync(process.env.BENCH_RESPONSE_FILE, 'utf8'));
const body = Buffer.from(r.body, 'base64');
const server = http.createServer((req, res) => {
  req.resume();
  res.writeHead(r.status, r.headers);
  res.end(body);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/**
 * A minimal express app (the version registration runs) answering the same route with the
 * same bytes: one route with a path parameter, no middleware. What the framework alone costs.
 */
const BARE_EXPRESS = `
const express = require('express');
const r = JSON.parse(require('node:fs').readFileSync(process.env.BENCH_RESPONSE_FILE, 'utf8'));
const body = Buffer.from(r.body, 'base64');
const app = express();
app.get('/api/registration/v1/centers/:centerId/availability', (req, res) => {
  res.writeHead(r.status, r.headers);
  res.end(body);
});
const server = app.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

async function startBareServer(response: CapturedResponse, kind: 'node:http' | 'express'): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'jab-bench-bare-'));
  const file = join(dir, 'response.json');
  await writeFile(file, JSON.stringify(response));
  const child = spawn(process.execPath, ['-e', kind === 'express' ? BARE_EXPRESS : BARE_SERVER], {
    // express resolves from the workspace's node_modules.
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production', BENCH_RESPONSE_FILE: file },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const port = await new Promise<number>((done, fail) => {
    createInterface({ input: child.stdout }).once('line', (line) => done(Number(line)));
    child.once('exit', (code) => fail(new Error(`${kind} server exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? -1,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The service's exact answer to `path`, less the headers node:http writes itself. */
async function capture(baseUrl: string, path: string): Promise<CapturedResponse> {
  const res = await fetch(`${baseUrl}${path}`);
  const body = Buffer.from(await res.arrayBuffer());
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (!['date', 'connection', 'keep-alive', 'transfer-encoding'].includes(name)) headers[name] = value;
  });
  return { status: res.status, headers, body: body.toString('base64') };
}

/** Picks index i of n with probability ∝ 1/(i+1) (Zipf, s = 1): a few center-days draw most people. */
/** One watcher of an availability stream: the versions it received, each with when (performance.now()). */
interface Watcher {
  events: { version: number; at: number; body: string }[];
  request: ClientRequest;
}

/** Opens a stream with a bare HTTP client (no parsing beyond the frames' `id:` and `data:` lines). */
function openWatcher(url: string): Promise<Watcher> {
  return new Promise((resolve, reject) => {
    const events: Watcher['events'] = [];
    const request = httpGet(url, { agent: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`stream answered ${res.statusCode}`));
        return;
      }
      res.setEncoding('utf8');
      let buffered = '';
      res.on('data', (chunk: string) => {
        const at = performance.now();
        buffered += chunk;
        for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
          const frame = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const id = /^id: (\d+)$/m.exec(frame)?.[1];
          if (id !== undefined) events.push({ version: Number(id), at, body: /^data: (.*)$/m.exec(frame)?.[1] ?? '' });
        }
      });
      res.on('error', () => undefined);
      resolve({ events, request });
    });
    request.on('error', reject);
  });
}

function zipf(n: number): () => number {
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) cumulative.push((total += 1 / (i + 1)));
  return () => {
    const x = Math.random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const readGet = (url: string, connections: number, seconds: number, path: string) =>
  runLoad({ url, connections, duration: seconds, requests: [{ method: 'GET', path }] });

export async function run({ quick }: BenchOptions): Promise<BenchReport> {
  const sizes = quick ? QUICK : FULL;
  const title = 'Availability reads — registration (cache warm) vs a minimal express app and a bare node:http server';
  const db = await createBenchDatabase();
  const prefix = redisPrefix();
  let service: ServiceProcess | undefined;
  let bare: Awaited<ReturnType<typeof startBareServer>> | undefined;
  try {
    const keys = await registrationKeys();
    progress(`${title}: starting registration on ${db.name}`);
    service = await startRegistration({ databaseUrl: db.url, redisPrefix: prefix, keys, role: 'api', env: RAISED_LIMITS });
    const catalogue = await seedCatalogue(service.url, keys.signer, sizes);
    const dayPath = (i: number) => `${API}/centers/${catalogue.days[i].centerId}/availability?date=${catalogue.days[i].date}`;
    const centersPath = `${API}/centers?region=${BENCH_REGION}`;
    const rest = rssOf(service.pid) ?? NaN;

    // 0. What watchers cost, measured first while the process is at rest (later phases grow and shrink the heap by more).
    const streamDay = catalogue.days[catalogue.days.length - 1];
    const streamUrl = `${service.url}${API}/centers/${streamDay.centerId}/availability/stream?date=${streamDay.date}`;
    const settledRss = async () => {
      await new Promise((r) => setTimeout(r, 1_500));
      const samples: number[] = [];
      for (let i = 0; i < 5; i++, await new Promise((r) => setTimeout(r, 200))) samples.push(rssOf(service?.pid ?? 0) ?? NaN);
      return samples.reduce((a, b) => a + b, 0) / samples.length;
    };
    const openWatchers = async (n: number) => {
      const opened: Watcher[] = [];
      for (let i = 0; i < n; i += 50) opened.push(...(await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => openWatcher(streamUrl)))));
      return opened;
    };
    progress(`live seats: memory of ${sizes.watchers} idle streams`);
    const idleRss = await settledRss();
    const idleWatchers = await openWatchers(sizes.watchers);
    const watchedRss = await settledRss();
    for (const w of idleWatchers) w.request.destroy();

    // 1. Warm cache, one center-day, against the same bytes from a bare server.
    const target = dayPath(0);
    expectStatus(await call(service.url, 'GET', target.slice(API.length)), 200, 'warming the cache');
    const response = await capture(service.url, target);
    const before = await serviceCounters(service.url);
    progress(`warm reads: registration, ${sizes.connections} connections, ${sizes.seconds} s`);
    let sampler = sampleRss(service.pid);
    let cpu = processCpuSeconds(service.pid);
    const warm = await readGet(service.url, sizes.connections, sizes.seconds, target);
    const warmCpu = processCpuSeconds(service.pid) - cpu;
    const warmRss = sampler.stop();
    const afterWarm = await serviceCounters(service.url);
    bare = await startBareServer(response, 'node:http');
    progress(`warm reads: bare node:http server`);
    cpu = processCpuSeconds(bare.pid);
    const baseline = await readGet(bare.url, sizes.connections, sizes.seconds, target);
    const bareCpu = processCpuSeconds(bare.pid) - cpu;
    const bareRss = rssOf(bare.pid) ?? NaN;
    await bare.stop();
    bare = await startBareServer(response, 'express');
    progress(`warm reads: minimal express app`);
    cpu = processCpuSeconds(bare.pid);
    const framework = await readGet(bare.url, sizes.connections, sizes.seconds, target);
    const expressCpu = processCpuSeconds(bare.pid) - cpu;
    const expressRss = rssOf(bare.pid) ?? NaN;
    await bare.stop();
    bare = undefined;

    // 2. The read mix, with bookings invalidating the center-days they touch.
    const bookings = Math.round(sizes.bookingRate * sizes.seconds);
    progress(`read mix: registering ${bookings} people for the bookings`);
    const { citizens } = await registerCitizens(service.url, { count: bookings, connections: 16 });
    const pickDay = zipf(catalogue.days.length);
    let nextCitizen = 0;
    const mixBefore = await serviceCounters(service.url);
    progress(`read mix: ${sizes.seconds} s with ${sizes.bookingRate} bookings/s`);
    sampler = sampleRss(service.pid);
    const [reads, booked] = await Promise.all([
      runLoad({
        url: service.url,
        connections: sizes.connections,
        duration: sizes.seconds,
        requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: Math.random() < CENTERS_LIST_SHARE ? centersPath : dayPath(pickDay()) }) }],
      }),
      runLoad({
        url: service.url,
        connections: 4,
        amount: bookings,
        overallRate: sizes.bookingRate,
        requests: [
          {
            method: 'POST',
            path: `${API}/appointments`,
            setupRequest: (req) => {
              const c = citizens[nextCitizen++ % citizens.length];
              const day = catalogue.days[pickDay()];
              const slotId = day.slotIds[Math.floor(Math.random() * day.slotIds.length)];
              return {
                ...req,
                headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` },
                body: JSON.stringify({ registrantId: c.registrantId, slotId, doseNumber: 1 }),
              };
            },
          },
        ],
      }),
    ]);
    const mixRss = sampler.stop();
    const mixAfter = await serviceCounters(service.url);

    // 3. Every cached center-day equals the database.
    const { rows: seats } = await db.pool.query<{ id: string; left: number }>(
      `SELECT id, capacity_dose1 - booked_dose1 AS left FROM registration.slots`,
    );
    const left = new Map(seats.map((s) => [s.id, s.left]));
    let stale = 0;
    for (let i = 0; i < catalogue.days.length; i++) {
      const view = expectStatus(await call<{ slots: { id: string; remaining: { dose1: number } }[] }>(service.url, 'GET', dayPath(i).slice(API.length)), 200, 'availability');
      stale += view.slots.filter((s) => left.get(s.id) !== s.remaining.dose1).length;
    }
    const { rows: appointments } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM registration.appointments`);

    // 4. Live seats: watchers on one center-day while bookings land on it.
    progress(`live seats: opening ${sizes.watchers} streams, registering ${sizes.streamBookings} people`);
    const { citizens: streamCitizens } = await registerCitizens(service.url, { count: sizes.streamBookings, connections: 16 });
    const watchers = await openWatchers(sizes.watchers);
    await new Promise((r) => setTimeout(r, 1_000));
    const initial = watchers.filter((w) => w.events.length === 1).length;
    progress(`live seats: ${sizes.streamBookings} bookings at ${sizes.streamBookingRate}/s`);
    sampler = sampleRss(service.pid);
    const made: { sentAt: number; version: number; status: number }[] = [];
    await Promise.all(
      streamCitizens.map(async (c, i) => {
        await new Promise((r) => setTimeout(r, (i * 1_000) / sizes.streamBookingRate));
        const slotId = streamDay.slotIds[i % streamDay.slotIds.length];
        const sentAt = performance.now();
        const res = await fetch(`${service?.url}${API}/appointments`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` },
          body: JSON.stringify({ registrantId: c.registrantId, slotId, doseNumber: 1 }),
        });
        await res.arrayBuffer();
        made.push({ sentAt, version: Number(res.headers.get('availability-version')), status: res.status });
      }),
    );
    const { rows: finalRows } = await db.pool.query<{ version: string }>(
      `SELECT version FROM registration.center_day_versions WHERE center_id = $1 AND local_date = $2`,
      [streamDay.centerId, streamDay.date],
    );
    const finalVersion = Number(finalRows[0]?.version ?? 0);
    const caughtUp = () => watchers.every((w) => w.events.at(-1)?.version === finalVersion);
    for (let waited = 0; !caughtUp() && waited < 10_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    const streamRss = sampler.stop();
    const delays: number[] = [];
    let missed = 0;
    for (const booking of made.filter((b) => b.status === 201))
      for (const w of watchers) {
        const event = w.events.find((e) => e.version >= booking.version);
        if (event) delays.push(event.at - booking.sentAt);
        else missed++;
      }
    delays.sort((x, y) => x - y);
    const inOrder = watchers.every((w) => w.events.every((e, i) => i === 0 || e.version > (w.events[i - 1] as { version: number }).version));
    const dbSeats = new Map(
      (await db.pool.query<{ id: string; left: number }>(`SELECT id, capacity_dose1 - booked_dose1 AS left FROM registration.slots WHERE center_id = $1 AND local_date = $2`, [streamDay.centerId, streamDay.date])).rows.map((r) => [r.id, r.left]),
    );
    const lastSeen = JSON.parse(watchers[0]?.events.at(-1)?.body ?? '{"slots":[]}') as { slots: { id: string; remaining: { dose1: number } }[] };
    const lastMatches = lastSeen.slots.length === dbSeats.size && lastSeen.slots.every((s) => dbSeats.get(s.id) === s.remaining.dose1);
    const eventsPerWatcher = watchers.reduce((n, w) => n + w.events.length, 0) / Math.max(1, watchers.length);
    for (const w of watchers) w.request.destroy();
    const streamP99 = percentile(delays, 99);

    /** Per request: the counters count Redis lookups (concurrent requests for a key share one); each miss is one load. */
    const usage = (a: ServiceCounters, b: ServiceCounters, cache: string, routeEnd: string) => {
      const route = Object.keys(b.requests).find((r) => r.endsWith(routeEnd)) ?? routeEnd;
      const requests = (b.requests[route] ?? 0) - (a.requests[route] ?? 0);
      const lookups = (b.caches[cache]?.hits ?? 0) + (b.caches[cache]?.misses ?? 0) - (a.caches[cache]?.hits ?? 0) - (a.caches[cache]?.misses ?? 0);
      const misses = (b.caches[cache]?.misses ?? 0) - (a.caches[cache]?.misses ?? 0);
      return { requests, lookups, misses, hitRatio: 1 - misses / requests };
    };
    const AVAILABILITY_ROUTE = '/centers/:centerId/availability';
    const CENTERS_ROUTE = `${API}/centers`;
    const warmAvail = usage(before, afterWarm, 'availability', AVAILABILITY_ROUTE);
    const mixAvail = usage(mixBefore, mixAfter, 'availability', AVAILABILITY_ROUTE);
    const mixCenters = usage(mixBefore, mixAfter, 'centers', CENTERS_ROUTE);
    const mixAll = {
      requests: mixAvail.requests + mixCenters.requests,
      lookups: mixAvail.lookups + mixCenters.lookups,
      misses: mixAvail.misses + mixCenters.misses,
      hitRatio: 1 - (mixAvail.misses + mixCenters.misses) / (mixAvail.requests + mixCenters.requests),
    };

    const facts = [
      { fact: `warm reads: every answer 200 (${statusSummary(warm)}, errors ${warm.errors}); bare server ${statusSummary(baseline)}, errors ${baseline.errors}; express ${statusSummary(framework)}, errors ${framework.errors}`, ok: countOf(warm, 200) === warm.responses && warm.errors === 0 && baseline.errors === 0 && countOf(framework, 200) === framework.responses && framework.errors === 0 },
      {
        fact: `warm reads came from the cache (${int(warmAvail.requests)} requests, ${int(warmAvail.lookups)} Redis lookups, ${int(warmAvail.misses)} misses)`,
        ok: warmAvail.misses <= 1 && warmAvail.requests >= warm.responses,
      },
      { fact: `read mix: every read 200 (${statusSummary(reads)}, errors ${reads.errors}); bookings ${statusSummary(booked)}, errors ${booked.errors}`, ok: countOf(reads, 200) === reads.responses && reads.errors === 0 && countOf(booked, 201) === bookings },
      { fact: `one appointment per 201 (${int(appointments[0].n)} rows)`, ok: appointments[0].n === countOf(booked, 201) },
      { fact: `after the mix, every cached center-day equals the database (${stale} stale slots of ${int(catalogue.slots.length)})`, ok: stale === 0 },
      ...(quick ? [] : [{ fact: `hit ratio of the read mix over the ${pct(HIT_RATIO_GOAL)} goal (${pct(mixAll.hitRatio)})`, ok: mixAll.hitRatio > HIT_RATIO_GOAL }]),
      { fact: `live seats: every watcher got the day at once (${int(initial)} of ${int(sizes.watchers)})`, ok: initial === sizes.watchers },
      { fact: `live seats: every booking 201 with its version (${int(made.filter((b) => b.status === 201 && b.version > 0).length)} of ${int(sizes.streamBookings)})`, ok: made.every((b) => b.status === 201 && b.version > 0) },
      { fact: `live seats: every watcher saw every booking (${int(delays.length)} deliveries, ${int(missed)} missing) and ended on the database's version (${finalVersion})`, ok: missed === 0 && caughtUp() },
      { fact: 'live seats: versions only went up on every stream, and the last event equals the seats in the database', ok: inOrder && lastMatches },
      ...(quick ? [] : [{ fact: `live seats: p99 from a booking to every watcher's event within ${int(STREAM_P99_GOAL_MS)} ms (${ms(streamP99)} ms)`, ok: streamP99 <= STREAM_P99_GOAL_MS }]),
    ];
    const p = (r: LoadResult, q: number) => percentile(r.latencies, q);
    const bytes = Buffer.from(response.body, 'base64').length;
    const pgv = await postgresVersion(db.pool);
    const rssRow = (phase: string, s: RssStats) => [phase, mib(s.mean), mib(s.max), ratio(s.max, rest)];
    const markdown = [
      `${quick ? '**Quick run (smoke, not a measurement).** ' : ''}Machine: ${machineLine(pgv)}; autocannon, the servers, PostgreSQL and Redis share it.`,
      '',
      `**Warm cache.** \`GET ${API}/centers/{id}/availability?date=…\` for one center-day (${sizes.slotsPerDay} slots, ${int(bytes)}-byte body), ${sizes.connections} connections for ${sizes.seconds} s, against registration (\`ROLE=api\`, one process ${SERVICES_RUN}, \`NODE_ENV=production\`, log level info: a log line per request) against a bare \`node:http\` server in its own process answering the same status, headers and body bytes, and against a minimal express app (one route with the same path parameter, no middleware) answering the same bytes: express ÷ bare is what the framework costs, registration ÷ express what Jab adds on top of it. ${RAISED_LIMITS_NOTE}`,
      '',
      mdTable(
        ['metric', 'registration', 'minimal express', 'bare node:http', 'registration ÷ bare', 'express ÷ bare', 'registration ÷ express'],
        [
          ['reads/s', warm.rate, framework.rate, baseline.rate, int] as const,
          ['p50 latency, ms', p(warm, 50), p(framework, 50), p(baseline, 50), ms] as const,
          ['p99 latency, ms', p(warm, 99), p(framework, 99), p(baseline, 99), ms] as const,
          ['RSS under load (peak)', warmRss.max, expressRss, bareRss, mib] as const,
          ['server CPU per 1,000 reads, ms', (1e6 * warmCpu) / warm.responses, (1e6 * expressCpu) / framework.responses, (1e6 * bareCpu) / baseline.responses, ms] as const,
          ['reads per CPU-second of the server', warm.responses / warmCpu, framework.responses / expressCpu, baseline.responses / bareCpu, int] as const,
        ].map(([metric, jab, ex, bare, show]) => [metric, show(jab), show(ex), show(bare), ratio(jab, bare), ratio(ex, bare), ratio(jab, ex)]),
      ),
      '',
      'autocannon shares the two cores with the server it drives, so where the client saturates first the reads/s of the three servers converge; the server CPU per read (user + system time of the server process over the phase, from /proc) does not depend on the client, and reads per CPU-second is the ratio to hold against the goal.',
      '',
      `**Read mix.** ${sizes.seconds} s over ${catalogue.days.length} center-days (${sizes.centers} centers × ${sizes.days} days; popularity ∝ 1/rank), ${pct(CENTERS_LIST_SHARE)} of reads listing the region's centers, ${sizes.connections} connections; meanwhile ${sizes.bookingRate} bookings/s on the same center-days (each invalidates its center-day). Availability entries live 30 s, center lists 300 s.`,
      '',
      mdTable(
        ['cache', 'requests', 'Redis lookups', 'misses (loads)', 'hit ratio per request'],
        [
          ['availability', int(mixAvail.requests), int(mixAvail.lookups), int(mixAvail.misses), pct(mixAvail.hitRatio)],
          ['centers list', int(mixCenters.requests), int(mixCenters.lookups), int(mixCenters.misses), pct(mixCenters.hitRatio)],
          [`**all** (goal > ${pct(HIT_RATIO_GOAL)})`, int(mixAll.requests), int(mixAll.lookups), int(mixAll.misses), `**${pct(mixAll.hitRatio)}**`],
        ],
      ),
      '',
      'Concurrent requests for a key share one Redis lookup in the process, so `cache_hits_total` and `cache_misses_total` count lookups, not requests; each miss is one load from PostgreSQL. The hit ratio is 1 − loads ÷ requests (requests from `http_request_duration_seconds_count`): the share of requests answered without a database read.',
      '',
      `Reads during the mix: ${int(reads.rate)}/s (p50 ${ms(p(reads, 50))} ms, p99 ${ms(p(reads, 99))} ms); bookings: ${int(countOf(booked, 201))} (p50 ${ms(p(booked, 50))} ms).`,
      '',
      '**Memory (registration RSS)**',
      '',
      mdTable(['phase', 'RSS (mean)', 'RSS (peak)', 'peak ÷ at rest'], [['at rest (started, catalogue seeded)', mib(rest), mib(rest), '1.00×'], rssRow('warm reads', warmRss), rssRow('read mix', mixRss), rssRow(`live seats (${int(sizes.watchers)} streams, bookings landing)`, streamRss)]),
      '',
      `**Live seats.** ${int(sizes.watchers)} availability streams (Server-Sent Events, a bare HTTP client each, one socket each) on one center-day of ${sizes.slotsPerDay} slots while ${int(sizes.streamBookings)} bookings land on it at ${sizes.streamBookingRate}/s through the same task. Delay: from sending a booking (before its commit) to each watcher's first event with a version at least the one the booking made (its \`Availability-Version\`), so an upper bound of commit → event; one row per booking and watcher.`,
      '',
      mdTable(
        ['metric', 'value'],
        [
          ['deliveries measured (bookings × watchers)', int(delays.length)],
          ['p50 delay, ms', ms(percentile(delays, 50))],
          ['p99 delay, ms', ms(streamP99)],
          ['max delay, ms', ms(delays.at(-1) ?? NaN)],
          ['events per watcher (versions coalesce at most one read per 100 ms)', ms(eventsPerWatcher)],
          [`registration RSS at rest → with ${int(sizes.watchers)} idle streams open (measured before the other phases, mean of 5 samples each)`, `${mib(idleRss)} → ${mib(watchedRss)}`],
          ['memory per 1,000 watchers', mib(((watchedRss - idleRss) / sizes.watchers) * 1_000)],
        ],
      ),
      '',
      factList(facts),
    ].join('\n');
    return { title, markdown, ok: facts.every((f) => f.ok) };
  } catch (error) {
    if (service) console.error(`registration's last log lines:\n${service.logTail(5).join('\n')}`);
    throw error;
  } finally {
    await bare?.stop();
    await service?.stop();
    await db.drop();
    await cleanRedisPrefix(prefix);
  }
}

if (isMain(import.meta.url)) await runStandalone(run);
