/**
 * No personal data in any log line. Every service runs as its own process (as in
 * `npm start`: one database, a schema each, api and worker roles together) at the most
 * verbose level, and a citizen journey goes through all of them with distinctive data:
 * two people registered (email and phone), signed in by one-time codes read from the
 * message sink, a booking, a dose and its certificate, staff searching and reading the
 * record. Then every line each process wrote is searched for that data.
 */
import { createSigner, generateSigningKey } from '@jab/auth';
import { AUDIENCE, ISSUER } from '@jab/runtime';
import { cleanRedisPrefix, createTestDatabase, redisUrl, testPrefix, waitFor, type TestDatabase } from '@jab/testing';
import { Redis } from 'ioredis';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGION_A, seedCatalogue } from './catalogue.testing.js';
import { childEnv, startChild, type ChildService } from './child.testing.js';
import { expectStatus, field, send } from './http.testing.js';
import type { ServiceName } from './services.testing.js';

let db: TestDatabase;
let prefix: string;
let sinkDir: string;
let reportDir: string;
const children = {} as Record<ServiceName, ChildService>;
const key = await generateSigningKey();
const signer = createSigner({ privateJwk: key.privateJwk, kid: key.kid, issuer: ISSUER });
const secret = () => randomBytes(32).toString('base64url');
const sealing = secret();

beforeAll(async () => {
  db = await createTestDatabase('resilience-logs');
  prefix = testPrefix();
  sinkDir = await mkdtemp(join(tmpdir(), 'jab-logs-sink-'));
  reportDir = await mkdtemp(join(tmpdir(), 'jab-logs-reports-'));
  const common = childEnv(db.url, redisUrl(), prefix, { ROLE: 'all', LOG_LEVEL: 'trace' });
  children.registration = await startChild('registration', {
    ...common,
    JWT_PRIVATE_JWK: JSON.stringify(key.privateJwk),
    JWT_KEY_ID: key.kid,
    OTP_SEALING_KEY: sealing,
    OTP_HASH_KEY: secret(),
    NATIONAL_ID_HASH_KEY: secret(),
    NATIONAL_ID_ENC_KEY: secret(),
  });
  const jwks = { JWKS_URL: `${children.registration.url}/api/registration/v1/.well-known/jwks.json` };
  const [notifications, search, analytics] = await Promise.all([
    // The sink also prints one line per message: those lines are searched too.
    startChild('notifications', { ...common, ...jwks, REGISTRATION_URL: `${children.registration.url}/api/registration/v1`, NOTIFY_SINK_DIR: sinkDir, NOTIFY_SINK_CONSOLE: 'true', OTP_SEALING_KEY: sealing }),
    startChild('search', { ...common, ...jwks, REGISTRATION_URL: `${children.registration.url}/api/registration/v1` }),
    startChild('analytics', { ...common, ...jwks, REPORT_DIR: reportDir }),
  ]);
  Object.assign(children, { notifications, search, analytics });
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(children).map((c) => c.stop(5_000)));
  await db?.drop();
  const redis = new Redis(redisUrl());
  await cleanRedisPrefix(redis, prefix);
  await redis.quit();
  await Promise.all([sinkDir, reportDir].map((d) => d && rm(d, { recursive: true, force: true })));
}, 60_000);

const api = (service: ServiceName, method: string, path: string, options: { body?: unknown; token?: string; headers?: Record<string, string> } = {}) =>
  send(children[service].url, { method, path: `/api/${service}/v1${path}`, ...options });

