import { createSigner, generateSigningKey, type Role, type Signer } from '@jab/auth';
import type { AppointmentView, AvailabilityView, CenterView, DoseView, LotView, Problem, SessionView, VaccineView } from '@jab/contracts';
import { AUDIENCE, ISSUER } from '@jab/runtime';
import { startTestService, type TestService } from '@jab/runtime/testing';
import { redisUrl, tcpProxy, waitFor, type TcpProxy } from '@jab/testing';
import { Redis } from 'ioredis';
import { DateTime } from 'luxon';
import { decodeJwt } from 'jose';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, DEMO_STAFF } from '../catalogue/demo.js';
import { addDays, localToday } from '../centers/slots.js';
import { registrationService } from '../service.js';

let svc: TestService;
let signer: Signer;
let proxy: TcpProxy;
let redis: Redis;

interface Res<T> {
  status: number;
  headers: Headers;
  body: T;
}

async function call<T>(method: string, path: string, body?: unknown, opts: { token?: string; headers?: Record<string, string> } = {}): Promise<Res<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
  const res = await fetch(`${svc.url}/api/registration/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
}
const post = <T>(path: string, body: unknown, token?: string, headers?: Record<string, string>) => call<T>('POST', path, body, { token, headers });
const get = <T>(path: string, token?: string) => call<T>('GET', path, undefined, { token });

const tokenFor = (sub: string, role: Role, extra: { centerId?: string; region?: string } = {}) =>
  signer.issue({ sub, role, ...extra, audience: AUDIENCE, ttlSeconds: 600 });

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await svc.pool.query<{ n: number }>(`SELECT (${sql})::int AS n`, params);
  return rows[0].n;
}
const events = (type: string) => count(`SELECT count(*) FROM registration.outbox WHERE type = $1`, [type]);
const writes = () =>
  count(`SELECT (SELECT count(*) FROM registration.appointments) + (SELECT count(*) FROM registration.outbox)
           + (SELECT count(*) FROM registration.doses) + (SELECT count(*) FROM registration.idempotency_keys)
           + (SELECT count(*) FROM registration.centers)`);

/** Batches the group commit has run (its metric). */
async function batches(): Promise<number> {
  const text = await (await fetch(`${svc.url}/metrics`)).text();
  return Number(/^jab_booking_batch_size_count(?:\{[^}]*\})? (\d+)$/m.exec(text)?.[1] ?? NaN);
}

/** People seeded straight into the database, each in their own household, with a citizen token. */
async function people(n: number, birthDate = '1980-05-05'): Promise<{ registrantId: string; accountId: string; token: string }[]> {
  const { rows } = await svc.pool.query<{ registrantId: string; accountId: string }>(
    `WITH a AS (
       INSERT INTO registration.accounts (id, contact_channel, contact_address)
       SELECT gen_random_uuid(), 'email', 'p' || i || '-' || $2 || '@example.org' FROM generate_series(1, $1::int) i RETURNING id)
     INSERT INTO registration.registrants (id, account_id, full_name, birth_date, region, preferred_language)
     SELECT gen_random_uuid(), id, 'Test Person', $3, 'FR-IDF', 'en' FROM a
     RETURNING id AS "registrantId", account_id AS "accountId"`,
    [n, randomUUID().slice(0, 8), birthDate],
  );
  return Promise.all(rows.map(async (r) => ({ ...r, token: await tokenFor(r.accountId, 'citizen') })));
}

let admin: string;
let vaccine: VaccineView;
let paris: CenterView;
let lyonOutsideCampaign: CenterView;
let parisStaff: string;
let otherStaff: string;
let day: string;

async function session(center: CenterView, overrides: Record<string, unknown> = {}): Promise<{ session: SessionView; slots: AvailabilityView['slots'] }> {
  const res = await post<SessionView>(
    `/centers/${center.id}/sessions`,
    {
      vaccineId: vaccine.id,
      date: day,
      startTime: '09:00',
      endTime: '09:30',
      slotMinutes: 30,
      capacityDose1: 5,
      capacityLaterDoses: 5,
      walkInQuota: 1,
      ...overrides,
    },
    admin,
  );
  expect(res.status).toBe(201);
  const { rows } = await svc.pool.query<{ id: string }>(`SELECT id FROM registration.slots WHERE session_id = $1 ORDER BY starts_at`, [res.body.id]);
  const avail = await get<AvailabilityView>(`/centers/${center.id}/availability?date=${day}`);
  return { session: res.body, slots: avail.body.slots.filter((s) => rows.some((r) => r.id === s.id)) };
}

const book = (p: { registrantId: string; token: string }, slotId: string, doseNumber = 1, key?: string) =>
  post<AppointmentView & Pick<Problem, 'errors'>>('/appointments', { registrantId: p.registrantId, slotId, doseNumber }, p.token, key ? { 'Idempotency-Key': key } : {});

async function center(region: string, timeZone: string, en: string): Promise<CenterView> {
  const res = await post<CenterView>(
    '/centers',
    {
      names: { en, fr: `${en} (fr)` },
      address: '1 rue de Test, Paris',
      region,
      latitude: 48.85,
      longitude: 2.35,
      languages: ['fr', 'en'],
      vaccineIds: [vaccine.id],
      timeZone,
      openingHours: [{ day: 'mon', opens: '09:00', closes: '17:00' }],
    },
    admin,
  );
  expect(res.status).toBe(201);
  return res.body;
}

beforeAll(async () => {
  const key = await generateSigningKey();
  signer = createSigner({ privateJwk: key.privateJwk, kid: key.kid, issuer: ISSUER });
  // Redis reached through a proxy this file can cut, to prove reads survive its loss.
  proxy = await tcpProxy(Number(new URL(redisUrl()).port || 6379));
  svc = await startTestService(registrationService, {
    ROLE: 'api',
    JWT_PRIVATE_JWK: JSON.stringify(key.privateJwk),
    JWT_KEY_ID: key.kid,
    REDIS_URL: proxy.url(redisUrl()),
  });
  redis = new Redis(redisUrl());
  admin = await tokenFor(randomUUID(), 'national-admin');

  const v = await post<VaccineView>(
    '/vaccines',
    { name: 'Testvax', manufacturer: 'Test Labs', seriesDoses: 2, minIntervalDays: 21, minAgeYears: 18, maxAgeYears: 100 },
    admin,
  );
  expect(v.status).toBe(201);
  vaccine = v.body;
  paris = await center('FR-IDF', 'Europe/Paris', 'Paris Test');
  lyonOutsideCampaign = await center('FR-ARA', 'Europe/Paris', 'Lyon Test');
  day = addDays(localToday('Europe/Paris'), 1);
  const campaign = await post(
    '/campaigns',
    {
      name: 'Test campaign',
      vaccineIds: [vaccine.id],
      regions: ['FR-IDF'],
      startsOn: addDays(day, -60),
      endsOn: addDays(day, 60),
      targetAgeBands: [{ minAge: 18, maxAge: null }],
    },
    admin,
  );
  expect(campaign.status).toBe(201);
  parisStaff = await tokenFor(randomUUID(), 'staff', { centerId: paris.id, region: 'FR-IDF' });
  otherStaff = await tokenFor(randomUUID(), 'staff', { centerId: lyonOutsideCampaign.id, region: 'FR-ARA' });
});

afterAll(async () => {
  await svc?.stop();
  await redis?.quit();
  await proxy?.close();
});

describe('catalogue and centers', () => {
  it('refuses bad input with a message per field and writes nothing', async () => {
    const before = await writes();
    const res = await post<Problem>(
      '/centers',
      { names: { fr: 'x' }, address: 'x', region: 'Paris', latitude: 91, languages: [], vaccineIds: ['nope'], timeZone: 'Mars/Olympus' },
      admin,
    );
    expect(res.status).toBe(400);
    expect(res.body.errors?.map((e) => e.path)).toEqual(
      expect.arrayContaining(['body.names.en', 'body.address', 'body.region', 'body.latitude', 'body.longitude', 'body.timeZone']),
    );
    const badBooking = await post<Problem>('/appointments', { registrantId: 'x', slotId: randomUUID(), doseNumber: 0 }, await tokenFor(randomUUID(), 'citizen'));
    expect(badBooking.status).toBe(400);
    expect(badBooking.body.errors?.map((e) => e.path)).toEqual(expect.arrayContaining(['body.registrantId', 'body.doseNumber']));
    expect(await writes()).toBe(before);
  });

  it('publishes each new center for search, with its vaccines by name, in the same transaction', async () => {
    const made = await center('FR-IDF', 'Europe/Paris', 'Centre Publication Test');
    const { rows } = await svc.pool.query<{ payload: { data: Record<string, unknown> } }>(
      `SELECT payload FROM registration.outbox WHERE type = 'center.saved' AND payload->'data'->>'centerId' = $1`,
      [made.id],
    );
    expect(rows.map((r) => r.payload.data)).toEqual([
      {
        centerId: made.id,
        names: made.names,
        locality: '1 rue de Test, Paris',
        region: 'FR-IDF',
        languages: ['fr', 'en'],
        vaccines: [{ id: vaccine.id, name: vaccine.name }],
        version: 1,
      },
    ]);
  });

  it('lets only a national admin add to the catalogue, and a center admin only open sessions at their own center', async () => {
    const citizen = await tokenFor(randomUUID(), 'citizen');
    expect((await post('/vaccines', { name: 'Other', manufacturer: 'X Labs', seriesDoses: 1, minIntervalDays: 0, minAgeYears: 0 }, citizen)).status).toBe(403);
    const lyonAdmin = await tokenFor(randomUUID(), 'center-admin', { centerId: lyonOutsideCampaign.id });
    const res = await post<Problem>(
      `/centers/${paris.id}/sessions`,
      { vaccineId: vaccine.id, date: day, startTime: '10:00', endTime: '11:00', slotMinutes: 30, capacityDose1: 1, capacityLaterDoses: 0, walkInQuota: 0 },
      lyonAdmin,
    );
    expect(res.status).toBe(403);
  });

  it("cuts a session into slots on the center's clock and stores them in UTC", async () => {
    const mumbai = await center('IN-MH', 'Asia/Kolkata', 'Mumbai Test');
    const mumbaiDay = addDays(localToday('Asia/Kolkata'), 2);
    const admin2 = await tokenFor(randomUUID(), 'center-admin', { region: 'IN-MH' });
    const res = await post<SessionView>(
      `/centers/${mumbai.id}/sessions`,
      { vaccineId: vaccine.id, date: mumbaiDay, startTime: '09:00', endTime: '10:45', slotMinutes: 30, capacityDose1: 3, capacityLaterDoses: 2, walkInQuota: 1 },
      admin2,
    );
    expect(res.status).toBe(201);
    expect(res.body.slotCount).toBe(3);
    const avail = await get<AvailabilityView>(`/centers/${mumbai.id}/availability?date=${mumbaiDay}`);
    expect(avail.body.slots.map((s) => s.startsAt)).toEqual(
      ['09:00', '09:30', '10:00'].map((t) => DateTime.fromISO(`${mumbaiDay}T${t}`, { zone: 'Asia/Kolkata' }).toUTC().toISO()),
    );
    expect(avail.body.slots[0].startsAt).toBe(`${mumbaiDay}T03:30:00.000Z`);
    expect(avail.body.slots[0].remaining).toEqual({ dose1: 3, laterDoses: 2, walkIn: 1 });

    const list = await get<{ items: CenterView[] }>('/centers?region=IN-MH&language=fr');
    expect(list.body.items.map((c) => c.id)).toEqual([mumbai.id]);
    expect((await get<{ items: CenterView[] }>('/centers?region=IN-MH&language=hi')).body.items).toEqual([]);
  });

  it('refuses a session whose hours the clocks skip or pass twice, naming each field, and writes nothing', async () => {
    // Europe/Paris springs forward on 2030-03-31 (02:00 → 03:00) and falls back on 2030-10-27 (03:00 → 02:00).
    const open = (date: string, startTime: string, endTime: string, slotMinutes = 30) =>
      post<SessionView & Problem>(
        `/centers/${paris.id}/sessions`,
        { vaccineId: vaccine.id, date, startTime, endTime, slotMinutes, capacityDose1: 5, capacityLaterDoses: 0, walkInQuota: 0 },
        admin,
      );
    const before = await writes();
    const gap = await open('2030-03-31', '02:15', '02:45');
    expect(gap.status).toBe(400);
    expect(gap.body.errors).toEqual([
      { path: 'body.startTime', message: 'does not exist on 2030-03-31 in Europe/Paris: the clocks go forward from 02:00 to 03:00' },
      { path: 'body.endTime', message: 'does not exist on 2030-03-31 in Europe/Paris: the clocks go forward from 02:00 to 03:00' },
    ]);
    expect((await open('2030-03-31', '02:00', '03:00')).body.errors?.map((e) => e.path)).toEqual(['body.startTime']);
    expect((await open('2030-10-27', '02:30', '05:00')).body.errors?.map((e) => e.path)).toEqual(['body.startTime']);
    // 01:30–03:00 reads as 90 minutes but lasts 30 on that day: no 60-minute slot fits.
    const short = await open('2030-03-31', '01:30', '03:00', 60);
    expect(short.status).toBe(400);
    expect(short.body.errors).toEqual([
      { path: 'body.slotMinutes', message: 'must fit at least once in the session, which lasts 30 minutes on 2030-03-31 in Europe/Paris' },
    ]);
    expect(await writes()).toBe(before);
    expect(await count(`SELECT count(*) FROM registration.sessions WHERE center_id = $1 AND session_date IN ('2030-03-31', '2030-10-27')`, [paris.id])).toBe(0);

    // Spanning a change is fine: the slots follow real time, the repeated hour included.
    const fallBack = await open('2030-10-27', '01:00', '04:00', 60);
    expect(fallBack.status).toBe(201);
    expect(fallBack.body.slotCount).toBe(4);
    const springForward = await open('2030-03-31', '01:00', '04:00', 60);
    expect(springForward.status).toBe(201);
    expect(springForward.body.slotCount).toBe(2);
  });
});

describe('booking', () => {
  it('never books more than the capacity: 200 concurrent bookings for 5 seats leave exactly 5', async () => {
    const { slots } = await session(paris, { startTime: '07:00', endTime: '07:30' });
    const crowd = await people(200);
    const results = await Promise.all(crowd.map((p) => book(p, slots[0].id)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 409)).toHaveLength(195);
    const { rows } = await svc.pool.query(`SELECT booked_dose1 FROM registration.slots WHERE id = $1`, [slots[0].id]);
    expect(rows[0].booked_dose1).toBe(5);
    expect(await count(`SELECT count(*) FROM registration.appointments WHERE slot_id = $1`, [slots[0].id])).toBe(5);
    const codes = results.filter((r) => r.status === 201).map((r) => r.body.code);
    expect(new Set(codes).size).toBe(5);
    for (const code of codes) expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
  });

  it('commits bookings that arrive together at once, each caller getting their own answer and nothing of a refused one', async () => {
    const { slots } = await session(paris, { startTime: '19:00', endTime: '19:30', capacityDose1: 30 });
    const [other] = (await session(paris, { startTime: '19:30', endTime: '20:00', capacityDose1: 10 })).slots;
    const crowd = await people(40);
    const holders = await people(3);
    for (const h of holders) expect((await book(h, other.id)).status).toBe(201);
    const before = await writes();
    const batchesBefore = await batches();
    const [results, again, nowhere] = await Promise.all([
      Promise.all(crowd.map((p) => book(p, slots[0].id))),
      Promise.all(holders.map((h) => book(h, other.id))),
      book(crowd[0], randomUUID()),
    ]);

    const won = results.filter((r) => r.status === 201);
    expect(won).toHaveLength(30);
    for (const r of results.filter((r) => r.status !== 201)) expect(r.body).toMatchObject({ status: 409, detail: 'This slot is full.' });
    // Each 201 is the caller's own person, with a code of their own.
    results.forEach((r, i) => r.status === 201 && expect(r.body.registrantId).toBe(crowd[i].registrantId));
    expect(new Set(won.map((r) => r.body.code)).size).toBe(30);
    for (const r of again) expect(r.body).toMatchObject({ status: 409, detail: 'This person already has an active booking for this dose.' });
    expect(nowhere.status).toBe(404);

    const { rows } = await svc.pool.query<{ booked: number; appointments: number; events: number }>(
      `SELECT (SELECT booked_dose1 FROM registration.slots WHERE id = $1) AS booked,
              (SELECT count(*)::int FROM registration.appointments WHERE slot_id = $1) AS appointments,
              (SELECT count(*)::int FROM registration.outbox WHERE type = 'appointment.booked' AND payload #>> '{data,slotId}' = $1::text) AS events`,
      [slots[0].id],
    );
    expect(rows[0]).toMatchObject({ booked: 30, appointments: 30, events: 30 });
    // Group commit: the 44 requests went to the database in fewer batches than requests.
    expect((await batches()) - batchesBefore).toBeLessThan(44);
    expect(await writes()).toBe(before + 30 * 2);
  });

  it('fails only the booking whose write breaks a rule of the database, not the others of its batch', async () => {
    const { slots } = await session(paris, { startTime: '20:00', endTime: '20:30', capacityDose1: 5 });
    const [good, bad] = await people(2);
    const item = (p: { registrantId: string; accountId: string }, status: string) => ({
      slotId: slots[0].id,
      seat: 'dose1',
      appointment: {
        id: randomUUID(),
        code: Array.from({ length: 8 }, () => 'ABCDEFGH23456789'[Math.floor(Math.random() * 16)]).join(''),
        registrantId: p.registrantId,
        centerId: paris.id,
        vaccineId: vaccine.id,
        doseNumber: 1,
        walkIn: false,
        status,
        bookedBy: p.accountId,
        at: new Date().toISOString(),
      },
      events: [{ id: randomUUID(), type: 'appointment.booked', payload: { test: true }, occurredAt: new Date().toISOString() }],
      access: null,
      idempotency: null,
    });
    const { rows } = await svc.pool.query<{ idx: number; outcome: string }>(`SELECT idx, outcome FROM registration.book_appointments($1::jsonb)`, [
      JSON.stringify([item(good, 'booked'), item(bad, 'no-such-status')]),
    ]);
    expect(Object.fromEntries(rows.map((r) => [r.idx, r.outcome]))).toEqual({ 0: 'booked', 1: expect.stringMatching(/^error:23514/) });
    expect(await count(`SELECT count(*) FROM registration.appointments WHERE registrant_id = ANY($1)`, [[good.registrantId, bad.registrantId]])).toBe(1);
    const { rows: seats } = await svc.pool.query(`SELECT booked_dose1 FROM registration.slots WHERE id = $1`, [slots[0].id]);
    expect(seats[0].booked_dose1).toBe(1);
  });

  it('moves seats between two slots under 50 concurrent reschedules without losing or doubling one', async () => {
    const { slots } = await session(paris, { startTime: '07:30', endTime: '08:30', capacityDose1: 30 });
    const [a, b] = slots;
    const crowd = await people(50);
    const booked = await Promise.all(crowd.map((p, i) => book(p, i % 2 === 0 ? a.id : b.id)));
    expect(booked.every((r) => r.status === 201)).toBe(true);

    const moves = await Promise.all(
      booked.map((r, i) =>
        post<AppointmentView>(`/appointments/${r.body.id}/reschedule`, { slotId: r.body.slotId === a.id ? b.id : a.id }, crowd[i].token),
      ),
    );
    expect(moves.every((m) => m.status === 200 || m.status === 409)).toBe(true);
    expect(moves.some((m) => m.status === 200)).toBe(true);
    const { rows } = await svc.pool.query<{ id: string; booked_dose1: number; holders: number }>(
      `SELECT s.id, s.booked_dose1,
              (SELECT count(*)::int FROM registration.appointments ap WHERE ap.slot_id = s.id AND ap.status = 'booked') AS holders
         FROM registration.slots s WHERE s.id = ANY($1)`,
      [[a.id, b.id]],
    );
    for (const row of rows) expect(row.booked_dose1).toBe(row.holders);
    expect(rows.reduce((sum, r) => sum + r.booked_dose1, 0)).toBe(50);
    expect(await events('appointment.rescheduled')).toBe(moves.filter((m) => m.status === 200).length);
  });

  it('replays the first response for a retried Idempotency-Key and writes once', async () => {
    const { slots } = await session(paris, { startTime: '08:30', endTime: '09:00' });
    const [p] = await people(1);
    const key = randomUUID();
    const first = await book(p, slots[0].id, 1, key);
    const retry = await book(p, slots[0].id, 1, key);
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await count(`SELECT count(*) FROM registration.appointments WHERE registrant_id = $1`, [p.registrantId])).toBe(1);

    // Retries racing the first attempt wait for it and replay its answer.
    const [q] = await people(1);
    const raced = await Promise.all([1, 2, 3].map(() => book(q, slots[0].id, 1, 'same-key')));
    expect(raced.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(raced.map((r) => r.body.id)).size).toBe(1);

    const before = await writes();
    const other = await post<Problem>('/appointments', { registrantId: p.registrantId, slotId: slots[0].id, doseNumber: 2 }, p.token, {
      'Idempotency-Key': key,
    });
    expect(other.status).toBe(422);
    expect(other.body.errors?.[0].path).toBe('header.idempotency-key');
    expect(await writes()).toBe(before);
  });

  it('refuses a second active booking for the same dose with 409 and writes nothing', async () => {
    const { slots } = await session(paris, { startTime: '10:00', endTime: '11:00' });
    const [p] = await people(1);
    expect((await book(p, slots[0].id)).status).toBe(201);
    const before = await writes();
    const second = await book(p, slots[1].id);
    expect(second.status).toBe(409);
    expect(await writes()).toBe(before);
    const { rows } = await svc.pool.query(`SELECT booked_dose1 FROM registration.slots WHERE id = $1`, [slots[1].id]);
    expect(rows[0].booked_dose1).toBe(0);
  });

  it("never lets a citizen book, read, cancel or move another household's appointment", async () => {
    const { slots } = await session(paris, { startTime: '11:00', endTime: '12:00' });
    const [owner, stranger] = await people(2);
    const before = await writes();
    expect((await book({ registrantId: owner.registrantId, token: stranger.token }, slots[0].id)).status).toBe(404);
    expect(await writes()).toBe(before);

    const mine = await book(owner, slots[0].id);
    expect(mine.status).toBe(201);
    expect((await get(`/appointments/${mine.body.id}`, stranger.token)).status).toBe(404);
    expect((await post(`/appointments/${mine.body.id}/cancel`, {}, stranger.token)).status).toBe(404);
    expect((await post(`/appointments/${mine.body.id}/reschedule`, { slotId: slots[1].id }, stranger.token)).status).toBe(404);
    expect((await get<{ items: AppointmentView[] }>('/appointments', stranger.token)).body.items).toEqual([]);
    expect((await get<{ items: AppointmentView[] }>('/appointments', owner.token)).body.items.map((a) => a.id)).toEqual([mine.body.id]);
    expect((await get(`/appointments/${mine.body.id}`, otherStaff)).status).toBe(403);
    expect((await get(`/appointments/${mine.body.id}`)).status).toBe(401);
  });

  it('frees the seat on cancel, with an appointment.cancelled event', async () => {
    const { slots } = await session(paris, { startTime: '12:00', endTime: '12:30', capacityDose1: 1 });
    const [p, q] = await people(2);
    const mine = await book(p, slots[0].id);
    expect((await book(q, slots[0].id)).status).toBe(409);
    const cancelled = await post<AppointmentView>(`/appointments/${mine.body.id}/cancel`, {}, p.token);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const { rows } = await svc.pool.query(`SELECT payload FROM registration.outbox WHERE type = 'appointment.cancelled' AND payload->'data'->>'appointmentId' = $1`, [
      mine.body.id,
    ]);
    expect(rows[0].payload.data).toMatchObject({ reason: 'citizen', slotId: slots[0].id, centerTimeZone: 'Europe/Paris' });
    expect((await book(q, slots[0].id)).status).toBe(201);
    expect((await post(`/appointments/${mine.body.id}/cancel`, {}, p.token)).status).toBe(409);
  });

  it('shows a booking in the cached availability at once', async () => {
    const { slots } = await session(paris, { startTime: '13:00', endTime: '13:30', capacityDose1: 3 });
    const path = `/centers/${paris.id}/availability?date=${day}`;
    const seats = async () => (await get<AvailabilityView>(path)).body.slots.find((s) => s.id === slots[0].id)?.remaining.dose1;
    expect(await seats()).toBe(3);
    expect(await redis.exists(`${svc.prefix}:registration:availability:v:${paris.id}:${day}`)).toBe(1);
    const [p] = await people(1);
    const mine = await book(p, slots[0].id);
    expect(await seats()).toBe(2);
    await post(`/appointments/${mine.body.id}/cancel`, {}, p.token);
    expect(await seats()).toBe(3);
  });
});

