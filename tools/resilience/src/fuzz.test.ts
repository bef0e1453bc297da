/**
 * Property-based fuzzing of every operation of every service's OpenAPI document, against
 * the real services in-process on real PostgreSQL and Redis: requests generated from the
 * routes' own schemas (fast-check, fixed seed), each slot of them changed to schema
 * values, hostile values and boundary values (dates PostgreSQL cannot store, ids of the
 * wrong kind, junk and forged paging cursors), and the transport cases (invalid
 * gzip/deflate/br bodies, broken percent-escapes, wrong content types, oversize bodies),
 * with and without each role's token. Any 5xx, any answer slower than 5 s, any dropped
 * connection and any service that stops answering `/health/live` fails the suite, which
 * prints each failing request with its route, status and the service's own error.
 *
 *   FUZZ_RUNS=300 npx vitest run tools/resilience/src/fuzz.test.ts   # a longer run
 *   FUZZ_SEED=7 …                                                   # other cases
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  boundaryCases,
  captureServiceErrors,
  describeWire,
  eventForwarder,
  fire,
  forgedCursors,
  generatedArb,
  generatedShape,
  inPool,
  operationsOf,
  raceCases,
  render,
  seedFor,
  shapeOf,
  transportCases,
  type FuzzCase,
  type Hints,
  type OpenApiDocument,
  type Operation,
  type Outcome,
  type Shape,
} from './fuzz.testing.js';
import { field } from './http.testing.js';
import { MATRIX, someAllowedRole } from './matrix.testing.js';
import { Platform, REGION_A, REGION_B, type Household, type Role } from './platform.testing.js';
import { SERVICE_NAMES, type ServiceName } from './services.testing.js';
import { forgeries } from './tokens.testing.js';

/** Generated cases per route (on top of the fixed boundary and transport cases). */
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 25);
const SEED = Number(process.env['FUZZ_SEED'] ?? 20_261_206);
const TIMEOUT_MS = 5_000;
/** Requests in flight at once: enough to overlap the services' waits, few enough that 5 s means a hang. */
const WIDTH = 4;

type FuzzRole = Role | 'forged';
/** Who calls: nobody, each role of the brief, and a token forged from a national admin's. */
const ROLES: readonly FuzzRole[] = ['none', 'citizen', 'staff', 'centerAdmin', 'nationalAdmin', 'forged'];

let p: Platform;
let logs: ReturnType<typeof captureServiceErrors>;
let hints: Hints;
let forgedToken: string;
let events: ReturnType<typeof eventForwarder>;
const operations = {} as Record<ServiceName, Operation[]>;

beforeAll(async () => {
  logs = captureServiceErrors();
  const LOG = { LOG_LEVEL: 'error' };
  p = await Platform.start({
    report: false,
    env: {
      registration: LOG,
      notifications: LOG,
      // Workers on: registration's events reach search (real paging cursors) and analytics, as in production.
      search: { ...LOG, ROLE: 'all' },
      // Every accepted report starts a child process: end each at once, this suite only needs the API's answers.
      analytics: { ...LOG, ROLE: 'all', REPORT_TIMEOUT_MS: '1' },
    },
  });
  const w = p.world;
  const lot = await p.lot();
  // A second appointment at center A on the day: the center's day has a second page.
  await p.appointment();
  const report = await p.api('analytics', 'POST', '/reports', { token: await p.token('centerAdmin'), body: { kind: 'aefi' } });
  const reportId = report.status === 202 ? field(report, 'id') : w.reportId;
  // Centers on the edges of the clock: +14:00, -11:00 and +05:45, one whose midnight a DST change skips.
  const oddCenters = await Promise.all(['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Asia/Kathmandu', 'America/Santiago'].map((zone) => oddCenter(zone)));
  const centers = [w.centerA, w.centerB, ...oddCenters];
  const byName: Record<string, string[]> = {
    id: [w.victim.registrantId],
    registrantId: [w.victim.registrantId, w.attacker.registrantId],
    centerId: centers,
    vaccineId: [w.vaccineId],
    vaccine: [w.vaccineId],
    vaccineIds: [w.vaccineId],
    appointmentId: [w.victim.appointmentId],
    doseId: [w.victim.doseId],
    certificateId: [w.victim.certificateId],
    lotId: [lot.id],
    reportId: [reportId],
    slotId: [w.slot, w.otherSlot, w.slotB],
    messageId: [w.victim.messageId],
  };
  const days = [w.day, new Date().toISOString().slice(0, 10)];
  hints = {
    ids: [...new Set([...Object.values(byName).flat(), w.victim.accountId])],
    known: {
      ...byName,
      timeZone: Intl.supportedValuesOf('timeZone'),
      region: [REGION_A, REGION_B],
      ...Object.fromEntries(['date', 'from', 'to', 'startsOn', 'endsOn', 'onsetDate'].map((k) => [k, days])),
    },
  };
  const admin = await p.token('nationalAdmin');
  forgedToken = Object.fromEntries(await forgeries(admin as string, p.signingKey))['alg none with the real kid'];
  events = eventForwarder(p);
  await events.forward();
  for (const name of SERVICE_NAMES) {
    const res = await p.call(name, { method: 'GET', path: `/api/${name}/v1/openapi.json` });
    operations[name] = operationsOf(res.body as OpenApiDocument, name).sort((a, b) => a.key.localeCompare(b.key));
  }
}, 180_000);

