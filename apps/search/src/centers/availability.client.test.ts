import type { CenterAvailability } from '@jab/contracts';
import { createLogger } from '@jab/logger';
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAvailabilityClient } from './availability.client.js';

/**
 * The client against a local HTTP server standing in for registration's summary
 * availability route (real HTTP, real timeouts); the real registration is exercised end
 * to end in tools/resilience/src/center-availability.test.ts. A center's behaviour
 * decides its item (`not-found`: null) or, for the others, the whole page's answer.
 */
type Behaviour = 'view' | 'not-found' | 'fail' | 'garbage' | 'hang';

const DAY = '2031-03-04';
/** A center-day in brief, as registration's summary route sums it. */
const briefOf = (date = DAY): CenterAvailability => ({ date, freeSeats: 9, firstFreeAt: `${date}T09:30:00.000Z` });

const behaviours = new Map<string, Behaviour>();
/** One line per page asked: the center ids and the date. */
const requested: string[] = [];
let server: Server;
let baseUrl: string;
let closedPortUrl: string;

function answer(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    if (url.pathname !== '/api/registration/v1/availability/summary') return answer(res, 404, { title: 'Not Found' });
    const ids = (url.searchParams.get('centerIds') ?? '').split(',');
    const date = url.searchParams.get('date') ?? DAY;
    requested.push(`${ids.join(',')} ${date}${url.searchParams.has('vaccineId') ? ` ${url.searchParams.get('vaccineId')}` : ''}`);
    const page = ids.map((id) => behaviours.get(id) ?? 'view');
    if (page.includes('hang')) return;
    if (page.includes('fail')) return answer(res, 503, { title: 'Unavailable' });
    if (page.includes('garbage')) return answer(res, 200, { items: 'none' });
    answer(res, 200, {
      date,
      items: ids.map((centerId, i) => ({ centerId, availability: page[i] === 'not-found' ? null : briefOf(date) })),
    });
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
});

function client(options: { url?: string; timeoutMs?: number; breakAfter?: number; halfOpenAfterMs?: number } = {}) {
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
    breakAfter: options.breakAfter,
    halfOpenAfterMs: options.halfOpenAfterMs,
    logger,
    registry,
  });
  const count = async (outcome: string) =>
    (
      await registry.getSingleMetric('search_availability_lookups_total')?.get()
    )?.values.find((v) => v.labels['outcome'] === outcome)?.value;
  return { availability, lines, count };
}

describe('availability client (against a stub of registration\'s batch route)', () => {
  it("summarizes each center's day from one request for the page, in the order asked", async () => {
    const { availability, count, lines } = client();
    const ids = [randomUUID(), randomUUID()];
    const days = await availability.forCenters(ids, DAY);
    expect(days).toEqual([
      { date: DAY, freeSeats: 9, firstFreeAt: `${DAY}T09:30:00.000Z` },
      { date: DAY, freeSeats: 9, firstFreeAt: `${DAY}T09:30:00.000Z` },
    ]);
    expect(requested).toEqual([`${ids.join(',')} ${DAY}`]);
    expect(await count('hit')).toBe(2);
    expect(lines).toEqual([]);
  });

  it('asks for the vaccine searched for, so the seats counted are of that vaccine', async () => {
    const { availability } = client();
    const ids = [randomUUID()];
    const vaccineId = randomUUID();
    expect(await availability.forCenters(ids, DAY, { vaccineId })).toEqual([briefOf()]);
    expect(requested).toEqual([`${ids[0]} ${DAY} ${vaccineId}`]);
  });

  it('gives null for a center registration does not know, and warns once', async () => {
    const { availability, count, lines } = client();
    const [ok, missing] = [randomUUID(), randomUUID()];
    behaviours.set(missing, 'not-found');
    expect((await availability.forCenters([ok, missing], DAY)).map((d) => d?.freeSeats ?? null)).toEqual([9, null]);
    expect(await count('hit')).toBe(1);
    expect(await count('not_found')).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'center availability unknown for some centers', failed: { not_found: 1 } });
  });

  it('gives nulls for the whole page when registration fails on it or answers wrongly', async () => {
    const { availability, count, lines } = client();
    for (const behaviour of ['fail', 'garbage'] as const) {
      const ids = [randomUUID(), randomUUID()];
      behaviours.set(ids[1] as string, behaviour);
      expect(await availability.forCenters(ids, DAY)).toEqual([null, null]);
    }
    expect(await count('error')).toBe(4);
    expect(lines).toHaveLength(2);
  });

  it('gives nulls when registration never answers, once the timeout passed', async () => {
    const { availability, count } = client({ timeoutMs: 150 });
    const id = randomUUID();
    behaviours.set(id, 'hang');
    expect(await availability.forCenters([id, randomUUID()], DAY)).toEqual([null, null]);
    expect(await count('timeout')).toBe(2);
  });

  it('gives nulls when registration cannot be reached at all', async () => {
    const { availability, count } = client({ url: closedPortUrl });
    expect(await availability.forCenters([randomUUID()], DAY)).toEqual([null]);
    expect(await count('error')).toBe(1);
  });

  it('stops asking a failing registration for a while (circuit breaker), then tries again', async () => {
    const { availability, count } = client({ breakAfter: 2, halfOpenAfterMs: 300 });
    const failing = randomUUID();
    behaviours.set(failing, 'fail');
    await availability.forCenters([failing], DAY);
    await availability.forCenters([failing], DAY);
    expect(requested).toHaveLength(2);
    // Open: the next pages answer at once, without a request.
    expect(await availability.forCenters([randomUUID()], DAY)).toEqual([null]);
    expect(requested).toHaveLength(2);
    expect(await count('unavailable')).toBe(1);
    await new Promise((done) => setTimeout(done, 350));
    const healthy = randomUUID();
    expect((await availability.forCenters([healthy], DAY))[0]?.freeSeats).toBe(9);
    expect(requested).toHaveLength(3);
  });

  it('asks nothing for an empty page', async () => {
    const { availability } = client();
    expect(await availability.forCenters([], DAY)).toEqual([]);
    expect(requested).toEqual([]);
  });
});
