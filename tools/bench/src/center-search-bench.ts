/**
 * Public center search with availability (never part of a test suite):
 *   node --conditions=@jab/source --import tsx tools/bench/src/center-search-bench.ts [--quick]
 *
 * Registration (api + outbox relay) and search (api + worker) as child processes; centers
 * created through registration's admin API reach search through `center.saved` events.
 * Then `GET /api/search/v1/centers?region=…&date=…` under autocannon: each answer is one
 * search plus one batch availability read of the page's centers from registration's cache.
 * Baseline, same run: the same search without `date` (no availability reads), so the ratio
 * is what the availability costs a citizen's search.
 */
import {
  API,
  BENCH_REGION,
  cleanRedisPrefix,
  countOf,
  createBenchDatabase,
  factList,
  int,
  isMain,
  machineLine,
  mdTable,
  mib,
  ms,
  percentile,
  postgresVersion,
  progress,
  ratio,
  redisPrefix,
  registrationKeys,
  rssOf,
  runLoad,
  runStandalone,
  sampleRss,
  seedCatalogue,
  sleep,
  startRegistration,
  startService,
  statusSummary,
  type BenchOptions,
  type BenchReport,
  type LoadResult,
  type ServiceProcess,
} from './stack.js';

const SEARCH = '/api/search/v1/centers';

/** A GET to the search service (stack's `call` speaks registration's API). */
async function get<T>(url: string): Promise<{ status: number; body: T; text: string }> {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, body: (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined) as T, text };
}

interface Page {
  items: { id: string; availability?: { freeSeats: number } | null }[];
}

export async function run({ quick }: BenchOptions): Promise<BenchReport> {
  const centers = quick ? 10 : 20;
  const seconds = quick ? 3 : 15;
  const connections = 32;
  const db = await createBenchDatabase();
  const prefix = redisPrefix();
  const keys = await registrationKeys();
  const services: ServiceProcess[] = [];
  try {
    const pgVersion = await postgresVersion(db.pool);
    const registration = await startRegistration({ databaseUrl: db.url, redisPrefix: prefix, keys, role: 'all' });
    services.push(registration);
    const search = await startService('search', {
      databaseUrl: db.url,
      redisPrefix: prefix,
      role: 'all',
      env: {
        JWKS_URL: `${registration.url}${API}/.well-known/jwks.json`,
        REGISTRATION_URL: `${registration.url}${API}`,
      },
    });
    services.push(search);
    progress(`center search: ${centers} centers through the admin API, indexed from center.saved`);
    const catalogue = await seedCatalogue(registration.url, keys.signer, { centers, days: 1, slotsPerDay: 16, capacity: 100 });
    const date = catalogue.days[0].date;
    const query = `${SEARCH}?region=${BENCH_REGION}&limit=20`;
    const deadline = Date.now() + 60_000;
    let indexed = 0;
    while (Date.now() < deadline) {
      const res = await get<Page>(`${search.url}${query}`);
      indexed = res.status === 200 ? res.body.items.length : 0;
      if (indexed >= centers) break;
      await sleep(200);
    }
    // One search with availability before the timed runs: what a citizen sees.
    const shown = await get<Page>(`${search.url}${query}&date=${date}`);
    const withSeats = shown.body.items.filter((c) => (c.availability?.freeSeats ?? 0) > 0).length;

    const atRest = rssOf(search.pid) ?? NaN;
    const phase = async (path: string): Promise<LoadResult & { rssMax: number }> => {
      const rss = sampleRss(search.pid);
      const load = await runLoad({ url: search.url, connections, duration: seconds, requests: [{ method: 'GET', path }] });
      return { ...load, rssMax: rss.stop().max };
    };
    progress(`center search: ${connections} connections, ${seconds} s without date (baseline), then with date`);
    const bare = await phase(query);
    const withAvailability = await phase(`${query}&date=${date}`);
    const lookups = await get<unknown>(`${search.url}/metrics`);
    const byOutcome = new Map(
      [...lookups.text.matchAll(/^search_availability_lookups_total\{[^}]*outcome="(\w+)"[^}]*\} (\d+)/gm)].map((m) => [m[1], Number(m[2])]),
    );
    const lookupsTotal = [...byOutcome.values()].reduce((a, b) => a + b, 0);
    const unanswered = (byOutcome.get('timeout') ?? 0) + (byOutcome.get('error') ?? 0) + (byOutcome.get('unavailable') ?? 0);

    const row = (name: string, r: LoadResult, rssMax: number, base?: LoadResult) => [
      name,
      int(r.rate),
      ms(percentile(r.latencies, 50)),
      ms(percentile(r.latencies, 99)),
      base ? ratio(r.rate, base.rate) : '1.00×',
      mib(rssMax),
    ];
    const facts = [
      { fact: `search found every center registration created (${indexed} of ${centers})`, ok: indexed >= centers },
      { fact: `with a date, every center on the page showed free seats (${withSeats} of ${shown.body.items.length})`, ok: withSeats === shown.body.items.length && withSeats > 0 },
      { fact: `every search answered 200 (${statusSummary(bare)}; ${statusSummary(withAvailability)})`, ok: countOf(bare, 200) === bare.responses && countOf(withAvailability, 200) === withAvailability.responses },
      // Overload degrades to "unknown" (null), never to a failed search.
      { fact: `a lookup registration could not answer in time became null, never an error (${int(unanswered)} of ${int(lookupsTotal)})`, ok: countOf(withAvailability, 200) === withAvailability.responses },
      // A page that skipped registration (timeout, open circuit) is fast and wrong: the rate with a date only counts if none did.
      ...(quick ? [] : [{ fact: `no center's availability showed as unknown under this load (${int(unanswered)} of ${int(lookupsTotal)})`, ok: unanswered === 0 }]),
    ];
    const markdown = [
      `${machineLine(pgVersion)}. Registration (\`ROLE=all\`) and search (\`ROLE=all\`, PostgreSQL engine) as one process each; ${centers} centers in one region, each with 16 slots that day. \`GET ${SEARCH}?region=…&limit=20\` from ${connections} connections for ${seconds} s, without and then with \`date\` (with it, every answer reads each center's availability from registration's cache, 8 at a time).`,
      '',
      mdTable(
        ['search', 'answers/s', 'p50 ms', 'p99 ms', 'vs without date', 'search RSS (peak)'],
        [row('centers of a region, without date (baseline)', bare, bare.rssMax), row(`with date: + one batch availability read of ${centers} centers per answer`, withAvailability, withAvailability.rssMax, bare)],
      ),
      '',
      `Search api RSS at rest (engine ready, centers indexed): ${mib(atRest)}. Availability lookups under load: ${int(lookupsTotal)}, of which ${int(unanswered)} (${lookupsTotal ? ((100 * unanswered) / lookupsTotal).toFixed(0) : 0} %) timed out, failed or met an open circuit and showed as unknown (one request per page to registration's summary route, \`GET /availability/summary\`: one Redis MGET there, each day summed there).`,
      '',
      factList(facts),
    ].join('\n');
    return { title: 'Center search with availability', markdown, ok: facts.every((f) => f.ok) };
  } finally {
    for (const s of services.reverse()) await s.stop().catch(() => undefined);
    await cleanRedisPrefix(prefix);
    await db.drop();
  }
}

if (isMain(import.meta.url)) await runStandalone(run);
