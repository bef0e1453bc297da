/**
 * Booking writes (issue #9 a, with registration's memory for c): bookings per second and
 * p50/p99 latency of `POST /appointments` at 64 and 256 concurrent clients, each next to
 * pgbench running the booking's core transaction (conditional seat UPDATE + appointment
 * INSERT, as in booking.repo.ts) on the same tables with the same number of clients.
 *   node --conditions=@jab/source --import tsx tools/bench/src/booking-bench.ts [--quick]
 *
 * Every booking is by a different person (one active booking per person and dose), each
 * registered through the public API beforehand; slots have room for every booking, so
 * the timed phase measures the success path only. Both sides run a fixed number of
 * transactions sized from a short calibration run, so every request is answered and
 * counted.
 */
import {
  API,
  BENCH_REGION,
  countOf,
  createBenchDatabase,
  factList,
  freeConnections,
  int,
  isMain,
  machineLine,
  mdTable,
  mib,
  ms,
  percentile,
  postgresCpuSeconds,
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
  runPgbench,
  runStandalone,
  sampleRss,
  seedCatalogue,
  statusSummary,
  cleanRedisPrefix,
  startRegistration,
  type BenchDatabase,
  type BenchOptions,
  type BenchReport,
  type Citizen,
  type LoadResult,
  type PgbenchResult,
  type RssStats,
  type ServiceProcess,
  SERVICES_RUN,
} from './stack.js';

const LEVELS = [64, 256];
const SLOTS = 32;
const CAPACITY = 10_000;

interface Sizes {
  /** Seconds each timed phase should last (the transaction count is sized for it). */
  seconds: number;
  /** Bookings per client in the calibration (warm-up) run. */
  warmupPerClient: number;
  /** Fewest bookings per client in the timed run. */
  minPerClient: number;
  /** Most bookings in one timed run (every one needs a person registered first). */
  maxBookings: number;
}

const FULL: Sizes = { seconds: 20, warmupPerClient: 3, minPerClient: 10, maxBookings: 20_000 };
const QUICK: Sizes = { seconds: 2, warmupPerClient: 1, minPerClient: 1, maxBookings: 512 };