describe('eligibility', () => {
  it('refuses, with 422 and the reason per field, a person too young, a center outside any campaign, and a second dose without a first', async () => {
    const { slots } = await session(paris, { startTime: '14:00', endTime: '14:30' });
    const { slots: lyonSlots } = await session(lyonOutsideCampaign, { startTime: '14:00', endTime: '14:30' });
    const [child] = await people(1, addDays(day, -365 * 10));
    const [adult] = await people(1);
    const before = await writes();

    const young = await book(child, slots[0].id);
    expect(young.status).toBe(422);
    expect(young.body.errors?.map((e) => e.path)).toContain('body.registrantId');
    const noCampaign = await book(adult, lyonSlots[0].id);
    expect(noCampaign.status).toBe(422);
    expect(noCampaign.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'body.slotId' })]));
    const noFirst = await book(adult, slots[0].id, 2);
    expect(noFirst.status).toBe(422);
    expect(noFirst.body.errors?.[0]).toMatchObject({ path: 'body.doseNumber', message: 'dose 1 has not been administered' });
    expect(await writes()).toBe(before);
  });

  it('books dose 2 only once the minimum interval since dose 1 has passed', async () => {
    const { slots } = await session(paris, { startTime: '15:00', endTime: '15:30' });
    await post(`/lots`, { vaccineId: vaccine.id, lotNumber: 'INTERVAL-1', expiresOn: addDays(day, 300) }, admin);
    const [recent, earlier] = await people(2);
    const dose1 = (p: { registrantId: string }, daysAgo: number) =>
      post<DoseView>(
        '/doses',
        {
          registrantId: p.registrantId,
          vaccineId: vaccine.id,
          lotNumber: 'INTERVAL-1',
          doseNumber: 1,
          site: 'left-arm',
          administeredAt: DateTime.fromISO(`${day}T12:00`, { zone: 'Europe/Paris' }).minus({ days: daysAgo }).toUTC().toISO(),
        },
        parisStaff,
      );
    const r1 = await dose1(recent, 10);
    expect(r1.status).toBe(201);
    expect(r1.body.nextDoseEarliest).toBe(addDays(day, 11));
    expect((await dose1(earlier, 21)).body.nextDoseEarliest).toBe(day);

    const tooEarly = await book(recent, slots[0].id, 2);
    expect(tooEarly.status).toBe(422);
    expect(tooEarly.body.errors?.[0].message).toContain(`from ${addDays(day, 11)}`);
    const ok = await book(earlier, slots[0].id, 2);
    expect(ok.status).toBe(201);
    const { rows } = await svc.pool.query(`SELECT booked_later, booked_dose1 FROM registration.slots WHERE id = $1`, [slots[0].id]);
    expect(rows[0]).toEqual({ booked_later: 1, booked_dose1: 0 });
  });
});

