import { createVerifier } from '@jab/auth';
import type { OtpAccepted, Problem, SessionTokens, StaffSessionResponse } from '@jab/contracts';
import { AUDIENCE, ISSUER } from '@jab/runtime';
import { startTestService, type TestService } from '@jab/runtime/testing';
import { Redis } from 'ioredis';
import { redisUrl } from '@jab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrationService } from '../service.js';
import { call, identityTestEnv, lastCodeSentTo, signInCitizen, someIp } from './session.testing.js';
import { insertTestCenter } from '../centers/centers.testing.js';

let svc: TestService;
const env = identityTestEnv({ OTP_RATE_PER_DESTINATION: '3', OTP_RATE_PER_IP: '6', STAFF_SIGNIN_RATE: '3' });
const email = (name: string) => ({ channel: 'email' as const, address: `${name}@example.org` });

const verifier = () =>
  createVerifier({ jwksUrl: `${svc.url}/api/registration/v1/.well-known/jwks.json`, issuer: ISSUER, audience: AUDIENCE });

async function rowCounts() {
  const { rows } = await svc.pool.query<{ accounts: number; tokens: number }>(
    `SELECT (SELECT count(*)::int FROM registration.accounts) AS accounts,
            (SELECT count(*)::int FROM registration.refresh_tokens) AS tokens`,
  );
  return rows[0];
}

beforeAll(async () => {
  svc = await startTestService(registrationService, env);
});
afterAll(() => svc?.stop());

describe('citizen sign-in by one-time code', () => {
  it('sends a sealed code and exchanges it for tokens of a new household account', async () => {
    const contact = email('first-login');
    const accepted = await call<OtpAccepted>(svc, 'POST', '/otp-requests', { body: { contact, preferredLanguage: 'fr' } });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ expiresInSeconds: 300 });

    const { rows } = await svc.pool.query(`SELECT payload FROM registration.outbox WHERE type = 'otp.requested'`);
    const data = rows.at(-1).payload.data;
    expect(data).toMatchObject({ destination: contact, preferredLanguage: 'fr', purpose: 'login' });
    const code = await lastCodeSentTo(svc, contact.address, env.OTP_SEALING_KEY);
    expect(code).toMatch(/^\d{6}$/);
    // The code is in no column in clear: not in the event, not in the code table.
    expect(JSON.stringify(rows)).not.toContain(`"${code}"`);
    const stored = await svc.pool.query(`SELECT * FROM registration.otp_codes`);
    expect(JSON.stringify(stored.rows)).not.toContain(code);
    expect(JSON.stringify(stored.rows)).not.toContain(contact.address);

    const session = await call<SessionTokens>(svc, 'POST', '/sessions', { body: { contact, code } });
    expect(session.status).toBe(201);
    const principal = await verifier().verify(session.body.accessToken);
    const account = await svc.pool.query(`SELECT id FROM registration.accounts WHERE contact_address = $1`, [contact.address]);
    expect(principal).toEqual({ sub: account.rows[0].id, role: 'citizen' });
    expect(session.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Single use: the same code does not sign in twice.
    const again = await call<Problem>(svc, 'POST', '/sessions', { body: { contact, code } });
    expect(again.status).toBe(401);
  });

  it('signs an existing household in to the same account, whatever the case of the email', async () => {
    const first = await signInCitizen(svc, env, email('returning'));
    const second = await signInCitizen(svc, env, { channel: 'email', address: 'Returning@Example.org' });
    const [a, b] = await Promise.all([verifier().verify(first.accessToken), verifier().verify(second.accessToken)]);
    expect(b.sub).toBe(a.sub);
  });

  it('answers a code request identically whether or not the contact has an account', async () => {
    const registered = await call(svc, 'POST', '/registrants', {
      body: { fullName: 'Known Person', birthDate: '1980-01-01', region: 'SE-AB', preferredLanguage: 'es', contact: email('known') },
    });
    expect(registered.status).toBe(201);
    const known = await call<OtpAccepted>(svc, 'POST', '/otp-requests', { body: { contact: email('known') } });
    const unknown = await call<OtpAccepted>(svc, 'POST', '/otp-requests', { body: { contact: email('never-seen') } });
    expect(unknown.status).toBe(known.status);
    expect(unknown.body).toEqual(known.body);
    expect([...unknown.headers.keys()].sort()).toEqual([...known.headers.keys()].sort());
    // The known household gets its code in its own language.
    const { rows } = await svc.pool.query(
      `SELECT payload->'data'->>'preferredLanguage' AS lang FROM registration.outbox
        WHERE type = 'otp.requested' AND payload->'data'->'destination'->>'address' = 'known@example.org'`,
    );
    expect(rows[0].lang).toBe('es');
  });

  it('locks a code after 5 wrong guesses, even against the right code afterwards', async () => {
    const contact = email('brute-force');
    await call(svc, 'POST', '/otp-requests', { body: { contact } });
    const code = await lastCodeSentTo(svc, contact.address, env.OTP_SEALING_KEY);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const before = await rowCounts();
    // Concurrent guesses cannot slip past the count either.
    const guesses = await Promise.all(
      Array.from({ length: 5 }, () => call<Problem>(svc, 'POST', '/sessions', { body: { contact, code: wrong } })),
    );
    expect(guesses.map((g) => g.status)).toEqual([401, 401, 401, 401, 401]);

    const right = await call<Problem>(svc, 'POST', '/sessions', { body: { contact, code } });
    expect(right.status).toBe(401);
    expect(right.body.detail).toMatch(/request a new one/);
    expect(await rowCounts()).toEqual(before);
    const { rows } = await svc.pool.query(`SELECT attempts, consumed_at FROM registration.otp_codes`);
    expect(rows.find((r) => r.attempts === 5)).toMatchObject({ consumed_at: null });
  });

  it('refuses bad input with field messages', async () => {
    const res = await call<Problem>(svc, 'POST', '/sessions', { body: { contact: { channel: 'sms', address: '12' }, code: '12ab' } });
    expect(res.status).toBe(400);
    expect(res.body.errors?.map((e) => e.path).sort()).toEqual(['body.code', 'body.contact.address']);
  });
});