afterAll(async () => {
  await events?.close();
  await p?.stop();
  logs?.restore();
}, 60_000);

/** A center in `zone`, open every day around the clock, with a session tomorrow. */
async function oddCenter(timeZone: string): Promise<string> {
  const token = await p.token('nationalAdmin');
  const center = await p.api('registration', 'POST', '/centers', {
    token,
    body: {
      names: { en: `Fuzz center ${timeZone}` },
      address: `1 ${timeZone} Street`,
      region: REGION_A,
      latitude: 0,
      longitude: 0,
      languages: ['en'],
      vaccineIds: [p.world.vaccineId],
      timeZone,
      openingHours: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, opens: '00:00', closes: '23:59' })),
    },
  });
  const id = field(center, 'id');
  const session = { vaccineId: p.world.vaccineId, date: p.world.day, startTime: '00:00', endTime: '23:30', slotMinutes: 30, capacityDose1: 5, capacityLaterDoses: 5, walkInQuota: 1 };
  const res = await p.api('registration', 'POST', `/centers/${id}/sessions`, { token, body: session });
  if (res.status >= 300) throw new Error(`a session at the ${timeZone} center: ${res.status} ${res.text.slice(0, 300)}`);
  return id;
}

const tokenOf = async (role: FuzzRole, owner?: Household) => (role === 'forged' ? forgedToken : p.token(role, owner));

/** The route's baseline request: the security matrix's where it has one, else generated from the schemas. */
async function baselineOf(service: ServiceName, op: Operation): Promise<{ shape: Shape; allowed: FuzzRole; owner?: Household }> {
  const probe = MATRIX[service][op.key];
  if (!probe) return { shape: generatedShape(op, hints, seedFor(SEED, op.key)), allowed: 'nationalAdmin' };
  const allowed = someAllowedRole(probe);
  const built = await probe.build(p, allowed);
  return { shape: shapeOf(op, built), allowed, owner: built.owner };
}

/** A real cursor for a paged route (one item a page), and forgeries of it; junk cursors come with the boundary cases. */
async function forgedCursorCases(service: ServiceName, op: Operation, baseline: Shape, role: FuzzRole, owner?: Household): Promise<FuzzCase<FuzzRole>[]> {
  if (!op.query.some((q) => q.name === 'cursor')) return [];
  // The first word of a text query matches every record the fixtures named alike.
  const query = baseline.query.map(([k, v]): [string, string] => [k, k === 'q' ? (v.split(' ')[0] ?? v) : v]).filter(([k]) => k !== 'limit' && k !== 'cursor');
  const paged: Shape = { ...baseline, query: [...query, ['limit', '1']] };
  const token = await tokenOf(role, owner);
  let cursor: string | undefined;
  let last = '';
  for (let tries = 0; tries < 40 && !cursor; tries++) {
    const res = await fire(p.services[service].url, render(op, paged), { timeoutMs: TIMEOUT_MS, requestId: `fuzz-cursor-${tries}`, token });
    try {
      cursor = (JSON.parse(res.text) as { nextCursor?: string }).nextCursor ?? undefined;
    } catch {
      cursor = undefined;
    }
    last = `${res.status} ${res.text.slice(0, 300)}`;
    if (!cursor) await new Promise((r) => setTimeout(r, 250));
  }
  if (!cursor) throw new Error(`${op.key}: no second page to take a real cursor from (${describeWire(render(op, paged))} → ${last})`);
  return forgedCursors(cursor).map((c) => ({
    what: `query.cursor forged from a real one (${Buffer.from(c, 'base64url').toString('utf8').slice(0, 80)})`,
    role,
    wire: render(op, { ...paged, query: [...paged.query, ['cursor', c]] }),
  }));
}

interface Problem {
  route: string;
  what: string;
  role: FuzzRole;
  request: string;
  requestId: string;
  outcome: Outcome;
}

