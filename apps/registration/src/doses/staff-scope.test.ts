import type { AccessLog, Problem, StaffSessionResponse } from '@jab/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecordsWorld, type Person, type RecordsWorld } from '../certificates/records.testing.js';

/**
 * Who may act outside their region (docs/decisions/0005): national admins everywhere;
 * staff and center admins in their own region, or at their center on an appointment the
 * person booked there; on a person of another region without one, only with a stated
 * reason, which the access log keeps. A staff account without the region (and, for a
 * vaccinator, the center) its role needs is refused everywhere.
 */
let w: RecordsWorld;
let parisian: Person;

beforeAll(async () => {
  w = await startRecordsWorld();
  parisian = await w.register('Amélie Durand', '1980-02-02');
}, 60_000);
afterAll(() => w?.svc.stop());

async function written(): Promise<number> {
  const { rows } = await w.svc.pool.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM registration.doses) + (SELECT count(*) FROM registration.outbox)
          + (SELECT count(*) FROM registration.access_log) + (SELECT count(*) FROM registration.certificates) AS n`,
  );
  return Number(rows[0].n);
}

const dose = (person: Person, staff: string, headers: Record<string, string> = {}) =>
  w.call<Problem & { id: string }>('POST', '/doses', {
    token: staff,
    headers,
    body: {
      registrantId: person.id,
      vaccineId: w.vaccine.id,
      lotNumber: 'CV-LOT-1',
      doseNumber: 1,
      site: 'left-arm',
      administeredAt: new Date(Date.now() - 60_000).toISOString(),
    },
  });

describe('a dose without an appointment', () => {
  it('is refused for a person of another region without a stated reason, and nothing is written', async () => {
    const before = await written();
    const res = await dose(parisian, w.lyonNurse);
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/outside your region/);
    expect(res.body.detail).toMatch(/X-Access-Reason/);
    expect(await written()).toBe(before);
  });

  it('is recorded outside the region with a stated reason, kept in the access log the person sees', async () => {
    const traveller = await w.register('Bastien Morel', '1975-03-03');
    const res = await dose(traveller, w.lyonNurse, { 'X-Access-Reason': 'traveller from Paris, ID card checked' });
    expect(res.status).toBe(201);
    const { rows } = await w.svc.pool.query(`SELECT action, reason, actor_region FROM registration.access_log WHERE registrant_id = $1`, [traveller.id]);
    expect(rows).toEqual([{ action: 'dose.record', reason: 'traveller from Paris, ID card checked', actor_region: 'FR-ARA' }]);
    const log = await w.call<AccessLog>('GET', `/registrants/${traveller.id}/access-log`, { token: traveller.token });
    expect(log.body.items).toEqual([expect.objectContaining({ action: 'dose.record', role: 'staff', centerId: w.lyon.id, region: 'FR-ARA' })]);
  });

  it('is recorded in the vaccinator’s own region as before, with the center’s own reason', async () => {
    const local = await w.register('Chloé Petit', '1990-04-04');
    expect((await dose(local, w.parisNurse)).status).toBe(201);
  });
});

describe('a walk-in', () => {
  it('of a person of another region needs a stated reason before anything else is checked', async () => {
    const date = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const session = await w.call<{ id: string }>('POST', `/centers/${w.lyon.id}/sessions`, {
      token: w.admin,
      body: { vaccineId: w.vaccine.id, date, startTime: '10:00', endTime: '10:30', slotMinutes: 30, capacityDose1: 1, capacityLaterDoses: 0, walkInQuota: 2 },
    });
    expect(session.status).toBe(201);
    const { rows } = await w.svc.pool.query<{ id: string }>(`SELECT id FROM registration.slots WHERE session_id = $1`, [session.body.id]);
    const walkIn = (headers: Record<string, string> = {}) =>
      w.call<Problem>('POST', '/walk-ins', { token: w.lyonNurse, headers, body: { registrantId: parisian.id, slotId: rows[0].id, doseNumber: 1 } });
    const before = await written();
    const refused = await walkIn();
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/outside your region \(FR-IDF\)/);
    expect(await written()).toBe(before);
    // With a reason the walk-in meets the booking rules: no campaign runs in Lyon here.
    expect((await walkIn({ 'X-Access-Reason': 'traveller, ID card checked' })).status).toBe(422);
  });
});

describe('a staff account without its scope', () => {
  it('is refused on every staff route, saying what the account lacks', async () => {
    const regionless = await w.token('staff', { centerId: w.paris.id });
    const centerless = await w.token('staff', { region: 'FR-IDF' });
    const adminWithoutRegion = await w.token('center-admin', { centerId: w.paris.id });
    const someone = await w.register('Denis Roux', '1970-05-05');
    const reason = { 'X-Access-Reason': 'checking the record' };
    const refused = [
      await dose(someone, regionless),
      await dose(someone, centerless),
      await w.call<Problem>('GET', '/campaigns', { token: regionless }),
      await w.call<Problem>('GET', `/lots?vaccineId=${w.vaccine.id}`, { token: centerless }),
      await w.call<Problem>('GET', `/registrants/${someone.id}`, { token: adminWithoutRegion, headers: reason }),
      await w.call<Problem>('GET', `/certificates?registrantId=${someone.id}`, { token: regionless, headers: reason }),
      await w.call<Problem>('GET', `/centers/${w.paris.id}/appointments?date=2030-01-01`, { token: adminWithoutRegion }),
    ];
    expect(refused.map((r) => r.status)).toEqual(Array(refused.length).fill(403));
    expect(refused[0].body.detail).toBe('Your staff account has no region; ask an administrator to set it.');
  });
});

describe('staff accounts', () => {
  const password = 'correct horse battery staple';
  const create = (...args: string[]) => w.svc.command(['create-staff', ...args], { JAB_STAFF_PASSWORD: password });

  it('cannot be made without the scope their role needs, nor with a region other than their center’s', async () => {
    await expect(create('--email', 'v1@example.org', '--role', 'staff', '--region', 'FR-IDF')).rejects.toThrow(/--center/);
    await expect(create('--email', 'v2@example.org', '--role', 'staff')).rejects.toThrow(/--center/);
    await expect(create('--email', 'a1@example.org', '--role', 'center-admin')).rejects.toThrow(/--region/);
    await expect(create('--email', 'v3@example.org', '--role', 'staff', '--center', w.lyon.id, '--region', 'FR-IDF')).rejects.toThrow(/FR-ARA/);
    const { rows } = await w.svc.pool.query(`SELECT email FROM registration.staff_accounts WHERE email LIKE '%@example.org'`);
    expect(rows).toEqual([]);
  });

  it('take their region from their center when none is given', async () => {
    await create('--email', 'lyon-nurse@example.org', '--role', 'staff', '--center', w.lyon.id);
    const { rows } = await w.svc.pool.query(`SELECT region, center_id FROM registration.staff_accounts WHERE email = 'lyon-nurse@example.org'`);
    expect(rows).toEqual([{ region: 'FR-ARA', center_id: w.lyon.id }]);
  });

  it('made before the rule cannot sign in without their scope', async () => {
    await create('--email', 'old-admin@example.org', '--role', 'national-admin');
    await w.svc.pool.query(`UPDATE registration.staff_accounts SET role = 'center-admin' WHERE email = 'old-admin@example.org'`);
    const res = await w.call<Problem & StaffSessionResponse>('POST', '/staff-sessions', { body: { email: 'old-admin@example.org', password } });
    expect(res.status).toBe(403);
    expect(res.body.accessToken).toBeUndefined();
    expect(res.body.detail).toBe('Your staff account has no region; ask an administrator to set it.');
  });
});