describe('at the center', () => {
  it('checks a person in by code only at their own center', async () => {
    const { slots } = await session(paris, { startTime: '16:00', endTime: '16:30' });
    const [p] = await people(1);
    const mine = await book(p, slots[0].id);
    const before = await writes();
    expect((await post('/check-ins', { appointmentCode: mine.body.code }, otherStaff)).status).toBe(403);
    expect((await post('/check-ins', { appointmentCode: mine.body.code }, p.token)).status).toBe(403);
    expect(await writes()).toBe(before);
    const ok = await post<AppointmentView>('/check-ins', { appointmentCode: mine.body.code.toLowerCase() }, parisStaff);
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('checked_in');
    expect(await count(`SELECT count(*) FROM registration.access_log WHERE registrant_id = $1 AND action = 'check-in'`, [p.registrantId])).toBe(1);
    expect(await events('appointment.checked_in')).toBeGreaterThanOrEqual(1);
    expect((await post('/check-ins', { appointmentCode: mine.body.code }, parisStaff)).status).toBe(409);
  });

  it('records a dose, completes the appointment and refuses expired or recalled lots and other centers', async () => {
    const { slots } = await session(paris, { startTime: '16:30', endTime: '17:00' });
    const [p] = await people(1);
    const mine = await book(p, slots[0].id);
    await post<LotView>('/lots', { vaccineId: vaccine.id, lotNumber: 'EXPIRED-1', expiresOn: addDays(day, -30) }, admin);
    const recalled = await post<LotView>('/lots', { vaccineId: vaccine.id, lotNumber: 'RECALL-1', expiresOn: addDays(day, 300) }, admin);
    await post<LotView>('/lots', { vaccineId: vaccine.id, lotNumber: 'GOOD-1', expiresOn: addDays(day, 300) }, admin);
    expect((await post(`/lots/${recalled.body.id}/recall`, { reason: 'cold chain breach' }, parisStaff)).status).toBe(403);
    expect((await post(`/lots/${recalled.body.id}/recall`, { reason: 'cold chain breach' }, admin)).status).toBe(200);
    expect(await events('lot.recalled')).toBe(1);

    const dose = (lotNumber: string, token = parisStaff) =>
      post<DoseView & Pick<Problem, 'errors'>>(
        '/doses',
        {
          registrantId: p.registrantId,
          appointmentId: mine.body.id,
          vaccineId: vaccine.id,
          lotNumber,
          doseNumber: 1,
          site: 'right-arm',
          administeredAt: new Date().toISOString(),
        },
        token,
      );
    const before = await writes();
    const expired = await dose('EXPIRED-1');
    expect(expired.status).toBe(422);
    expect(expired.body.errors?.[0]).toMatchObject({ path: 'body.lotNumber', message: `expired on ${addDays(day, -30)}` });
    expect((await dose('RECALL-1')).status).toBe(422);
    expect((await dose('GOOD-1', otherStaff)).status).toBe(403);
    expect(await writes()).toBe(before);

    const given = await dose('GOOD-1');
    expect(given.status).toBe(201);
    expect(given.body.seriesComplete).toBe(false);
    expect(given.body.nextDoseEarliest).toBe(addDays(localToday('Europe/Paris'), 21));
    expect((await get<AppointmentView>(`/appointments/${mine.body.id}`, p.token)).body.status).toBe('completed');
    const { rows } = await svc.pool.query(`SELECT payload FROM registration.outbox WHERE type = 'dose.administered' AND payload->'data'->>'doseId' = $1`, [
      given.body.id,
    ]);
    expect(rows[0].payload.data).toMatchObject({ lotNumber: 'GOOD-1', seriesDoses: 2, appointmentId: mine.body.id });
    expect((await dose('GOOD-1')).status).toBe(409);

    const [stranger] = await people(1);
    const aefi = { severity: 'mild', onsetDate: localToday('Europe/Paris'), description: 'sore arm and a light fever' };
    expect((await post(`/doses/${given.body.id}/adverse-events`, aefi, stranger.token)).status).toBe(404);
    expect((await post(`/doses/${given.body.id}/adverse-events`, aefi, otherStaff)).status).toBe(403);
    const reported = await post<{ reportedBy: string }>(`/doses/${given.body.id}/adverse-events`, aefi, p.token);
    expect(reported.status).toBe(201);
    expect(reported.body.reportedBy).toBe('citizen');
    expect(await events('aefi.reported')).toBe(1);
  });

  it("registers walk-ins against the slot's walk-in quota only", async () => {
    const { slots } = await session(paris, { startTime: '17:00', endTime: '17:30', walkInQuota: 1 });
    const [a, b] = await people(2);
    const walkIn = (p: { registrantId: string }, token = parisStaff) =>
      post<AppointmentView>('/walk-ins', { registrantId: p.registrantId, slotId: slots[0].id, doseNumber: 1 }, token);
    expect((await walkIn(a, otherStaff)).status).toBe(403);
    const first = await walkIn(a);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ walkIn: true, status: 'checked_in' });
    expect((await walkIn(b)).status).toBe(409);
    const { rows } = await svc.pool.query(`SELECT booked_walk_in, booked_dose1 FROM registration.slots WHERE id = $1`, [slots[0].id]);
    expect(rows[0]).toEqual({ booked_walk_in: 1, booked_dose1: 0 });
  });
});