let sequence = 0;

describe('fuzz: generated and malformed requests on every documented route', () => {
  for (const service of SERVICE_NAMES) {
    it(`${service}: answers every one without a 5xx or a hang over 5 s, and every service stays live`, { timeout: 240_000 + RUNS * 8_000 }, async () => {
      const started = performance.now();
      // What the previous services' fuzzing wrote, indexed and counted before this one is fuzzed.
      const forwarded = await events.forward();
      const problems: Problem[] = [];
      const statuses = new Map<number, number>();
      let sent = 0;
      let unsendable = 0;
      expect(operations[service].length, 'documented operations').toBeGreaterThan(0);
      for (const op of operations[service]) {
        const { shape, allowed, owner } = await baselineOf(service, op);
        // Sent in this order, four at a time: the races go out together.
        const cases: FuzzCase<FuzzRole>[] = [
          ...raceCases(op, shape, allowed, `fuzz-race-${seedFor(SEED, op.key)}`),
          ...ROLES.map((role) => ({ what: 'the baseline', role, wire: render(op, shape) })),
          ...boundaryCases(op, shape, hints, allowed),
          ...(await forgedCursorCases(service, op, shape, allowed, owner)),
          ...transportCases(op, shape, [allowed, ...ROLES]),
          ...fc.sample(generatedArb(op, shape, hints, ROLES, allowed), { seed: seedFor(SEED, op.key), numRuns: RUNS }),
        ];
        await inPool(cases, WIDTH, async (c) => {
          const requestId = `fuzz-${service}-${++sequence}`;
          const outcome = await fire(p.services[service].url, c.wire, { timeoutMs: TIMEOUT_MS, requestId, token: await tokenOf(c.role, owner) });
          if (outcome.failure === 'unsendable') {
            unsendable++;
            return;
          }
          sent++;
          if (outcome.status !== undefined) statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
          if (outcome.failure || (outcome.status ?? 0) >= 500)
            problems.push({ route: op.key, what: c.what, role: c.role, request: describeWire(c.wire), requestId, outcome });
        });
        // Still live after the route's batch: every service, not only the one fuzzed.
        for (const name of SERVICE_NAMES) {
          const live = await fire(p.services[name].url, { method: 'GET', path: '/health/live', headers: {} }, { timeoutMs: TIMEOUT_MS, requestId: `fuzz-live-${++sequence}` });
          if (live.status !== 200)
            problems.push({ route: op.key, what: `${name} /health/live after the batch`, role: 'none', request: 'GET /health/live', requestId: '', outcome: live });
        }
      }
      // The services log a request's error when it ends: give the last lines a moment.
      await new Promise((r) => setTimeout(r, 200));
      // One example per route and cause (the service's error, or the status), with how many more there were.
      const groups = new Map<string, { first: Problem; more: number }>();
      for (const x of problems) {
        const cause = logs.errorOf(x.requestId);
        const signature = `${x.route} ${x.outcome.failure ?? x.outcome.status} ${cause ? `${cause.code ?? ''} ${cause.message.replace(/"[^"]*"|'[^']*'/g, '…')}` : x.what}`;
        const group = groups.get(signature);
        if (group) group.more++;
        else groups.set(signature, { first: x, more: 0 });
      }
      const report = [...groups.values()].map(({ first: x, more }) => {
        const cause = logs.errorOf(x.requestId);
        const answer = x.outcome.failure ? `${x.outcome.failure.toUpperCase()} (${x.outcome.text})` : `${x.outcome.status} in ${x.outcome.ms} ms`;
        const error = cause ? `\n      server: ${[cause.type, cause.code].filter(Boolean).join(' ')}: ${cause.message}${cause.at ? `\n      at ${cause.at}` : ''}` : '';
        return `${x.route} [${x.what}] as ${x.role} → ${answer}${more ? ` (and ${more} more like it)` : ''}\n      request: ${x.request}${error}`;
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.info(
        `fuzz ${service}: ${sent} requests on ${operations[service].length} routes in ${seconds} s (FUZZ_SEED=${SEED}, FUZZ_RUNS=${RUNS}); ` +
          `statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}; ${unsendable} cases the client could not send; ` +
          `${problems.length} failing; ${forwarded.events} events forwarded before` +
          (forwarded.failing.length ? `, consumers failing on ${forwarded.failing.length}:\n  ${forwarded.failing.slice(0, 20).join('\n  ')}` : ''),
      );
      expect(report, `FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}: ${problems.length} failing requests`).toEqual([]);
      expect(sent).toBeGreaterThan(operations[service].length * 20);
    });
  }
});