interface SinkMessage {
  template: string;
  to: { channel: string; address: string };
  body: string;
}
const sinkMessages = async () =>
  (await readFile(join(sinkDir, 'outbox.jsonl'), 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as SinkMessage);

/** Requests a code for `contact`, reads it from the sink as the citizen would, and signs in. */
async function signIn(contact: { channel: string; address: string }) {
  const before = (await sinkMessages()).filter((m) => m.template === 'otp' && m.to.address === contact.address).length;
  expectStatus(await api('registration', 'POST', '/otp-requests', { body: { contact } }), 202, 'a code request');
  const message = await waitFor(
    async () => (await sinkMessages()).filter((m) => m.template === 'otp' && m.to.address === contact.address)[before],
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  const code = /(?<!\d)(\d{6})(?!\d)/.exec(message.body)?.[1];
  if (!code) throw new Error('no code in the message');
  const session = expectStatus(await api('registration', 'POST', '/sessions', { body: { contact, code } }), 201, 'signing in');
  return { code, accessToken: field(session, 'accessToken'), refreshToken: field(session, 'refreshToken') };
}

describe('logs', () => {
  it('carry no name, email, phone number, national ID, one-time code or token, in any line of any service', { timeout: 120_000 }, async () => {
    const admin = await signer.issue({ sub: randomUUID(), role: 'national-admin', audience: AUDIENCE, ttlSeconds: 600 });
    const catalogue = await seedCatalogue((method, path, body) => api('registration', method, path, { body, token: admin }));
    const staff = await signer.issue({ sub: randomUUID(), role: 'staff', region: REGION_A, centerId: catalogue.centerA, audience: AUDIENCE, ttlSeconds: 600 });

    const tag = randomBytes(3).toString('hex');
    const first = {
      givenName: `Zephyrine${tag}`,
      familyName: 'Oyelaran-Quist',
      email: `zephyrine.${tag}@example.org`,
      nationalId: `ZQ${randomInt(1e9, 1e10)}`,
    };
    const second = {
      givenName: `Bartholomew${tag}`,
      familyName: 'Ngozi-Valdés',
      phone: `+4477009${randomInt(10_000, 99_999)}`,
      nationalId: `BN${randomInt(1e9, 1e10)}`,
    };
    const register = async (fullName: string, contact: { channel: string; address: string }, nationalId: string) =>
      expectStatus(
        await api('registration', 'POST', '/registrants', {
          body: { fullName, birthDate: '1979-04-03', region: REGION_A, preferredLanguage: 'en', sex: 'female', contact, nationalId },
        }),
        201,
        'registering',
      );
    const firstContact = { channel: 'email', address: first.email };
    const secondContact = { channel: 'sms', address: second.phone };
    const registered = await register(`${first.givenName} ${first.familyName}`, firstContact, first.nationalId);
    await register(`${second.givenName} ${second.familyName}`, secondContact, second.nationalId);
    const registrantId = field(registered, 'registrant', 'id');

    const firstSession = await signIn(firstContact);
    const secondSession = await signIn(secondContact);
    const booked = expectStatus(
      await api('registration', 'POST', '/appointments', {
        token: firstSession.accessToken,
        body: { registrantId, slotId: catalogue.slot, doseNumber: 1 },
      }),
      201,
      'booking',
    );
    expectStatus(
      await api('registration', 'POST', '/doses', {
        token: staff,
        body: {
          registrantId,
          appointmentId: field(booked, 'id'),
          vaccineId: catalogue.vaccineId,
          lotNumber: catalogue.lotNumber,
          doseNumber: 1,
          site: 'left-arm',
          administeredAt: new Date(Date.now() - 60_000).toISOString(),
        },
      }),
      201,
      'recording the dose',
    );
    const reason = { 'x-access-reason': 'checking the record at the desk' };
    expectStatus(await api('registration', 'GET', `/registrants/${registrantId}`, { token: staff, headers: reason }), 200, 'a staff read');
    expectStatus(await api('registration', 'GET', `/registrants/${registrantId}/fhir`, { token: staff, headers: reason }), 200, 'a FHIR export');
    const refreshed = expectStatus(await api('registration', 'POST', '/sessions/refresh', { body: { refreshToken: firstSession.refreshToken } }), 200, 'a refresh');

    // Staff find both people once search has indexed them: by name, by the phone's last digits.
    const name = encodeURIComponent(first.givenName);
    await waitFor(
      async () => JSON.stringify((await api('search', 'GET', `/registrants?q=${name}&region=${REGION_A}`, { token: staff })).body).includes(registrantId),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const bySuffix = await api('search', 'GET', `/registrants?phoneSuffix=${second.phone.slice(-4)}`, { token: staff });
    expect(JSON.stringify(bySuffix.body)).toContain(second.givenName);

    // The citizen reads their messages and sets preferences; an admin opens the dashboards.
    const messages = await waitFor(
      async () => {
        const res = await api('notifications', 'GET', '/messages', { token: firstSession.accessToken });
        return field<unknown[]>(res, 'items').length >= 3 ? res : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(messages?.status).toBe(200);
    expectStatus(await api('notifications', 'PUT', '/preferences', { token: secondSession.accessToken, body: { email: true, sms: true } }), 200, 'preferences');
    expectStatus(await api('notifications', 'GET', `/messages?registrantId=${registrantId}`, { token: admin, headers: { 'x-access-reason': 'support call' } }), 200, 'an admin reading messages');
    expectStatus(await api('analytics', 'GET', `/summary?region=${REGION_A}`, { token: admin }), 200, 'a dashboard');

    // Every consumer has caught up: messages sent, analytics counted both people and the dose.
    const client = new pg.Client(db.url);
    await client.connect();
    try {
      await waitFor(
        async () => {
          const { rows } = await client.query<{ sent: number; facts: number }>(
            `SELECT (SELECT count(*)::int FROM notifications.messages WHERE status IN ('sent', 'delivered')) AS sent,
                    (SELECT count(*)::int FROM analytics.processed_events) AS facts`,
          );
          // Two welcomes, two codes, a booking confirmation and a certificate; two people, a booking and a dose counted.
          return rows[0].sent >= 6 && rows[0].facts >= 4;
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
    } finally {
      await client.end();
    }

    // Malformed requests (issue #15), each carrying a marker: answered 4xx, and logged as a request line
    // without the marker and without an error (no zlib or URIError message quoting the input).
    const marker = `Malformed${tag}`;
    const malformed: [ServiceName, string, string, { rawBody?: string; headers?: Record<string, string>; token?: string }][] = [];
    for (const service of ['registration', 'notifications', 'search', 'analytics'] as const) {
      malformed.push([service, 'POST', `/api/${service}/v1/${service === 'registration' ? 'registrants' : 'anything'}`, { rawBody: JSON.stringify({ fullName: marker }), headers: { 'content-encoding': 'gzip' } }]);
      malformed.push([service, 'POST', `/api/${service}/v1/anything`, { rawBody: JSON.stringify({ fullName: marker }), headers: { 'content-encoding': `x-${marker}` } }]);
    }
    malformed.push(['registration', 'GET', `/api/registration/v1/centers/%E0%A4%A`, {}]);
    malformed.push(['analytics', 'GET', `/api/analytics/v1/reports/%E0%A4%A`, { token: admin }]);
    malformed.push(['search', 'GET', `/api/search/v1/centers?q=${marker}&date=0000-01-01`, {}]);
    malformed.push(['search', 'GET', `/api/search/v1/centers?q=clinic&cursor=${Buffer.from(JSON.stringify({ f: marker, p: [1e20, marker, marker] })).toString('base64url')}`, {}]);
    malformed.push(['registration', 'GET', `/api/registration/v1/centers/${catalogue.centerA}/availability?date=0000-01-01&note=${marker}`, {}]);
    for (const [service, method, path, options] of malformed) {
      const res = await send(children[service].url, { method, path, ...options });
      expect(res.status, `${service} ${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${service} ${method} ${path}`).toBeLessThan(500);
      expect(res.text).not.toContain(marker);
    }

    // Stopping flushes every process's last lines.
    const exits = await Promise.all(Object.values(children).map((c) => c.stop(15_000)));
    expect(exits.map((e) => e.code)).toEqual([0, 0, 0, 0]);

    const secrets: [string, string][] = [
      ['a given name', first.givenName],
      ['a family name', first.familyName],
      ['a given name', second.givenName],
      ['a family name', second.familyName],
      ['an email address', first.email],
      ['the local part of an email address', first.email.split('@')[0]],
      ['a phone number', second.phone],
      ['a phone number without +', second.phone.slice(1)],
      ['a national ID', first.nationalId],
      ['a national ID', second.nationalId],
      ['an access token', firstSession.accessToken],
      ['a refresh token', firstSession.refreshToken],
      ['a refresh token', field(refreshed, 'refreshToken')],
      ['an access token', secondSession.accessToken],
      ['the registration token', field(registered, 'accessToken')],
      ['the input of a malformed request', marker],
    ];
    const codes: [string, string][] = [firstSession.code, secondSession.code].map((c) => ['a one-time code', c]);
    const found: string[] = [];
    for (const child of Object.values(children)) {
      for (const line of child.lines) {
        const lower = line.toLowerCase();
        for (const [what, value] of secrets) if (lower.includes(value.toLowerCase())) found.push(`${child.name} logged ${what}: ${line.slice(0, 300)}`);
        for (const [what, value] of codes) if (new RegExp(`(?<!\\d)${value}(?!\\d)`).test(line)) found.push(`${child.name} logged ${what}: ${line.slice(0, 300)}`);
      }
    }
    expect(found).toEqual([]);
    // The malformed requests were answered as client errors: no error line, no decoder's message.
    const decoderErrors = Object.values(children).flatMap((c) => c.lines.filter((l) => /Z_DATA_ERROR|incorrect header check|URIError|Failed to decode param|field value out of range|integer out of range/.test(l)));
    expect(decoderErrors).toEqual([]);
    // The search above could not pass vacuously: every service logged its requests and jobs.
    for (const child of Object.values(children)) expect(child.lines.filter((l) => l.includes('"http"')).length, child.name).toBeGreaterThan(0);
    expect(children.notifications.lines.some((l) => l.includes('job completed'))).toBe(true);
  });
});