describe('demo data', () => {
  it('seeds a bookable week in Paris and Mumbai, and a second run adds nothing', async () => {
    await svc.command(['seed-demo']);
    const counts = () => count(`SELECT (SELECT count(*) FROM registration.slots) + (SELECT count(*) FROM registration.centers)`);
    const after = await counts();
    await svc.command(['seed-demo']);
    expect(await counts()).toBe(after);
    const mumbai = (await get<CenterView>(`/centers/${DEMO.mumbaiCenterId}`)).body;
    expect(mumbai.region).toBe('IN-MH');
    const week = addDays(localToday('Asia/Kolkata'), 6);
    const avail = await get<AvailabilityView>(`/centers/${mumbai.id}/availability?date=${week}`);
    expect(avail.body.slots).toHaveLength(16);
  });

  it('makes the demo staff accounts only when given JAB_DEMO_PASSWORD, and they sign in with it', async () => {
    const signIn = (email: string, password: string) => post<{ accessToken: string; role: string }>('/staff-sessions', { email, password });
    const password = `demo-${randomUUID()}`;
    const [vaccinator, admin] = DEMO_STAFF;
    expect((await signIn(vaccinator.email, password)).status).toBe(401);
    await svc.command(['seed-demo'], { JAB_DEMO_PASSWORD: password });
    const staff = await signIn(vaccinator.email, password);
    expect(staff.status).toBe(201);
    expect(decodeJwt(staff.body.accessToken)).toMatchObject({ role: 'staff', centerId: DEMO.parisCenterId, region: 'FR-IDF' });
    expect((await signIn(admin.email, password)).body.role).toBe('national-admin');
    // A later run with another password replaces it (a local stack makes a new one per run).
    const next = `demo-${randomUUID()}`;
    await svc.command(['seed-demo'], { JAB_DEMO_PASSWORD: next });
    expect((await signIn(admin.email, password)).status).toBe(401);
    expect((await signIn(admin.email, next)).status).toBe(201);
  });
});

