import type { AvailabilityView, SlotAvailability } from '@jab/contracts';
import { createLogger } from '@jab/logger';
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAvailabilityClient, summarize } from './availability.client.js';

/**
 * The client against a local HTTP server standing in for registration's availability
 * route (real HTTP, real timeouts); the real registration is exercised end to end in
 * tools/resilience/src/center-availability.test.ts.
 */
type Behaviour =
  | 'view'
  | 'not-found'
  | 'fail'
  | 'garbage'
  | 'hang'
  | 'slow-view';

const DAY = '2031-03-04';
const VACCINE_A = randomUUID();
const VACCINE_B = randomUUID();

const slot = (
  startsAt: string,
  remaining: SlotAvailability['remaining'],
  vaccineId = VACCINE_A,
): SlotAvailability => ({
  id: randomUUID(),
  vaccineId,
  startsAt,
  endsAt: new Date(Date.parse(startsAt) + 30 * 60_000).toISOString(),
  remaining,
});

const viewOf = (centerId: string, date = DAY): AvailabilityView => ({
  centerId,
  date,
  timeZone: 'UTC',
  slots: [
    slot(`${date}T09:00:00.000Z`, { dose1: 0, laterDoses: 0, walkIn: 9 }),
    slot(`${date}T09:30:00.000Z`, { dose1: 3, laterDoses: 2, walkIn: 9 }),
    slot(`${date}T10:00:00.000Z`, { dose1: 4, laterDoses: 0, walkIn: 0 }),
  ],
});

const behaviours = new Map<string, Behaviour>();
const requested: string[] = [];
/** Requests not answered yet (an answer counts them out before it is written). */
const open = new Set<ServerResponse>();
let maxInFlight = 0;
let server: Server;
let baseUrl: string;
let closedPortUrl: string;

function answer(res: ServerResponse, status: number, body: unknown) {
  open.delete(res);
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    const match =
      /^\/api\/registration\/v1\/centers\/([^/]+)\/availability$/.exec(
        url.pathname,
      );
    const centerId = match?.[1] ?? '';
    requested.push(`${centerId} ${url.searchParams.get('date')}`);
    open.add(res);
    maxInFlight = Math.max(maxInFlight, open.size);
    res.on('close', () => open.delete(res));
    const behaviour = behaviours.get(centerId) ?? 'view';
    if (behaviour === 'hang') return;
    if (behaviour === 'not-found')
      return answer(res, 404, { title: 'Not Found' });
    if (behaviour === 'fail') return answer(res, 503, { title: 'Unavailable' });
    if (behaviour === 'garbage') return answer(res, 200, { slots: 'none' });
    const date = url.searchParams.get('date') ?? DAY;
    // A little later, so that several requests overlap and the bound is visible.
    const delay = behaviour === 'slow-view' ? 100 : 0;
    setTimeout(() => answer(res, 200, viewOf(centerId, date)), delay);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/registration/v1/`;

  // A port that was just free and is closed again: connections are refused.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPortUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/api/registration/v1`;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  behaviours.clear();
  requested.length = 0;
  open.clear();
  maxInFlight = 0;
});

function client(
  options: { url?: string; concurrency?: number; timeoutMs?: number } = {},
) {
  const lines: Record<string, unknown>[] = [];
  const registry = new Registry();
  const logger = createLogger({
    service: 'search',
    level: 'warn',
    destination: {
      write: (line: string) =>
        void lines.push(JSON.parse(line) as Record<string, unknown>),
    },
  });
  const availability = createAvailabilityClient({
    baseUrl: options.url ?? baseUrl,
    // Generous unless a test is about the timeout: a loaded machine must not fail a hit.
    timeoutMs: options.timeoutMs ?? 3_000,
    concurrency: options.concurrency,
    logger,
    registry,
    now: () => new Date(`${DAY}T09:15:00.000Z`),
  });
  const count = async (outcome: string) =>
    (
      await registry.getSingleMetric('search_availability_lookups_total')?.get()
    )?.values.find((v) => v.labels['outcome'] === outcome)?.value;
  return { availability, lines, count };
}

