import type { Problem } from '@jab/contracts';
import { startTestService, type TestService } from '@jab/runtime/testing';
import { redisUrl, tcpProxy, waitFor, type TcpProxy } from '@jab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrationService } from '../service.js';
import { call, identityTestEnv } from './session.testing.js';

let svc: TestService;
let proxy: TcpProxy;

beforeAll(async () => {
  // Redis is away from the very start, so the limiter cannot even load its scripts.
  proxy = await tcpProxy(Number(new URL(redisUrl()).port || 6379));
  await proxy.close();
  svc = await startTestService(registrationService, identityTestEnv({ REDIS_URL: proxy.url(redisUrl()) }));
});
afterAll(async () => {
  await svc?.stop();
  await proxy?.close();
});

const outboxSize = async () => (await svc.pool.query(`SELECT count(*)::int AS n FROM registration.outbox`)).rows[0].n;

describe('sign-in rate limits without Redis', () => {
  it('fail closed with 503 and Retry-After, send nothing, and work again once Redis is back', async () => {
    const contact = { channel: 'email', address: 'outage@example.org' };
    const down = await call<Problem>(svc, 'POST', '/otp-requests', { body: { contact } });
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('5');
    const staff = await call<Problem>(svc, 'POST', '/staff-sessions', { body: { email: 'x@example.org', password: 'whatever it is' } });
    expect(staff.status).toBe(503);
    expect(await outboxSize()).toBe(0);

    await proxy.reopen();
    await waitFor(async () => (await call(svc, 'POST', '/otp-requests', { body: { contact } })).status === 202, { timeoutMs: 8_000, intervalMs: 200 });
    expect(await outboxSize()).toBe(1);
  });
});

describe('registration limits without Redis', () => {
  it('fail open: people still register during the outage, their writes needing only PostgreSQL', async () => {
    await proxy.close();
    try {
      const person = { fullName: 'Outage Person', birthDate: '1980-01-01', region: 'FR-IDF', preferredLanguage: 'fr' };
      const res = await call(svc, 'POST', '/registrants', { body: { ...person, contact: { channel: 'email', address: 'registers-anyway@example.org' } } });
      expect(res.status).toBe(201);
      // The sign-in door next to it stays shut.
      expect((await call(svc, 'POST', '/otp-requests', { body: { contact: { channel: 'email', address: 'x@example.org' } } })).status).toBe(503);
    } finally {
      await proxy.reopen();
    }
  });
});
