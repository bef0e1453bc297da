/**
 * Campaign launch (issue #9 d, with registration's memory for c): the moment a campaign
 * opens, everyone at once. Three floods run together against registration (`ROLE=all`:
 * the outbox relay runs beside the API, as in a single-task deployment):
 *   - availability reads of the one center-day that has the few slots,
 *   - one-time-code requests (people signing in, a new address each),
 *   - bookings by three times as many people as there are seats, spread evenly over
 *     the slots (registered through the API beforehand).
 *   node --conditions=@jab/source --import tsx tools/bench/src/launch-scenario.ts [--quick]
 *
 * Then PostgreSQL is asked: exactly the capacity was booked, no slot is over capacity,
 * every 201 is one appointment row (and every row a 201), every refusal was a 409, every
 * accepted code request left its code and its event, and the relay published every event.
 */
import {
  API,
  call,
  cleanRedisPrefix,
  countOf,
  createBenchDatabase,
  factList,
  hex,
  int,
  isMain,
  machineLine,
  mdTable,
  mib,
  ms,
  pct,
  percentile,
  postgresVersion,
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
  sleep,
  startRegistration,
  statusSummary,
  type BenchOptions,
  type BenchReport,
  type LoadResult,
  type ServiceProcess,
  SERVICES_RUN,
} from './stack.js';

interface Sizes {
  slots: number;
  capacity: number;
  /** People per seat trying to book. */
  crowd: number;
  codeRequests: number;
  readConnections: number;
  codeConnections: number;
  bookingConnections: number;
}

const FULL: Sizes = { slots: 4, capacity: 500, crowd: 3, codeRequests: 4_000, readConnections: 64, codeConnections: 16, bookingConnections: 64 };
const QUICK: Sizes = { slots: 2, capacity: 40, crowd: 3, codeRequests: 200, readConnections: 64, codeConnections: 16, bookingConnections: 64 };

/** Fisher–Yates, so the evenly spread attempts arrive in no particular order. */
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