describe('rate limits on codes', () => {
  it('answers 429 with Retry-After once a destination has had its codes, from any IP', async () => {
    const contact = email('flooded');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(svc, 'POST', '/otp-requests', { body: { contact }, ip: someIp() })).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
    const limited = await call<Problem>(svc, 'POST', '/otp-requests', { body: { contact }, ip: someIp() });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
    // Only three codes were issued.
    const { rows } = await svc.pool.query(
      `SELECT count(*)::int AS n FROM registration.outbox WHERE payload->'data'->'destination'->>'address' = $1`,
      [contact.address],
    );
    expect(rows[0].n).toBe(3);
  });

  it('answers 429 once one IP has asked for too many destinations, and counts in Redis shared by every task', async () => {
    const ip = someIp();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await call(svc, 'POST', '/otp-requests', { body: { contact: email(`spray-${i}`) }, ip })).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 202, 429]);
    // Another address is not held back by that IP's limit.
    expect((await call(svc, 'POST', '/otp-requests', { body: { contact: email('spray-7') } })).status).toBe(202);

    const redis = new Redis(redisUrl());
    try {
      const keys = await redis.keys(`${svc.prefix}:rl:otp-ip:*`);
      expect(keys.length).toBeGreaterThan(0);
      // Keys name hashes and IPs, never the contact.
      const all = await redis.keys(`${svc.prefix}:rl:*`);
      expect(all.join(' ')).not.toContain('example.org');
    } finally {
      await redis.quit();
    }
  });
});

describe('refresh tokens', () => {
  it('rotates on every use and revokes the whole session when an old one is replayed', async () => {
    const first = await signInCitizen(svc, env, email('rotating'));
    const second = await call<SessionTokens>(svc, 'POST', '/sessions/refresh', { body: { refreshToken: first.refreshToken } });
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect((await verifier().verify(second.body.accessToken)).role).toBe('citizen');
    const third = await call<SessionTokens>(svc, 'POST', '/sessions/refresh', { body: { refreshToken: second.body.refreshToken } });
    expect(third.status).toBe(200);

    // A replay of a rotated token (a stolen copy) ends the session for everyone holding it.
    const replay = await call<Problem>(svc, 'POST', '/sessions/refresh', { body: { refreshToken: first.refreshToken } });
    expect(replay.status).toBe(401);
    const current = await call<Problem>(svc, 'POST', '/sessions/refresh', { body: { refreshToken: third.body.refreshToken } });
    expect(current.status).toBe(401);

    // Another session of the same account is untouched.
    const other = await signInCitizen(svc, env, email('rotating'));
    expect((await call(svc, 'POST', '/sessions/refresh', { body: { refreshToken: other.refreshToken } })).status).toBe(200);
  });

  it('stores refresh tokens hashed only', async () => {
    const session = await signInCitizen(svc, env, email('hashed'));
    const { rows } = await svc.pool.query(`SELECT * FROM registration.refresh_tokens`);
    expect(JSON.stringify(rows)).not.toContain(session.refreshToken);
  });

  it('stops refreshing after logout', async () => {
    const session = await signInCitizen(svc, env, email('leaving'));
    const out = await call(svc, 'POST', '/sessions/logout', { body: { refreshToken: session.refreshToken } });
    expect(out.status).toBe(204);
    expect((await call(svc, 'POST', '/sessions/refresh', { body: { refreshToken: session.refreshToken } })).status).toBe(401);
    expect((await call(svc, 'POST', '/sessions/logout', { body: { refreshToken: session.refreshToken } })).status).toBe(204);
  });
});

describe('staff sign-in', () => {
  const centerId = '0190a6f0-0000-7000-8000-000000000001';

  it('puts the staff member’s center and region into their token', async () => {
    await insertTestCenter(svc.pool, centerId, 'SE-AB');
    await svc.command(['create-staff', '--email', 'vax@example.org', '--role', 'staff', '--region', 'SE-AB', '--center', centerId], {
      JAB_STAFF_PASSWORD: 'correct horse battery',
    });
    const ok = await call<StaffSessionResponse>(svc, 'POST', '/staff-sessions', {
      body: { email: 'vax@example.org', password: 'correct horse battery' },
    });
    expect(ok.status).toBe(201);
    expect(await verifier().verify(ok.body.accessToken)).toMatchObject({ role: 'staff', region: 'SE-AB', centerId });
  });

  it('throttles password guessing per email and IP with 429 and Retry-After', async () => {
    await svc.command(['create-staff', '--email', 'target@example.org', '--role', 'center-admin', '--region', 'SE-AB'], {
      JAB_STAFF_PASSWORD: 'correct horse battery',
    });
    const ip = someIp();
    const guess = (password: string, from = ip) =>
      call<Problem>(svc, 'POST', '/staff-sessions', { body: { email: 'target@example.org', password }, ip: from });
    const statuses: number[] = [];
    for (const password of ['guess one!', 'guess two!', 'guess three!', 'guess four!']) statuses.push((await guess(password)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    // Throttled even with the right password: the limiter decides before the password is checked.
    const right = await guess('correct horse battery');
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    // The same staff member from their own workstation is not locked out by someone else's guessing.
    expect((await guess('correct horse battery', someIp())).status).toBe(201);
  });
});