/** Books one slot (random among `slotIds`) for each citizen, `clients` at a time. */
function book(baseUrl: string, citizens: Citizen[], slotIds: string[], clients: number): Promise<LoadResult> {
  let next = 0;
  return runLoad({
    url: baseUrl,
    connections: Math.min(clients, citizens.length),
    amount: citizens.length,
    requests: [
      {
        method: 'POST',
        path: `${API}/appointments`,
        setupRequest: (req) => {
          const c = citizens[next++ % citizens.length];
          const slotId = slotIds[Math.floor(Math.random() * slotIds.length)];
          return {
            ...req,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` },
            body: JSON.stringify({ registrantId: c.registrantId, slotId, doseNumber: 1 }),
          };
        },
      },
    ],
  });
}

/**
 * The booking's two writes as one pgbench transaction on registration's own tables:
 * the conditional UPDATE that takes a seat (re-checking capacity under the row lock),
 * then, only if it took one, the appointment INSERT (a fresh code, `ON CONFLICT (code)
 * DO NOTHING` as the service retries). Each transaction books a different pre-created
 * person (sequence `bench_people`) on a random slot. With `outboxPayload`, the
 * transaction also writes the service's `appointment.booked` outbox row and wakes the
 * relay with `pg_notify`, as `appendEvent` does.
 */
function pgbenchScript(o: { slotIds: string[]; centerId: string; vaccineId: string; outboxPayload?: string }): string {
  const slots = `(ARRAY[${o.slotIds.map((s) => `'${s}'`).join(',')}]::uuid[])[:s]`;
  const outbox = o.outboxPayload
    ? `INSERT INTO registration.outbox (id, type, payload, occurred_at)
  VALUES (gen_random_uuid(), 'appointment.booked', '${o.outboxPayload.replace(/'/g, "''")}'::jsonb, now());
SELECT pg_notify('registration_outbox', '');
`
    : '';
  return `\\set s random(1, ${o.slotIds.length})
BEGIN;
WITH seat AS (
  UPDATE registration.slots SET booked_dose1 = booked_dose1 + 1, updated_at = now()
   WHERE id = ${slots} AND booked_dose1 < capacity_dose1 RETURNING id)
SELECT count(*) AS took FROM seat \\gset
\\if :took
INSERT INTO registration.appointments (id, code, registrant_id, slot_id, center_id, vaccine_id, dose_number, seat, walk_in,
    status, booked_by, booked_at, checked_in_at, checked_in_by)
  VALUES (gen_random_uuid(),
    (SELECT string_agg(substr('23456789ABCDEFGHJKMNPQRSTUVWXYZ', 1 + floor(random() * 31)::int, 1), '') FROM generate_series(1, 8)),
    md5('pgbench-person-' || nextval('public.bench_people'))::uuid, ${slots}, '${o.centerId}', '${o.vaccineId}', 1, 'dose1', false,
    'booked', '0190a000-0000-7000-8000-00000000be0c', now(), NULL, NULL)
  ON CONFLICT (code) DO NOTHING;
${outbox}\\endif
END;
`;
}

/** People for pgbench: `count` more households of one, ids derived from the sequence numbers the script draws. */
async function addPgbenchPeople(db: BenchDatabase, from: number, count: number): Promise<void> {
  await db.pool.query(
    `INSERT INTO registration.accounts (id, contact_channel, contact_address)
     SELECT md5('pgbench-account-' || n)::uuid, 'email', 'pgbench-' || n || '@example.org' FROM generate_series($1::bigint, $2::bigint) n`,
    [from, from + count - 1],
  );
  await db.pool.query(
    `INSERT INTO registration.registrants (id, account_id, full_name, birth_date, region, preferred_language)
     SELECT md5('pgbench-person-' || n)::uuid, md5('pgbench-account-' || n)::uuid, 'Pgbench Person ' || n, DATE '1980-05-05', $3, 'en'
       FROM generate_series($1::bigint, $2::bigint) n`,
    [from, from + count - 1, BENCH_REGION],
  );
}

interface LevelResult {
  clients: number;
  registrationRate: number;
  service: LoadResult;
  /** PostgreSQL's CPU per booking during the timed phase, ms. */
  dbCpuMs: number;
  serviceRss: RssStats;
  pgbenchClients: number;
  /** The two writes alone. */
  writes: PgbenchResult & { dbCpuMs: number };
  /** The two writes, the outbox row and `pg_notify`. */
  withOutbox: PgbenchResult & { dbCpuMs: number };
  facts: { fact: string; ok: boolean }[];
}

export async function run({ quick }: BenchOptions): Promise<BenchReport> {
  const sizes = quick ? QUICK : FULL;
  const title = 'Booking writes — registration vs pgbench';
  const db = await createBenchDatabase();
  const prefix = redisPrefix();
  let service: ServiceProcess | undefined;
  try {
    const keys = await registrationKeys();
    progress(`${title}: starting registration on ${db.name}`);
    service = await startRegistration({ databaseUrl: db.url, redisPrefix: prefix, keys, role: 'api', env: RAISED_LIMITS });
    // Center 1's slots take the service's bookings, center 2's pgbench's: same shape, no interference.
    const catalogue = await seedCatalogue(service.url, keys.signer, { centers: 2, days: 1, slotsPerDay: SLOTS, capacity: CAPACITY });
    const [serviceDay, pgbenchDay] = catalogue.days as [(typeof catalogue.days)[0], (typeof catalogue.days)[0]];
    await db.pool.query(`CREATE SEQUENCE public.bench_people`);
    const rest = rssOf(service.pid) ?? NaN;
    let people = 0;
    /** A calibration run of `script`, then a run sized to last about `sizes.seconds`. */
    const pgbench = async (script: string, clients: number) => {
      const once = async (perClient: number) => {
        await addPgbenchPeople(db, people + 1, clients * perClient);
        people += clients * perClient;
        const cpu = postgresCpuSeconds();
        const result = await runPgbench({ databaseUrl: db.url, script, clients, threads: 2, transactions: perClient });
        return { perClient, result, dbCpuMs: ((postgresCpuSeconds() - cpu) * 1000) / result.transactions };
      };
      const calibration = await once(Math.max(2, sizes.warmupPerClient * 4));
      const timed = await once(Math.max(sizes.minPerClient, Math.ceil((calibration.result.tps * sizes.seconds) / clients)));
      return { ...timed.result, expected: clients * timed.perClient, dbCpuMs: timed.dbCpuMs };
    };
    const pgbenchFact = (clients: number, what: string, r: PgbenchResult & { expected: number }) => ({
      fact: `${clients} clients: pgbench (${what}) processed every transaction (${int(r.transactions)} of ${int(r.expected)}, ${r.failed} failed)`,
      ok: r.transactions === r.expected && r.failed === 0,
    });

    const levels: LevelResult[] = [];
    let bookedBefore = 0;
    let writesScript: string | undefined;
    let outboxScript: string | undefined;
    for (const clients of LEVELS) {
      progress(`${clients} clients: warm-up`);
      const warm = await registerCitizens(service.url, { count: clients * sizes.warmupPerClient, connections: clients });
      const warmup = await book(service.url, warm.citizens, serviceDay.slotIds, clients);
      // The full run books maxBookings people per level (10-20 s at today's rates): sized from the warm-up's rate,
      // which runs cold (a few hundred bookings, the JIT and the pool still warming), timed phases lasted 3 s.
      const bookings = quick
        ? Math.min(sizes.maxBookings, Math.max(clients * sizes.minPerClient, Math.round(warmup.rate * sizes.seconds)))
        : sizes.maxBookings;
      progress(`${clients} clients: registering ${bookings} people (warm-up: ${int(warmup.rate)} bookings/s)`);
      const { citizens, load: registration } = await registerCitizens(service.url, { count: bookings, connections: clients });
      progress(`${clients} clients: ${bookings} bookings`);
      const sampler = sampleRss(service.pid);
      const cpu = postgresCpuSeconds();
      const timed = await book(service.url, citizens, serviceDay.slotIds, clients);
      const dbCpuMs = ((postgresCpuSeconds() - cpu) * 1000) / Math.max(1, timed.responses);
      const serviceRss = sampler.stop();

      const { rows } = await db.pool.query<{ appointments: number; seats: number; over: number; payload: string }>(
        `SELECT (SELECT count(*)::int FROM registration.appointments WHERE slot_id = ANY($1::uuid[])) AS appointments,
                (SELECT sum(booked_dose1)::int FROM registration.slots WHERE id = ANY($1::uuid[])) AS seats,
                (SELECT count(*)::int FROM registration.slots WHERE id = ANY($1::uuid[]) AND booked_dose1 > capacity_dose1) AS over,
                (SELECT payload::text FROM registration.outbox WHERE type = 'appointment.booked' ORDER BY seq DESC LIMIT 1) AS payload`,
        [serviceDay.slotIds],
      );
      const found = rows[0];
      const booked = countOf(warmup, 201) + countOf(timed, 201);
      const errors = timed.errors + warmup.errors;
      const facts = [
        {
          fact: `${clients} clients: every booking answered 201 (${statusSummary(timed)}; warm-up ${statusSummary(warmup)}; errors ${errors})`,
          ok: booked === warm.citizens.length + citizens.length && errors === 0,
        },
        {
          fact: `${clients} clients: one appointment row per 201 (${int(found.appointments - bookedBefore)} rows for ${int(booked)} answers)`,
          ok: found.appointments - bookedBefore === booked,
        },
        {
          fact: `${clients} clients: seats taken equal appointments (${int(found.seats)} / ${int(found.appointments)}), no slot over capacity`,
          ok: found.seats === found.appointments && found.over === 0,
        },
      ];
      bookedBefore = found.appointments;

      // The outbox row pgbench writes is the service's own last `appointment.booked` payload.
      writesScript ??= pgbenchScript({ slotIds: pgbenchDay.slotIds, centerId: pgbenchDay.centerId, vaccineId: catalogue.vaccineId });
      outboxScript ??= pgbenchScript({ slotIds: pgbenchDay.slotIds, centerId: pgbenchDay.centerId, vaccineId: catalogue.vaccineId, outboxPayload: found.payload });
      const pgbenchClients = Math.min(clients, await freeConnections(db.pool));
      progress(`${clients} clients: pgbench with ${pgbenchClients} clients`);
      const writes = await pgbench(writesScript, pgbenchClients);
      const withOutbox = await pgbench(outboxScript, pgbenchClients);
      facts.push(pgbenchFact(clients, 'two writes', writes), pgbenchFact(clients, 'with outbox', withOutbox));
      levels.push({ clients, registrationRate: registration.rate, service: timed, dbCpuMs, serviceRss, pgbenchClients, writes, withOutbox, facts });
    }

    const pgv = await postgresVersion(db.pool);
    const p = (xs: number[], q: number) => percentile(xs, q);
    const rows = levels.flatMap((l) => {
      const who = l.pgbenchClients === l.clients ? `${l.clients}` : `${l.clients} (pgbench ${l.pgbenchClients})`;
      const line = (metric: string, service: number, writes: number, outbox: number, show: (n: number) => string) => [
        metric,
        who,
        show(service),
        show(writes),
        ratio(service, writes),
        show(outbox),
        ratio(service, outbox),
      ];
      return [
        line('writes/s', l.service.rate, l.writes.tps, l.withOutbox.tps, int),
        line('p50 latency, ms', p(l.service.latencies, 50), p(l.writes.latencies, 50), p(l.withOutbox.latencies, 50), ms),
        line('p99 latency, ms', p(l.service.latencies, 99), p(l.writes.latencies, 99), p(l.withOutbox.latencies, 99), ms),
        line('PostgreSQL CPU per booking, ms', l.dbCpuMs, l.writes.dbCpuMs, l.withOutbox.dbCpuMs, (n) => n.toFixed(3)),
      ];
    });
    const capped = levels.some((l) => l.pgbenchClients < l.clients);
    const markdown = [
      `${quick ? '**Quick run (smoke, not a measurement).** ' : ''}Machine: ${machineLine(pgv)}; the load generators (autocannon, pgbench), the service, PostgreSQL and Redis share it.`,
      '',
      `\`POST ${API}/appointments\` against registration (\`ROLE=api\`, one process ${SERVICES_RUN}, \`NODE_ENV=production\`, log level info, its pool of 10 PostgreSQL connections), each booking by a different person registered through \`POST ${API}/registrants\` just before (at ${levels.map((l) => `${int(l.registrationRate)}/s`).join(' and ')}), on ${SLOTS} slots of ${int(CAPACITY)} seats. Baseline: pgbench (\`-M prepared -j 2\`, one connection per client) running the booking's two writes (the conditional seat UPDATE, then the appointment INSERT) on the same tables, ${SLOTS} other slots of the same size; and the same with the service's outbox row and its \`pg_notify\` added. The service also reads the person, the slot and the campaign, checks the token, invalidates the cached availability and writes JSON: the ratios (registration ÷ baseline; under 1× for throughput and over 1× for latency mean registration is slower) are the cost of all of that. PostgreSQL CPU per booking is the CPU time of every PostgreSQL process over the timed phase divided by its bookings (under 1× means registration costs the database less per booking than pgbench's one transaction each: it is what sizes the database).${capped ? " pgbench clients are capped by PostgreSQL's `max_connections` less the connections in use." : ''} ${RAISED_LIMITS_NOTE}`,
      '',
      mdTable(['metric', 'clients', 'registration', 'pgbench: 2 writes', 'reg ÷ 2 writes', 'pgbench: + outbox, NOTIFY', 'reg ÷ + outbox'], rows),
      '',
      `Timed bookings: ${levels.map((l) => `${int(l.service.responses)} at ${l.clients} clients (${l.service.seconds.toFixed(1)} s)`).join(', ')}; pgbench transactions: ${levels.map((l) => `${int(l.writes.transactions)} and ${int(l.withOutbox.transactions)}`).join('; ')}.`,
      '',
      '**Memory (registration RSS)**',
      '',
      mdTable(
        ['phase', 'RSS (mean)', 'RSS (peak)', 'peak ÷ at rest'],
        [
          ['at rest (started, catalogue seeded)', mib(rest), mib(rest), '1.00×'],
          ...levels.map((l) => [`booking at ${l.clients} clients`, mib(l.serviceRss.mean), mib(l.serviceRss.max), ratio(l.serviceRss.max, rest)]),
        ],
      ),
      '',
      factList(levels.flatMap((l) => l.facts)),
    ].join('\n');
    return { title, markdown, ok: levels.every((l) => l.facts.every((f) => f.ok)) };
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
