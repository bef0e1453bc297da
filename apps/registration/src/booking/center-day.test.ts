import type { AppointmentView, CenterAppointmentList, Problem, SessionView } from '@jab/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecordsWorld, type Person, type RecordsWorld } from '../certificates/records.testing.js';
import { addDays, localToday } from '../centers/slots.js';
import { maskedName } from './booking.service.js';

let w: RecordsWorld;
let day: string;
const people: Record<'ana' | 'ben' | 'chloe' | 'dan' | 'eve', Person & { appointment: AppointmentView }> = {} as never;

const list = (token: string, query = '', headers: Record<string, string> = {}) =>
  w.call<CenterAppointmentList & Problem>('GET', `/centers/${w.paris.id}/appointments?date=${day}${query}`, { token, headers });
const logged = async () =>
  (await w.svc.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM registration.access_log WHERE action = 'appointment-list.read'`)).rows[0].n;

beforeAll(async () => {
  w = await startRecordsWorld();
  day = addDays(localToday('Europe/Paris'), 1);
  const campaign = await w.call('POST', '/campaigns', {
    token: w.admin,
    body: {
      name: 'Center day campaign',
      vaccineIds: [w.vaccine.id],
      regions: ['FR-IDF'],
      startsOn: addDays(day, -1),
      endsOn: addDays(day, 30),
      targetAgeBands: [{ minAge: 12, maxAge: null }],
    },
  });
  expect(campaign.status).toBe(201);
  const session = await w.call<SessionView>('POST', `/centers/${w.paris.id}/sessions`, {
    token: w.admin,
    body: { vaccineId: w.vaccine.id, date: day, startTime: '09:00', endTime: '10:30', slotMinutes: 30, capacityDose1: 5, capacityLaterDoses: 0, walkInQuota: 0 },
  });
  expect(session.status).toBe(201);
  const { rows: slots } = await w.svc.pool.query<{ id: string }>(`SELECT id FROM registration.slots WHERE session_id = $1 ORDER BY starts_at`, [
    session.body.id,
  ]);
  const book = async (fullName: string, slot: number) => {
    const person = await w.register(fullName, '1980-01-01');
    const res = await w.call<AppointmentView>('POST', '/appointments', {
      token: person.token,
      body: { registrantId: person.id, slotId: slots[slot].id, doseNumber: 1 },
    });
    expect(res.status).toBe(201);
    return { ...person, appointment: res.body };
  };
  people.ana = await book('Ana Lopez', 0);
  people.ben = await book('Ben Okoro', 0);
  people.chloe = await book('Chloé Dubois', 1);
  people.dan = await book('Dan Levi', 2);
  people.eve = await book('Eve Martin', 2);

  expect((await w.call('POST', '/check-ins', { token: w.parisNurse, body: { appointmentCode: people.ben.appointment.code } })).status).toBe(200);
  expect((await w.call('POST', `/appointments/${people.chloe.appointment.id}/cancel`, { token: people.chloe.token })).status).toBe(200);
  const dose = await w.call('POST', '/doses', {
    token: w.parisNurse,
    body: {
      registrantId: people.dan.id,
      appointmentId: people.dan.appointment.id,
      vaccineId: w.vaccine.id,
      lotNumber: 'CV-LOT-1',
      doseNumber: 1,
      site: 'left-arm',
      administeredAt: new Date().toISOString(),
    },
  });
  expect(dose.status).toBe(201);
  // As if the last slot's time had passed: Eve, still booked, did not come.
  await w.svc.pool.query(
    `UPDATE registration.slots SET starts_at = now() - interval '2 hours', ends_at = now() - interval '90 minutes' WHERE id = $1`,
    [slots[2].id],
  );
});
afterAll(() => w?.svc.stop());

describe("a center's appointments of the day", () => {
  it("show the center's vaccinator each time, full name, status and code, in slot order", async () => {
    const res = await list(w.parisNurse);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ centerId: w.paris.id, date: day, timeZone: 'Europe/Paris', nextCursor: null });
    const { ana, ben, chloe, dan, eve } = people;
    // Slot order (the passed slot now starts first), then booking order within a slot.
    expect(res.body.items.map((a) => [a.name, a.status, a.code, a.nameMasked])).toEqual([
      ['Dan Levi', 'completed', dan.appointment.code, false],
      ['Eve Martin', 'no_show', eve.appointment.code, false],
      ['Ana Lopez', 'booked', ana.appointment.code, false],
      ['Ben Okoro', 'checked_in', ben.appointment.code, false],
      ['Chloé Dubois', 'cancelled', chloe.appointment.code, false],
    ]);
    expect(res.body.items[0]).toMatchObject({ vaccineName: 'Certvax', doseNumber: 1, walkIn: false, startsAt: expect.any(String), endsAt: expect.any(String) });
  });

  it('pages with the cursor, every appointment once', async () => {
    const all = (await list(w.parisNurse)).body.items.map((a) => a.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: CenterAppointmentList } = await list(w.parisNurse, `&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((a) => a.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(all);
  });

  it('filter by status, no-shows included', async () => {
    const only = async (status: string) => (await list(w.parisNurse, `&status=${status}`)).body.items.map((a) => a.registrantId);
    expect(await only('no_show')).toEqual([people.eve.id]);
    expect(await only('cancelled')).toEqual([people.chloe.id]);
    expect(await only('checked_in')).toEqual([people.ben.id]);
    expect(await only('completed')).toEqual([people.dan.id]);
    expect(await only('booked')).toEqual([people.ana.id]);
  });

  it('are refused to staff of another center, admins of another region and citizens, leaving no trace', async () => {
    const before = await logged();
    expect((await list(w.lyonNurse)).status).toBe(403);
    expect((await list(await w.token('center-admin', { region: 'FR-ARA' }))).status).toBe(403);
    expect((await list(await w.token('center-admin', { centerId: w.lyon.id, region: 'FR-IDF' }))).status).toBe(403);
    expect((await list(people.ana.token)).status).toBe(403);
    expect(await logged()).toBe(before);
    const unknown = await w.call('GET', `/centers/0190a6f0-0000-7000-8000-00000000ffff/appointments?date=${day}`, { token: w.admin });
    expect(unknown.status).toBe(404);
  });

  it('show admins initials only, unless they say why; every person listed is in the access log', async () => {
    const regionAdmin = await w.token('center-admin', { region: 'FR-IDF' });
    const masked = await list(regionAdmin);
    expect(masked.status).toBe(200);
    const ana = masked.body.items.find((a) => a.registrantId === people.ana.id);
    expect(ana).toMatchObject({ name: 'A. L.', nameMasked: true });
    for (const item of masked.body.items) expect(item.name).toMatch(/^(\S\. ?)+$/);

    const full = await list(w.admin, '', { 'X-Access-Reason': 'no-show follow-up' });
    expect(full.body.items.find((a) => a.registrantId === people.ana.id)).toMatchObject({ name: 'Ana Lopez', nameMasked: false });

    const { rows } = await w.svc.pool.query(
      `SELECT registrant_id, actor_role, reason FROM registration.access_log
        WHERE action = 'appointment-list.read' AND actor_role = 'national-admin'`,
    );
    expect(rows.map((r) => r.registrant_id).sort()).toEqual(Object.values(people).map((p) => p.id).sort());
    expect(new Set(rows.map((r) => r.reason))).toEqual(new Set(['no-show follow-up']));
    // The household sees it in the person's own access log.
    const own = await w.call<{ items: { action: string; role: string }[] }>('GET', `/registrants/${people.eve.id}/access-log`, { token: people.eve.token });
    expect(own.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'appointment-list.read', role: 'national-admin' })]));
  });

  it('answer bad input with 400 per field', async () => {
    const bad = await w.call<Problem>('GET', `/centers/${w.paris.id}/appointments?date=tomorrow&limit=0&status=late`, { token: w.parisNurse });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((e) => e.path).sort()).toEqual(['query.date', 'query.limit', 'query.status']);
    const cursor = await list(w.parisNurse, '&cursor=bm90LWEtY3Vyc29y');
    expect(cursor.status).toBe(400);
    expect(cursor.body.errors?.[0].path).toBe('query.cursor');
    // Well-formed, but with an instant PostgreSQL cannot store (year 0000) or far out of range.
    for (const startsAt of ['0000-01-01T09:00:00.000Z', '9999-12-31T09:00:00.000Z']) {
      const forged = Buffer.from(JSON.stringify([startsAt, '0190a7e4-5b8c-7c3e-9f1a-2b3c4d5e6f70'])).toString('base64url');
      const res = await list(w.parisNurse, `&cursor=${forged}`);
      expect(res.status, startsAt).toBe(400);
      expect(res.body.errors).toEqual([{ path: 'query.cursor', message: 'must be the nextCursor of a previous page' }]);
    }
    const bounds = await w.call<Problem>('GET', `/centers/${w.paris.id}/appointments?date=0000-01-01`, { token: w.parisNurse });
    expect(bounds.status).toBe(400);
    expect(bounds.body.errors).toEqual([{ path: 'query.date', message: 'must be a date from 1900-01-01 to 2200-12-31' }]);
  });
});

describe('masked names', () => {
  it('keep the first character of each part, whole even when it is a letter and a combining accent', () => {
    expect(maskedName('Élodie  Martin')).toBe('É. M.');
    expect(maskedName('E\u0301lodie Martin')).toBe('E\u0301. M.');
    expect(maskedName('Lin')).toBe('L.');
  });
});
