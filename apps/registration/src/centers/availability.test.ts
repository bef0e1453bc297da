import { createSigner, generateSigningKey } from '@jab/auth';
import type { AvailabilityView, CenterView } from '@jab/contracts';
import { createLogger } from '@jab/logger';
import { AUDIENCE, ISSUER, runService } from '@jab/runtime';
import { startTestService, type TestService } from '@jab/runtime/testing';
import { redisUrl, waitFor } from '@jab/testing';
import { EventSource } from 'eventsource';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrationService } from '../service.js';
import { createAvailabilityHotLayer } from './availability.hot.js';

// Two API tasks on one database and one Redis, as behind the ALB: `a` takes the booking, `b` serves reads from memory.
let a: TestService;
let b: { url: string; stop(): Promise<void> };
let signer: Awaited<ReturnType<typeof createSigner>>;
let path: string;
let taskEnv: Record<string, string>;

const metric = async (url: string, name: string) =>
  Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'm').exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? 0);
const read = (url: string, headers: Record<string, string> = {}) => fetch(`${url}${path}`, { headers });
const seatsLeft = async (res: Response) => ((await res.json()) as AvailabilityView).slots.reduce((n, s) => n + s.remaining.dose1, 0);

/** A new citizen of the demo region books a free first-dose seat of the day through task `a`. */
async function bookFreeSeat(): Promise<Response & { token: string }> {
  const view = (await (await fetch(`${a.url}${path}`)).json()) as AvailabilityView;
  const slot = view.slots.find((s) => s.remaining.dose1 > 0);
  if (!slot) throw new Error('the demo day has no free seat');
  const registrantId = randomUUID();
  const accountId = randomUUID();
  await a.pool.query(`INSERT INTO registration.accounts (id, contact_channel, contact_address) VALUES ($1, 'email', $2)`, [
    accountId,
    `hot-${accountId}@example.org`,
  ]);
  await a.pool.query(
    `INSERT INTO registration.registrants (id, account_id, full_name, birth_date, region, preferred_language) VALUES ($1, $2, 'Hot Path', '1980-05-05', 'FR-IDF', 'fr')`,
    [registrantId, accountId],
  );
  const token = await signer.issue({ sub: accountId, role: 'citizen', audience: AUDIENCE, ttlSeconds: 600 });
  const res = await fetch(`${a.url}/api/registration/v1/appointments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ registrantId, slotId: slot.id, doseNumber: 1 }),
  });
  return Object.assign(res, { token });
}

beforeAll(async () => {
  const key = await generateSigningKey();
  signer = createSigner({ privateJwk: key.privateJwk, kid: key.kid, issuer: ISSUER });
  taskEnv = { ROLE: 'api', JWT_PRIVATE_JWK: JSON.stringify(key.privateJwk), JWT_KEY_ID: key.kid };
  const env = taskEnv;
  a = await startTestService(registrationService, env);
  await a.command(['seed-demo']);
  const running = await runService(registrationService, {
    argv: [],
    exit: () => undefined,
    env: {
      ...env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PORT: '0',
      DATABASE_URL: a.db.url,
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: a.prefix,
      SHUTDOWN_TIMEOUT_MS: '5000',
      // Only a message from `a` can make `b` forget a day within this test.
      AVAILABILITY_HOT_MAX_AGE_MS: '60000',
    },
  });
  if (!running) throw new Error('no server');
  b = { url: `http://127.0.0.1:${running.port}`, stop: async () => void (await running.shutdown()) };
  const centers = (await (await fetch(`${a.url}/api/registration/v1/centers?region=FR-IDF`)).json()) as { items: CenterView[] };
  const center = centers.items[0] as CenterView;
  const { rows } = await a.pool.query<{ date: string }>(
    `SELECT to_char(min(local_date), 'YYYY-MM-DD') AS date FROM registration.slots WHERE center_id = $1 AND starts_at > now() + interval '1 day'`,
    [center.id],
  );
  path = `/api/registration/v1/centers/${center.id}/availability?date=${rows[0]?.date}`;
});

afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

