import { QUEUES } from '@jab/contracts';
import { registrantRegistered } from '@jab/contracts/testing';
import { startTestIssuer, startTestService, type TestIssuer, type TestService } from '@jab/runtime/testing';
import { redisUrl, tcpProxy, waitFor, type TcpProxy } from '@jab/testing';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEND_QUEUES } from './queues.js';
import { notificationsService } from './service.js';

let proxy: TcpProxy;
let issuer: TestIssuer;
let svc: TestService;
let sinkDir: string;

const sent = async () =>
  (await readFile(join(sinkDir, 'outbox.jsonl'), 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { to: { address: string } });
const sentCount = async () =>
  Number((await svc.pool.query<{ n: string }>(`SELECT count(*) AS n FROM notifications.messages WHERE status = 'sent'`)).rows[0].n);

beforeAll(async () => {
  proxy = await tcpProxy(Number(new URL(redisUrl()).port || 6379), new URL(redisUrl()).hostname);
  issuer = await startTestIssuer();
  sinkDir = await mkdtemp(join(tmpdir(), 'jab-sink-outage-'));
  // Every connection of the service goes through the proxy; the test's own enqueue does not.
  svc = await startTestService(notificationsService, {
    JWKS_URL: issuer.jwksUrl,
    // Registration's access check is unreachable here (nothing listens on port 9): staff reads answer 503.
    REGISTRATION_URL: 'http://127.0.0.1:9/api/registration/v1',
    NOTIFY_SINK_DIR: sinkDir,
    NOTIFY_SINK_CONSOLE: 'false',
    REDIS_URL: proxy.url(redisUrl()),
  });
});
afterAll(async () => {
  await proxy?.reopen();
  await svc?.stop();
  await proxy?.close();
  await issuer?.close();
  await rm(sinkDir, { recursive: true, force: true });
});

describe('a Redis outage during a burst', () => {
  // A job that was active when the connection dropped loses its lock; BullMQ hands it
  // back only through stalled-job recovery (30 s lock + 30 s stalled check), so the
  // whole recovery may take a minute when the outage catches a job mid-flight.
  it('loses nothing and sends nothing twice once Redis is back', { timeout: 120_000 }, async () => {
    const burst = Array.from({ length: 40 }, (_, i) => registrantRegistered({ contact: { channel: 'email', address: `burst-${i}@example.org` } }));
    await Promise.all(burst.slice(0, 20).map((e) => svc.enqueue(QUEUES.notificationsFromRegistration, e)));
    await waitFor(async () => (await sentCount()) >= 3);

    await proxy.close();
    // The rest of the burst arrives while the workers cannot reach Redis.
    await Promise.all(burst.slice(20).map((e) => svc.enqueue(QUEUES.notificationsFromRegistration, e)));
    await new Promise((r) => setTimeout(r, 1_000));
    await proxy.reopen();

    await waitFor(async () => (await sentCount()) === 40, { timeoutMs: 100_000 });
    await svc.drained(QUEUES.notificationsFromRegistration);
    await svc.drained(SEND_QUEUES.email);
    const lines = await sent();
    expect(lines).toHaveLength(40);
    expect(new Set(lines.map((l) => l.to.address)).size).toBe(40);
  });
});
