import { createSigner, generateSigningKey } from '@jab/auth';
import type { AvailabilityView, CenterView } from '@jab/contracts';
import { createLogger } from '@jab/logger';
import { AUDIENCE, ISSUER, runService } from '@jab/runtime';
import { startTestService, type TestService } from '@jab/runtime/testing';
import { redisUrl, waitFor } from '@jab/testing';
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

const metric = async (url: string, name: string) =>
  Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'm').exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? 0);
const read = (url: string, headers: Record<string, string> = {}) => fetch(`${url}${path}`, { headers });
const seatsLeft = async (res: Response) => ((await res.json()) as AvailabilityView).slots.reduce((n, s) => n + s.remaining.dose1, 0);

beforeAll(async () => {
  const key = await generateSigningKey();
  signer = createSigner({ privateJwk: key.privateJwk, kid: key.kid, issuer: ISSUER });
  const env = { ROLE: 'api', JWT_PRIVATE_JWK: JSON.stringify(key.privateJwk), JWT_KEY_ID: key.kid };
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
    const view = (await (await read(a.url)).json()) as AvailabilityView;
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
    const booked = await fetch(`${a.url}/api/registration/v1/appointments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ registrantId, slotId: slot.id, doseNumber: 1 }),
    });
    expect(booked.status).toBe(201);
    await waitFor(async () => (await seatsLeft(await read(b.url))) === left - 1, { timeoutMs: 5_000 });
  });

  it('leaves every other shape of the URL to express, which validates it', async () => {
    const [, query] = path.split('?');
    const odd = await fetch(`${b.url}${path.replace(query as string, 'date=0000-01-01')}`);
    expect(odd.status).toBe(400);
    expect((await fetch(`${b.url}${path}&extra=1`)).status).toBe(200);
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
