import type { Problem, RegistrantCreated } from '@jab/contracts';
import { startTestService, type TestService } from '@jab/runtime/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, identityTestEnv, someIp } from '../identity/session.testing.js';
import { registrationService } from '../service.js';

/**
 * Registration answers whether a contact or a national ID is already registered (a person
 * must learn why they cannot register twice), so it is metered like code requests: per
 * client address, and refusals per contact or household (docs/registration.md).
 */
const PER_IP = 4;
const PER_CONTACT = 2;

let svc: TestService;
const env = identityTestEnv({ REGISTRATION_RATE_PER_IP: String(PER_IP), REGISTRATION_RATE_PER_CONTACT: String(PER_CONTACT) });
let n = 0;
const email = (name: string) => ({ channel: 'email' as const, address: `${name}-${++n}@example.org` });
const person = (fullName: string, extra: Record<string, unknown> = {}) => ({
  fullName,
  birthDate: '1985-06-15',
  region: 'FR-IDF',
  preferredLanguage: 'fr',
  ...extra,
});
const register = (body: Record<string, unknown>, ip = someIp(), token?: string) =>
  call<RegistrantCreated & Problem>(svc, 'POST', '/registrants', { body, ip, token });

async function written() {
  const { rows } = await svc.pool.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM registration.accounts) + (SELECT count(*) FROM registration.registrants)
          + (SELECT count(*) FROM registration.outbox) AS n`,
  );
  return Number(rows[0].n);
}

beforeAll(async () => {
  svc = await startTestService(registrationService, env);
});
afterAll(() => svc?.stop());

describe('registration rate limits', () => {
  it('takes at most REGISTRATION_RATE_PER_IP registrations from one client address, then answers 429 with Retry-After and writes nothing', async () => {
    const ip = someIp();
    const statuses: number[] = [];
    for (let i = 0; i < PER_IP; i++) statuses.push((await register({ ...person(`Per Ip ${i}`), contact: email('per-ip') }, ip)).status);
    expect(statuses).toEqual(Array(PER_IP).fill(201));

    const before = await written();
    const refused = await register({ ...person('One Too Many'), contact: email('per-ip') }, ip);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(await written()).toBe(before);
    // Another address is counted apart.
    expect((await register({ ...person('Elsewhere'), contact: email('per-ip') })).status).toBe(201);
  });

  it('answers at most REGISTRATION_RATE_PER_CONTACT refusals for one contact, from any address, then 429', async () => {
    const contact = email('taken');
    expect((await register({ ...person('First Holder'), contact })).status).toBe(201);
    const again = [];
    for (let i = 0; i <= PER_CONTACT; i++) again.push(await register({ ...person(`Prober ${i}`), contact }));
    expect(again.map((r) => r.status)).toEqual([...Array(PER_CONTACT).fill(409), 429]);
    // Spelt differently, it is the same contact.
    expect((await register({ ...person('Prober Caps'), contact: { ...contact, address: contact.address.toUpperCase() } })).status).toBe(429);
  });

  it('bounds the national IDs one household can try, whatever address it calls from', async () => {
    const holder = await register({ ...person('Id Holder', { nationalId: 'FR-KNOWN-0001' }), contact: email('id-holder') });
    expect(holder.status).toBe(201);
    const prober = await register({ ...person('Prober'), contact: email('prober') });
    const token = prober.body.accessToken;
    const tries = [];
    for (let i = 0; i <= PER_CONTACT; i++) tries.push(await register(person(`Probe ${i}`, { nationalId: 'FR-KNOWN-0001' }), someIp(), token));
    expect(tries.map((r) => r.status)).toEqual([...Array(PER_CONTACT).fill(409), 429]);
  });

  it('counts only refusals per household: a family adds its people without meeting the limit', async () => {
    const first = await register({ ...person('Parent One'), contact: email('family') });
    const adds = [];
    for (const name of ['Parent Two', 'Child One', 'Child Two']) adds.push(await register(person(name), someIp(), first.body.accessToken));
    expect(adds.map((r) => r.status)).toEqual([201, 201, 201]);
  });

  it('tells an already registered contact how to find their way: sign in with a one-time code', async () => {
    const contact = email('returning');
    await register({ ...person('Returning Person'), contact });
    const res = await register({ ...person('Returning Person'), contact });
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/sign in with a one-time code/);
    expect(res.body.errors).toEqual([{ path: 'body.contact.address', message: 'already has an account: sign in with a one-time code' }]);
  });
});
