/**
 * Test support for the identity tests (imported by *.test.ts only): signs a citizen in
 * through the real one-time-code flow, reading the sealed code from the outbox the
 * way the notifications service would.
 */
import { openSecret, sealingKey } from '@jab/auth';
import type { Contact, SessionTokens } from '@jab/contracts';
import { randomBytes, randomInt } from 'node:crypto';
import type { Pool } from 'pg';

export interface ServiceUnderTest {
  url: string;
  pool: Pool;
}

/** Settings every identity test runs with: fixed keys it can open sealed codes with. */
export function identityTestEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ROLE: 'api',
    OTP_SEALING_KEY: randomBytes(32).toString('base64url'),
    OTP_HASH_KEY: randomBytes(32).toString('base64url'),
    NATIONAL_ID_HASH_KEY: randomBytes(32).toString('base64url'),
    NATIONAL_ID_ENC_KEY: randomBytes(32).toString('base64url'),
    OTP_RATE_PER_IP: '1000',
    // Households here race ten adds at once; registration-limits.test.ts proves the limits.
    REGISTRATION_RATE_PER_CONTACT: '1000',
    ...overrides,
  };
}

/** A client address of its own, so per-IP limits of one test never touch another. */
export const someIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

export interface Reply<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** HTTP against the service's API with any method and headers (the kit's client has GET and POST only). */
export async function call<T>(
  svc: ServiceUnderTest,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string>; ip?: string } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { 'x-forwarded-for': options.ip ?? someIp(), ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  const res = await fetch(`${svc.url}/api/registration/v1${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

/** The newest code sent to `address`, opened with the sealing key as notifications would. */
export async function lastCodeSentTo(svc: ServiceUnderTest, address: string, sealingKeyB64: string): Promise<string> {
  const { rows } = await svc.pool.query<{ sealed: string }>(
    `SELECT payload->'data'->>'sealedCode' AS sealed FROM registration.outbox
      WHERE type = 'otp.requested' AND payload->'data'->'destination'->>'address' = $1
      ORDER BY seq DESC LIMIT 1`,
    [address],
  );
  if (!rows[0]) throw new Error('no code was sent to that address');
  return openSecret(rows[0].sealed, sealingKey(sealingKeyB64));
}

/** Requests a code, reads it from the outbox and signs in with it. */
export async function signInCitizen(svc: ServiceUnderTest, env: Record<string, string>, contact: Contact): Promise<SessionTokens> {
  const requested = await call(svc, 'POST', '/otp-requests', { body: { contact } });
  if (requested.status !== 202) throw new Error(`code request answered ${requested.status}`);
  const address = contact.channel === 'email' ? contact.address.toLowerCase() : contact.address;
  const code = await lastCodeSentTo(svc, address, env.OTP_SEALING_KEY);
  const session = await call<SessionTokens>(svc, 'POST', '/sessions', { body: { contact, code } });
  if (session.status !== 201) throw new Error(`sign-in answered ${session.status}`);
  return session.body;
}