describe('availability from memory (the hot path)', () => {
  it('answers a repeated read with the same status, headers and bytes express sent, and 304 to a client that has them', async () => {
    const first = await read(b.url);
    const before = await metric(b.url, 'jab_availability_hot_answers_total');
    const second = await read(b.url);
    expect(await metric(b.url, 'jab_availability_hot_answers_total')).toBe(before + 1);
    expect(second.status).toBe(200);
    expect(await second.text()).toBe(await first.text());
    const headersOf = (r: Response) => Object.fromEntries([...r.headers].filter(([name]) => !['date', 'x-request-id'].includes(name)));
    expect(headersOf(second)).toEqual(headersOf(first));
    expect(second.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(second.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));

    const etag = second.headers.get('etag') as string;
    const again = await read(b.url, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect((await read(b.url, { 'if-none-match': '"something-else"' })).status).toBe(200);
  });

  it("forgets a day another task booked in, so a taken seat leaves every task's answer", async () => {
    const left = await seatsLeft(await read(b.url));
    await read(b.url);
    const booked = await bookFreeSeat();
    expect(booked.status).toBe(201);
    await waitFor(async () => (await seatsLeft(await read(b.url))) === left - 1, { timeoutMs: 5_000 });
  });

  it('lets shared caches keep public answers a few seconds, and never an error or a stream', async () => {
    const answer = await read(b.url);
    expect(answer.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=2, stale-while-revalidate=5');
    const unknown = await fetch(`${b.url}${path.replace(path.split('/')[5] as string, randomUUID())}`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('cache-control') ?? '').not.toContain('public');
    const controller = new AbortController();
    const stream = await fetch(`${b.url}${path.replace('/availability?', '/availability/stream?')}`, { signal: controller.signal });
    expect([stream.status, stream.headers.get('cache-control')]).toEqual([200, 'no-store']);
    controller.abort();
  });

  it('leaves every other shape of the URL to express, which validates it', async () => {
    const [, query] = path.split('?');
    const odd = await fetch(`${b.url}${path.replace(query as string, 'date=0000-01-01')}`);
    expect(odd.status).toBe(400);
    expect((await fetch(`${b.url}${path}&extra=1`)).status).toBe(200);
  });
});

describe('versions of a center-day', () => {
  const versionOf = async (url: string) => ((await (await read(url)).json()) as AvailabilityView).version;
  const dayOf = () => {
    const [, query] = path.split('?');
    return { centerId: path.split('/')[5] as string, date: new URLSearchParams(query).get('date') as string };
  };

  it('a booking answers the version it made; every task then answers that version, with it in the ETag, and 304 only for it', async () => {
    const before = await read(b.url);
    const oldTag = before.headers.get('etag') as string;
    const oldVersion = ((await before.json()) as AvailabilityView).version;
    expect(oldTag.startsWith(`"${oldVersion}-`)).toBe(true);

    const booked = await bookFreeSeat();
    expect(booked.status).toBe(201);
    const made = Number(booked.headers.get('availability-version'));
    expect(made).toBeGreaterThan(oldVersion);
    await waitFor(async () => (await versionOf(b.url)) === made, { timeoutMs: 5_000 });
    const now = await read(b.url, { 'if-none-match': oldTag });
    expect(now.status).toBe(200);
    const tag = now.headers.get('etag') as string;
    expect(tag.startsWith(`"${made}-`)).toBe(true);
    expect((await read(b.url, { 'if-none-match': tag })).status).toBe(304);
    const fromA = await read(a.url, { 'if-none-match': tag });
    expect([fromA.status, fromA.headers.get('etag'), fromA.status === 200 ? await fromA.text() : '']).toEqual([304, tag, '']);

    // A cancellation moves it on too.
    const { id } = (await booked.json()) as { id: string };
    const cancelled = await fetch(`${a.url}/api/registration/v1/appointments/${id}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${booked.token}` },
    });
    expect(cancelled.status).toBe(200);
    await waitFor(async () => (await versionOf(b.url)) > made, { timeoutMs: 5_000 });
  });

  it('moves once per transaction whatever writes the slots, and names one state of the day only', async () => {
    const { centerId, date } = dayOf();
    const version = async () =>
      Number(
        (await a.pool.query<{ v: string }>(
          `SELECT coalesce((SELECT version FROM registration.center_day_versions WHERE center_id = $1 AND local_date = $2), 0) AS v`,
          [centerId, date],
        )).rows[0]?.v,
      );
    // Any writer of a slot, even one that knows nothing of versions: the trigger bumps at commit, once.
    const start = await version();
    const client = await a.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`UPDATE registration.slots SET updated_at = now() WHERE center_id = $1 AND local_date = $2`, [centerId, date]);
      await client.query(`UPDATE registration.slots SET updated_at = now() WHERE center_id = $1 AND local_date = $2`, [centerId, date]);
      expect(await version()).toBe(start);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect(await version()).toBe(start + 1);

    // Bookings in parallel with reads of the database: a version never stands for two different days.
    const seen = new Map<number, string>();
    let reading = true;
    const reader = (async () => {
      while (reading) {
        const { rows } = await a.pool.query<{ version: string; slots: unknown }>(
          `SELECT coalesce((SELECT version FROM registration.center_day_versions WHERE center_id = $1 AND local_date = $2), 0) AS version,
                  (SELECT json_agg(json_build_object('id', id, 'd', booked_dose1) ORDER BY id) FROM registration.slots
                    WHERE center_id = $1 AND local_date = $2) AS slots`,
          [centerId, date],
        );
        const row = rows[0] as { version: string; slots: unknown };
        const content = JSON.stringify(row.slots);
        const known = seen.get(Number(row.version));
        expect(known === undefined || known === content, `version ${row.version}: ${known} vs ${content}`).toBe(true);
        seen.set(Number(row.version), content);
      }
    })();
    const results = await Promise.all(Array.from({ length: 12 }, () => bookFreeSeat()));
    reading = false;
    await reader;
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    expect(results.some((r) => r.status === 201)).toBe(true);
    expect(new Set(results.map((r) => r.headers.get('availability-version'))).size).toBeGreaterThan(0);
    expect(await version()).toBeGreaterThan(start + 1);
    expect(seen.size).toBeGreaterThan(1);
  });
});