describe('summarize', () => {
  it('counts the bookable seats of slots not yet started, walk-ins left out, and names the earliest', () => {
    const centerId = randomUUID();
    const view = viewOf(centerId);
    view.slots.unshift(
      slot(`${DAY}T08:00:00.000Z`, { dose1: 50, laterDoses: 50, walkIn: 0 }),
    );
    expect(summarize(view, new Date(`${DAY}T08:30:00.000Z`))).toEqual({
      date: DAY,
      freeSeats: 9,
      firstFreeAt: `${DAY}T09:30:00.000Z`,
    });
  });

  it('narrows to the vaccine searched for, and says null when no seat is left', () => {
    const view = viewOf(randomUUID());
    view.slots.push(
      slot(
        `${DAY}T08:45:00.000Z`,
        { dose1: 7, laterDoses: 1, walkIn: 0 },
        VACCINE_B,
      ),
    );
    const early = new Date(`${DAY}T06:00:00.000Z`);
    expect(summarize(view, early, VACCINE_B)).toEqual({
      date: DAY,
      freeSeats: 8,
      firstFreeAt: `${DAY}T08:45:00.000Z`,
    });
    expect(summarize(view, early)).toEqual({
      date: DAY,
      freeSeats: 17,
      firstFreeAt: `${DAY}T08:45:00.000Z`,
    });
    expect(summarize(view, new Date(`${DAY}T23:00:00.000Z`))).toEqual({
      date: DAY,
      freeSeats: 0,
      firstFreeAt: null,
    });
  });
});

describe('availability client', () => {
  it("summarizes each center's day from registration's view, in the order asked", async () => {
    const { availability, count, lines } = client();
    const ids = [randomUUID(), randomUUID()];
    const days = await availability.forCenters(ids, DAY);
    expect(days).toEqual([
      { date: DAY, freeSeats: 9, firstFreeAt: `${DAY}T09:30:00.000Z` },
      { date: DAY, freeSeats: 9, firstFreeAt: `${DAY}T09:30:00.000Z` },
    ]);
    expect(requested.sort()).toEqual(ids.map((id) => `${id} ${DAY}`).sort());
    expect(await count('hit')).toBe(2);
    expect(lines).toEqual([]);
  });

  it('gives null for a center registration does not know, fails on or answers wrongly, and warns once', async () => {
    const { availability, count, lines } = client();
    const [ok, missing, failing, garbled] = [
      randomUUID(),
      randomUUID(),
      randomUUID(),
      randomUUID(),
    ];
    behaviours
      .set(missing, 'not-found')
      .set(failing, 'fail')
      .set(garbled, 'garbage');
    const days = await availability.forCenters(
      [ok, missing, failing, garbled],
      DAY,
    );
    expect(days.map((d) => d?.freeSeats ?? null)).toEqual([
      9,
      null,
      null,
      null,
    ]);
    expect(await count('hit')).toBe(1);
    expect(await count('not_found')).toBe(1);
    expect(await count('error')).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'warn',
      date: DAY,
      centers: 4,
      failed: { not_found: 1, error: 2 },
    });
  });

  it('gives null when registration never answers, once the timeout passed', async () => {
    const { availability, count, lines } = client({ timeoutMs: 100 });
    const stuck = [randomUUID(), randomUUID()];
    for (const id of stuck) behaviours.set(id, 'hang');
    expect(await availability.forCenters(stuck, DAY)).toEqual([null, null]);
    expect(requested).toHaveLength(2);
    expect(await count('timeout')).toBe(2);
    expect(await count('hit')).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      failed: { timeout: 2 },
      reason: 'no answer in time',
    });
  });

  it('gives nulls when registration cannot be reached at all', async () => {
    const { availability, count } = client({ url: closedPortUrl });
    expect(
      await availability.forCenters([randomUUID(), randomUUID()], DAY),
    ).toEqual([null, null]);
    expect(await count('error')).toBe(2);
  });

  it('keeps at most `concurrency` requests in flight for a page', async () => {
    const { availability } = client({ concurrency: 3 });
    const ids = Array.from({ length: 10 }, () => randomUUID());
    for (const id of ids) behaviours.set(id, 'slow-view');
    const days = await availability.forCenters(ids, DAY);
    expect(days.every((d) => d?.freeSeats === 9)).toBe(true);
    expect(requested).toHaveLength(10);
    // In parallel, never more than the bound (how many overlap at once is the machine's affair).
    expect(maxInFlight).toBeGreaterThanOrEqual(2);
    expect(maxInFlight).toBeLessThanOrEqual(3);
  });

  it('asks nothing for an empty page', async () => {
    const { availability } = client();
    expect(await availability.forCenters([], DAY)).toEqual([]);
    expect(requested).toEqual([]);
  });
});
