/**
 * A citizen's message history comes from the Aurora reader (docs/decisions/0006-read-replica.md).
 * The reader here is a database that nothing replicates into, behind a role that may only
 * read: the message exists there alone, so listing it proves which pool answered.
 */
import type { MessageView } from '@jab/contracts';
import { createTestReader, startTestIssuer, startTestService, type TestIssuer, type TestReader, type TestService } from '@jab/runtime/testing';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { notificationsService } from './service.js';

let issuer: TestIssuer;
let reader: TestReader;
let svc: TestService;

beforeAll(async () => {
  issuer = await startTestIssuer();
  reader = await createTestReader(notificationsService);
  svc = await startTestService(notificationsService, {
    JWKS_URL: issuer.jwksUrl,
    ROLE: 'api',
    REGISTRATION_URL: 'http://127.0.0.1:9/api/registration/v1',
    NOTIFY_SINK_DIR: join(tmpdir(), 'jab-read-pool-sink'),
    DATABASE_READ_URL: reader.url,
  });
}, 60_000);

afterAll(async () => {
  await svc?.stop();
  await reader?.drop();
  await issuer?.close();
});

it("lists a citizen's messages from the reader", async () => {
  const account = randomUUID();
  const id = randomUUID();
  await reader.pool.query(
    `INSERT INTO notifications.messages (id, account_id, registrant_id, template, language, channel, status, dedup_key, params, priority)
     VALUES ($1, $2, NULL, 'welcome', 'en', 'email', 'queued', $3, '{}', 5)`,
    [id, account, `test:${id}`],
  );
  const listed = await svc.http.get<{ items: MessageView[] }>('/messages', { token: await issuer.token(account, 'citizen') });
  expect(listed.body.items.map((m) => m.id)).toEqual([id]);
  expect((await svc.pool.query('SELECT 1 FROM notifications.messages')).rowCount).toBe(0);
});