export async function run({ quick }: BenchOptions): Promise<BenchReport> {
  const sizes = quick ? QUICK : FULL;
  const title = 'Campaign launch — reads, one-time codes and bookings at once';
  const db = await createBenchDatabase();
  const prefix = redisPrefix();
  let service: ServiceProcess | undefined;
  try {
    const keys = await registrationKeys();
    progress(`${title}: starting registration (ROLE=all) on ${db.name}`);
    service = await startRegistration({ databaseUrl: db.url, redisPrefix: prefix, keys, role: 'all', env: RAISED_LIMITS });
    const catalogue = await seedCatalogue(service.url, keys.signer, { centers: 1, days: 1, slotsPerDay: sizes.slots, capacity: sizes.capacity });
    const day = catalogue.days[0];
    const capacity = sizes.slots * sizes.capacity;
    const people = capacity * sizes.crowd;
    progress(`registering ${people} people for ${capacity} seats`);
    const { citizens } = await registerCitizens(service.url, { count: people, connections: 32 });
    // Each slot is tried by exactly `crowd` times its seats: every slot must end full.
    const attempts = shuffle(citizens.map((c, i) => ({ ...c, slotId: day.slotIds[i % day.slotIds.length] })));
    const availabilityPath = `${API}/centers/${day.centerId}/availability?date=${day.date}`;
    const tag = hex(4);
    const bookedIds: string[] = [];
    let nextAttempt = 0;
    let nextCode = 0;
    const rest = rssOf(service.pid) ?? NaN;
    const before = await serviceCounters(service.url);

    progress(`launch: ${people} bookings, ${sizes.codeRequests} code requests and availability reads at once`);
    const sampler = sampleRss(service.pid);
    const started = performance.now();
    const bookings = runLoad({
      url: service.url,
      connections: sizes.bookingConnections,
      amount: attempts.length,
      requests: [
        {
          method: 'POST',
          path: `${API}/appointments`,
          setupRequest: (req) => {
            const a = attempts[nextAttempt++];
            return {
              ...req,
              headers: { 'content-type': 'application/json', authorization: `Bearer ${a.token}` },
              body: JSON.stringify({ registrantId: a.registrantId, slotId: a.slotId, doseNumber: 1 }),
            };
          },
          onResponse: (status, body) => {
            if (status === 201) bookedIds.push((JSON.parse(body) as { id: string }).id);
          },
        },
      ],
    });
    const codes = runLoad({
      url: service.url,
      connections: sizes.codeConnections,
      amount: sizes.codeRequests,
      requests: [
        {
          method: 'POST',
          path: `${API}/otp-requests`,
          headers: { 'content-type': 'application/json' },
          setupRequest: (req) => ({ ...req, body: JSON.stringify({ contact: { channel: 'email', address: `launch-${tag}-${nextCode++}@example.org` } }) }),
        },
      ],
    });
    const writesDone = Promise.all([bookings, codes]);
    // Reads go on for as long as people are still booking and signing in.
    const reads = runLoad({ url: service.url, connections: sizes.readConnections, duration: 600, until: writesDone, requests: [{ method: 'GET', path: availabilityPath }] });
    const [booked, coded, read] = await Promise.all([bookings, codes, reads]);
    const floodSeconds = (performance.now() - started) / 1000;
    const rss = sampler.stop();
    const after = await serviceCounters(service.url);

    // The relay publishes what the flood wrote; give it a moment to finish.
    const drainStart = performance.now();
    let unpublished = Infinity;
    while (performance.now() - drainStart < 60_000) {
      const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM registration.outbox WHERE published_at IS NULL`);
      unpublished = rows[0].n;
      if (unpublished === 0) break;
      await sleep(250);
    }
    const drainSeconds = (performance.now() - drainStart) / 1000;

    const { rows: slots } = await db.pool.query<{ id: string; booked: number; capacity: number }>(
      `SELECT id, booked_dose1 AS booked, capacity_dose1 AS capacity FROM registration.slots WHERE id = ANY($1::uuid[])`,
      [day.slotIds],
    );
    const { rows: appointments } = await db.pool.query<{ id: string }>(
      `SELECT id FROM registration.appointments WHERE slot_id = ANY($1::uuid[]) AND status = 'booked'`,
      [day.slotIds],
    );
    const { rows: counts } = await db.pool.query<{ booked: number; otp: number; codes: number }>(
      `SELECT (SELECT count(*)::int FROM registration.outbox WHERE type = 'appointment.booked') AS booked,
              (SELECT count(*)::int FROM registration.outbox WHERE type = 'otp.requested') AS otp,
              (SELECT count(*)::int FROM registration.otp_codes) AS codes`,
    );
    // What people see now: the cached availability must show every slot full.
    const shown = await call<{ slots: { id: string; remaining: { dose1: number } }[] }>(service.url, 'GET', availabilityPath.slice(API.length));
    const staleSlots = shown.body.slots.filter((s) => s.remaining.dose1 !== 0).length;
    const seats = slots.reduce((n, s) => n + s.booked, 0);
    const rowIds = new Set(appointments.map((a) => a.id));
    const answered = new Set(bookedIds);
    const ok201 = countOf(booked, 201);
    const facts = [
      { fact: `exactly the capacity was booked: ${int(seats)} seats taken of ${int(capacity)}, every slot full (${slots.map((s) => `${s.booked}/${s.capacity}`).join(', ')})`, ok: seats === capacity && slots.every((s) => s.booked === s.capacity) },
      { fact: `no slot over capacity`, ok: slots.every((s) => s.booked <= s.capacity) },
      { fact: `${int(ok201)} bookings answered 201, each one appointment row and each row one 201 (${int(appointments.length)} rows)`, ok: ok201 === capacity && answered.size === ok201 && rowIds.size === ok201 && [...answered].every((id) => rowIds.has(id)) },
      { fact: `every other booking refused with 409 (${statusSummary(booked)}; errors ${booked.errors}, timeouts ${booked.timeouts})`, ok: countOf(booked, 409) === people - capacity && booked.errors === 0 },
      { fact: `every code request accepted, each with its code and its otp.requested event (${statusSummary(coded)}; ${int(counts[0].codes)} codes, ${int(counts[0].otp)} events; errors ${coded.errors})`, ok: countOf(coded, 202) === sizes.codeRequests && counts[0].codes === sizes.codeRequests && counts[0].otp === sizes.codeRequests && coded.errors === 0 },
      { fact: `availability read after the launch shows every slot full (${staleSlots} slots still showing seats)`, ok: shown.status === 200 && staleSlots === 0 },
      { fact: `every availability read answered 200 (${statusSummary(read)}; errors ${read.errors})`, ok: countOf(read, 200) === read.responses && read.errors === 0 },
      { fact: `one appointment.booked event per booking (${int(counts[0].booked)})`, ok: counts[0].booked === capacity },
      { fact: `the outbox relay published every event (${unpublished === 0 ? `${drainSeconds.toFixed(1)} s after the flood` : `${int(unpublished)} left after 60 s`})`, ok: unpublished === 0 },
    ];

    const availabilityRoute = Object.keys(after.requests).find((r) => r.endsWith('/centers/:centerId/availability')) ?? '';
    const readRequests = (after.requests[availabilityRoute] ?? 0) - (before.requests[availabilityRoute] ?? 0);
    const loads = (after.caches['availability']?.misses ?? 0) - (before.caches['availability']?.misses ?? 0);
    const p = (r: LoadResult, q: number) => percentile(r.latencies, q);
    const stream = (name: string, r: LoadResult, connections: number) => [
      name,
      connections,
      int(r.responses),
      int(r.rate),
      ms(p(r, 50)),
      ms(p(r, 99)),
      statusSummary(r),
      int(r.errors),
    ];
    const pgv = await postgresVersion(db.pool);
    const markdown = [
      `${quick ? '**Quick run (smoke, not a measurement).** ' : ''}Machine: ${machineLine(pgv)}; autocannon, registration, PostgreSQL and Redis share it.`,
      '',
      `Registration runs as one process with \`ROLE=all\` (API and outbox relay; ${SERVICES_RUN}, \`NODE_ENV=production\`, log level info). One center-day with ${sizes.slots} slots of ${int(sizes.capacity)} seats (${int(capacity)} in all); ${int(people)} people (${sizes.crowd} per seat) registered through the API beforehand each try once, spread evenly over the slots, while ${int(sizes.codeRequests)} one-time codes are requested (a new address each) and the center-day's availability is read until the last booking and code request are answered. ${RAISED_LIMITS_NOTE}`,
      '',
      mdTable(['stream', 'connections', 'answers', 'per second', 'p50 ms', 'p99 ms', 'statuses', 'errors'], [
        stream('bookings `POST /appointments`', booked, sizes.bookingConnections),
        stream('one-time codes `POST /otp-requests`', coded, sizes.codeConnections),
        stream('availability reads', read, sizes.readConnections),
      ]),
      '',
      `All streams: ${int(booked.responses + coded.responses + read.responses)} answers in ${floodSeconds.toFixed(1)} s (${int((booked.responses + coded.responses + read.responses) / floodSeconds)}/s). Availability during the launch: ${int(readRequests)} requests, ${int(loads)} loads from PostgreSQL (every booking invalidates the center-day): hit ratio ${pct(1 - loads / readRequests)}. Registration RSS: ${mib(rest)} at rest, ${mib(rss.mean)} mean and ${mib(rss.max)} peak during the launch (${ratio(rss.max, rest)}).`,
      '',
      factList(facts),
    ].join('\n');
    return { title, markdown, ok: facts.every((f) => f.ok) };
  } catch (error) {
    if (service) console.error(`registration's last log lines:\n${service.logTail(5).join('\n')}`);
    throw error;
  } finally {
    await service?.stop();
    await db.drop();
    await cleanRedisPrefix(prefix);
  }
}

if (isMain(import.meta.url)) await runStandalone(run);