describe('the OpenAPI document', () => {
  it('covers the booking routes', async () => {
    const doc = await get<{ paths: Record<string, unknown> }>('/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/centers/{centerId}/availability',
        '/appointments',
        '/appointments/{appointmentId}/reschedule',
        '/check-ins',
        '/doses',
        '/doses/{doseId}/adverse-events',
        '/lots/{lotId}/recall',
      ]),
    );
  });
});

describe('without Redis', () => {
  it('still serves availability and takes bookings from PostgreSQL', async () => {
    const { slots } = await session(paris, { startTime: '18:00', endTime: '18:30', capacityDose1: 2 });
    const other = addDays(day, 1);
    await proxy.close();
    try {
      const [p] = await people(1);
      expect((await book(p, slots[0].id)).status).toBe(201);
      const avail = await get<AvailabilityView>(`/centers/${paris.id}/availability?date=${other}`);
      expect(avail.status).toBe(200);
      expect(avail.body.slots).toEqual([]);
      const today = await get<AvailabilityView>(`/centers/${paris.id}/availability?date=${day}`);
      // Redis holds an older copy of this day, but it is unreachable: the answer comes from PostgreSQL.
      expect(today.body.slots.find((s) => s.id === slots[0].id)?.remaining.dose1).toBe(1);
    } finally {
      await proxy.reopen();
    }
    await waitFor(async () => (await fetch(`${svc.url}/health/ready`)).status === 200);
  });
});

// Last: by now the tests above have opened sessions of every kind.
describe('session events', () => {
  it('publishes every session with its seats, for analytics to show booked against capacity', async () => {
    const { rows } = await svc.pool.query<{ id: string; expected: number; event: { capacity: number; slots: number } | null }>(
      `SELECT s.id,
              (SELECT count(*) FROM registration.slots sl WHERE sl.session_id = s.id)::int * (s.capacity_dose1 + s.capacity_later + s.walk_in_quota) AS expected,
              (SELECT o.payload->'data' FROM registration.outbox o WHERE o.type = 'session.scheduled' AND o.payload->'data'->>'sessionId' = s.id::text) AS event
         FROM registration.sessions s`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.event?.capacity, r.id).toBe(r.expected);
  });
});
