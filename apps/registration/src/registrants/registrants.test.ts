import { createVerifier } from '@jab/auth';
import type { Problem, RegisterResponse, StaffSessionResponse } from '@jab/contracts';
import { AUDIENCE, ISSUER } from '@jab/runtime';
import { startTestService, type TestService } from '@jab/runtime/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrationService } from '../service.js';

let svc: TestService;

const person = (address: string) => ({
  fullName: 'Zoë Ångström',
  birthDate: '1990-04-02',
  region: 'SE-AB',
  preferredLanguage: 'en',
  contact: { channel: 'email', address },
});

async function counts() {
  const { rows } = await svc.pool.query<{ registrants: number; outbox: number }>(
    `SELECT (SELECT count(*)::int FROM registration.registrants) AS registrants,
            (SELECT count(*)::int FROM registration.outbox) AS outbox`,
  );
  return rows[0];
}

const verifier = () =>
  createVerifier({ jwksUrl: `${svc.url}/api/registration/v1/.well-known/jwks.json`, issuer: ISSUER, audience: AUDIENCE });

beforeAll(async () => {
  // api role only: the relay stays off, so the outbox can be inspected as written.
  svc = await startTestService(registrationService, { ROLE: 'api' });
});
afterAll(() => svc?.stop());

describe('registering a person', () => {
  it('stores them with a registrant.registered event in the outbox and returns a citizen token', async () => {
    const res = await svc.http.post<RegisterResponse>('/registrants', person('zoe@example.org'));
    expect(res.status).toBe(201);
    expect(res.body.registrant).toMatchObject({ fullName: 'Zoë Ångström', birthDate: '1990-04-02', region: 'SE-AB' });

    const { rows } = await svc.pool.query(`SELECT type, payload FROM registration.outbox`);
    expect(rows).toHaveLength(1);
    expect(rows[0].type).toBe('registrant.registered');
    expect(rows[0].payload.data).toMatchObject({ registrantId: res.body.registrant.id, birthYear: 1990, region: 'SE-AB' });

    const principal = await verifier().verify(res.body.accessToken);
    expect(principal).toMatchObject({ role: 'citizen', sub: rows[0].payload.data.accountId });
  });

  it('refuses bad input with a message per field and writes nothing', async () => {
    const before = await counts();
    const res = await svc.http.post<Problem>('/registrants', {
      fullName: 'Z',
      birthDate: '31/12/1990',
      region: 'Sweden',
      contact: {},
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const fields = (res.body.errors ?? []).map((e) => e.path);
    expect(fields).toEqual(
      expect.arrayContaining(['body.birthDate', 'body.contact.channel', 'body.fullName', 'body.preferredLanguage', 'body.region']),
    );
    expect(await counts()).toEqual(before);
  });

  it('refuses a second account for the same contact with 409 and writes nothing', async () => {
    await svc.http.post('/registrants', person('twice@example.org'));
    const before = await counts();
    const res = await svc.http.post<Problem>('/registrants', { ...person('twice@example.org'), fullName: 'Someone Else' });
    expect(res.status).toBe(409);
    expect(res.body.errors?.[0].path).toBe('body.contact.address');
    expect(await counts()).toEqual(before);
  });
});

describe('staff sign-in', () => {
  it('issues a staff token for the right password and refuses a wrong one or an unknown account alike', async () => {
    await svc.command(['create-staff', '--email', 'Nurse@Example.org', '--role', 'center-admin', '--region', 'SE-AB'], {
      JAB_STAFF_PASSWORD: 'correct horse battery',
    });
    const ok = await svc.http.post<StaffSessionResponse>('/staff-sessions', {
      email: 'nurse@example.org',
      password: 'correct horse battery',
    });
    expect(ok.status).toBe(201);
    expect(ok.body.role).toBe('center-admin');
    expect(await verifier().verify(ok.body.accessToken)).toMatchObject({ role: 'center-admin', region: 'SE-AB' });

    const wrong = await svc.http.post<Problem>('/staff-sessions', { email: 'nurse@example.org', password: 'wrong password!!' });
    const unknown = await svc.http.post<Problem>('/staff-sessions', {
      email: 'nobody@example.org',
      password: 'correct horse battery',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.detail).toBe('Email or password is wrong.');
  });

  it('never stores the password in clear', async () => {
    const { rows } = await svc.pool.query(`SELECT password_hash FROM registration.staff_accounts`);
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$/);
  });
});

describe('the OpenAPI document', () => {
  it('describes every route from the schemas that validate it', async () => {
    const doc = await svc.http.get<{ paths: Record<string, unknown> }>('/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/registrants',
        '/registrants/{id}',
        '/registrants/{id}/access-log',
        '/staff-sessions',
        '/otp-requests',
        '/sessions',
        '/sessions/refresh',
        '/sessions/logout',
      ]),
    );
  });
});