describe('the availability stream', () => {
  const streamUrl = (url: string) => `${url}${path.replace('/availability?', '/availability/stream?')}`;
  /** An EventSource (the `eventsource` package, as a browser's) that records each request's Last-Event-ID. */
  const watch = (url: string) => {
    const events: AvailabilityView[] = [];
    const lastEventIds: (string | null)[] = [];
    const source = new EventSource(streamUrl(url), {
      fetch: (input, init) => {
        lastEventIds.push(new Headers(init?.headers).get('last-event-id'));
        return fetch(input, init);
      },
    });
    source.addEventListener('availability', (e) => events.push(JSON.parse(e.data) as AvailabilityView));
    return { source, events, lastEventIds };
  };

  it('sends the day at once, then each booking made on another task, with the seat gone', async () => {
    const w = watch(b.url);
    try {
      await waitFor(() => w.events.length > 0);
      const first = w.events[0] as AvailabilityView;
      expect(first).toEqual(await (await read(a.url)).json());
      const booked = await bookFreeSeat();
      const made = Number(booked.headers.get('availability-version'));
      const { slotId } = (await booked.json()) as { slotId: string };
      await waitFor(() => w.events.some((e) => e.version >= made), { timeoutMs: 5_000 });
      const after = w.events.find((e) => e.version >= made) as AvailabilityView;
      const seats = (v: AvailabilityView) => v.slots.find((s) => s.id === slotId)?.remaining.dose1;
      expect(seats(after)).toBe((seats(first) as number) - 1);
      // Versions only go up on a stream.
      expect(w.events.map((e) => e.version)).toEqual([...w.events.map((e) => e.version)].sort((x, y) => x - y));
    } finally {
      w.source.close();
    }
  });

  it('refuses an unknown center with 404 and a bad date with 400, as problems, before any stream', async () => {
    const unknown = await fetch(streamUrl(b.url).replace(path.split('/')[5] as string, randomUUID()));
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    const bad = await fetch(streamUrl(b.url).replace(/date=[^&]+/, 'date=2031-02-30'));
    expect(bad.status).toBe(400);
  });

  it("survives its task's restart: the client reconnects with Last-Event-ID and hears the next booking", async () => {
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: a.db.url,
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: a.prefix,
      SHUTDOWN_TIMEOUT_MS: '600000',
      JWT_PRIVATE_JWK: taskEnv.JWT_PRIVATE_JWK,
      JWT_KEY_ID: taskEnv.JWT_KEY_ID,
      ROLE: 'api',
    };
    const first = await runService(registrationService, { argv: [], exit: () => undefined, env: { ...env, PORT: '0' } });
    if (!first) throw new Error('no server');
    const port = String(first.port);
    const w = watch(`http://127.0.0.1:${port}`);
    let second: Awaited<ReturnType<typeof runService>>;
    try {
      await waitFor(() => w.events.length > 0);
      const had = (w.events.at(-1) as AvailabilityView).version;
      // The stream ends when shutdown begins: with a ten-minute deadline, a stream left open would hold this test past its timeout.
      await first.shutdown('restart');
      second = await runService(registrationService, { argv: [], exit: () => undefined, env: { ...env, PORT: port } });
      await waitFor(() => w.lastEventIds.length >= 2, { timeoutMs: 10_000 });
      expect(w.lastEventIds.at(-1)).toBe(String(had));
      const booked = await bookFreeSeat();
      const made = Number(booked.headers.get('availability-version'));
      await waitFor(() => w.events.some((e) => e.version >= made), { timeoutMs: 5_000 });
      // Nothing was sent twice across the reconnect.
      const ids = w.events.map((e) => e.version);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      w.source.close();
      await second?.shutdown('test finished');
    }
  });
});

