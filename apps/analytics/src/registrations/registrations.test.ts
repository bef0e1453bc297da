import { QUEUES, type DailyRegistrations } from '@jab/contracts';
import { registrantRegistered } from '@jab/contracts/testing';
import { startTestIssuer, startTestService, type TestIssuer, type TestService } from '@jab/runtime/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsService } from '../service.js';

let issuer: TestIssuer;
let svc: TestService;

const daily = (token: string, query = '') => svc.http.get<DailyRegistrations>(`/registrations/daily${query}`, { token });

beforeAll(async () => {
  issuer = await startTestIssuer();
  svc = await startTestService(analyticsService, { JWKS_URL: issuer.jwksUrl });
  const first = registrantRegistered({ region: 'SE-AB', registeredOn: '2026-11-20' });
  const events = [
    first,
    registrantRegistered({ region: 'SE-AB', registeredOn: '2026-11-20' }),
    registrantRegistered({ region: 'FR-IDF', registeredOn: '2026-11-20' }),
    registrantRegistered({ region: 'FR-IDF', registeredOn: '2026-11-21' }),
  ];
  for (const e of events) await svc.enqueue(QUEUES.analyticsFromRegistration, e);
  // A redelivery of the first event under another job id must not count twice.
  await svc.enqueue(QUEUES.analyticsFromRegistration, first, `again-${first.id}`);
  await svc.drained(QUEUES.analyticsFromRegistration);
});
afterAll(async () => {
  await svc?.stop();
  await issuer?.close();
});

describe('registrations per day', () => {
  it('counts every registration once, per day, for a national admin', async () => {
    const res = await daily(await issuer.token('admin-1', 'national-admin'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: [
        { day: '2026-11-20', count: 3 },
        { day: '2026-11-21', count: 1 },
      ],
      total: 4,
    });
  });

  it('filters by date range and region', async () => {
    const res = await daily(await issuer.token('admin-1', 'national-admin'), '?from=2026-11-21&region=FR-IDF');
    expect(res.body).toEqual({ items: [{ day: '2026-11-21', count: 1 }], total: 1 });
  });

  it('keeps a regional admin to their own region', async () => {
    const token = await issuer.token('ca-1', 'center-admin', { region: 'SE-AB' });
    expect((await daily(token)).body).toEqual({ items: [{ day: '2026-11-20', count: 2 }], total: 2 });
    expect((await daily(token, '?region=FR-IDF')).status).toBe(403);
  });

  it('refuses citizens and vaccinators, and explains a bad range', async () => {
    expect((await daily(await issuer.token('acct-1', 'citizen'))).status).toBe(403);
    expect((await daily(await issuer.token('staff-1', 'staff'))).status).toBe(403);
    const bad = await daily(await issuer.token('admin-1', 'national-admin'), '?from=2026-11-22&to=2026-11-01');
    expect(bad.status).toBe(400);
  });
});