describe('several centers on one day (a search page)', () => {
  it('answers each center as its own route does, in the order asked, null for an unknown one', async () => {
    const [, query] = path.split('?');
    const date = new URLSearchParams(query).get('date') as string;
    const centers = (await (await fetch(`${a.url}/api/registration/v1/centers`)).json()) as { items: CenterView[] };
    const ids = centers.items.map((c) => c.id);
    const unknown = randomUUID();
    const asked = [...ids.slice(0, 3), unknown, ...ids.slice(3)];
    const res = await fetch(`${b.url}/api/registration/v1/availability?centerIds=${asked.join(',')}&date=${date}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { date: string; items: { centerId: string; availability: AvailabilityView | null }[] };
    expect(body.items.map((i) => i.centerId)).toEqual(asked);
    for (const item of body.items) {
      if (item.centerId === unknown) expect(item.availability).toBeNull();
      else expect(item.availability).toEqual(await (await fetch(`${b.url}/api/registration/v1/centers/${item.centerId}/availability?date=${date}`)).json());
    }
  });

  it('refuses a list that is empty, too long, repeats a center or holds something else, with a message', async () => {
    const [, query] = path.split('?');
    const date = new URLSearchParams(query).get('date') as string;
    const id = randomUUID();
    for (const centerIds of ['', Array.from({ length: 51 }, () => randomUUID()).join(','), `${id},${id}`, `${id},not-an-id`]) {
      const res = await fetch(`${b.url}/api/registration/v1/availability?centerIds=${centerIds}&date=${date}`);
      expect(res.status, centerIds).toBe(400);
      expect(((await res.json()) as { errors: { path: string }[] }).errors[0]?.path).toMatch(/^query\.centerIds/);
    }
  });
});

describe('the hot layer itself', () => {
  it('never stores an answer read before its day was dropped, even once it forgot which days were', async () => {
    const redis = new Redis(redisUrl());
    const hot = createAvailabilityHotLayer({ redis, prefix: `hot-${randomUUID()}`, logger: createLogger({ service: 'test', level: 'silent' }), maxEntries: 2 });
    try {
      const answer = { body: Buffer.from('{}'), etag: '"x"', headers: {} };
      const day = { centerId: randomUUID(), date: '2031-01-01' };
      // The subscriber must be connected before anything is kept.
      await waitFor(() => {
        hot.store(day, hot.generation(), answer);
        return hot.get(day) !== undefined;
      });
      const before = hot.generation();
      await hot.invalidate([day]);
      hot.store(day, before, answer);
      expect(hot.get(day)).toBeUndefined();
      hot.store(day, hot.generation(), answer);
      expect(hot.get(day)).toBe(answer);

      // Past its bound (4 × maxEntries days) the layer forgets which days it dropped: a fill older than that is refused too.
      const old = hot.generation();
      const other = { centerId: randomUUID(), date: '2031-01-02' };
      for (let i = 0; i < 9; i++) await hot.invalidate([{ centerId: randomUUID(), date: '2031-01-03' }]);
      hot.store(other, old, answer);
      expect(hot.get(other)).toBeUndefined();
      hot.store(other, hot.generation(), answer);
      expect(hot.get(other)).toBe(answer);
    } finally {
      await hot.close();
      redis.disconnect();
    }
  });
});
