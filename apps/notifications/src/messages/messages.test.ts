import { QUEUES, type MessageView } from '@jab/contracts';
import { registrantRegistered } from '@jab/contracts/testing';
import { startTestIssuer, startTestService, type TestIssuer, type TestService } from '@jab/runtime/testing';
import { waitFor } from '@jab/testing';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationsService } from '../service.js';

let issuer: TestIssuer;
let svc: TestService;
let sinkDir: string;

const sentLines = async () =>
  (await readFile(join(sinkDir, 'outbox.jsonl'), 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

const messages = (token?: string) => svc.http.get<{ items: MessageView[] }>('/messages', { token });

beforeAll(async () => {
  issuer = await startTestIssuer();
  sinkDir = await mkdtemp(join(tmpdir(), 'jab-sink-test-'));
  svc = await startTestService(notificationsService, { JWKS_URL: issuer.jwksUrl, NOTIFY_SINK_DIR: sinkDir });
});
afterAll(async () => {
  await svc?.stop();
  await issuer?.close();
  await rm(sinkDir, { recursive: true, force: true });
});

describe('welcome messages', () => {
  it('greets a new registrant once in their language, even when the event arrives twice', async () => {
    const event = registrantRegistered({ fullName: 'Amélie Dubois', preferredLanguage: 'fr' });
    await svc.enqueue(QUEUES.notificationsFromRegistration, event);
    // The same event delivered again under another job id (e.g. replayed by an operator).
    await svc.enqueue(QUEUES.notificationsFromRegistration, event, `replay-${event.id}`);

    const token = await issuer.token(event.data.accountId, 'citizen');
    await waitFor(async () => (await messages(token)).body.items[0]?.status === 'sent');
    const { items } = (await messages(token)).body;
    expect(items[0]).toMatchObject({ template: 'welcome', channel: 'email', status: 'sent' });
    expect(items[0].sentAt).toBeTruthy();

    // Let the duplicate finish too, then prove it did not send a second time.
    await svc.drained(QUEUES.notificationsFromRegistration);
    const sent = (await sentLines()).filter((m) => m.to.address === event.data.contact.address);
    expect(sent).toHaveLength(1);
    expect(sent[0].subject).toBe('Bienvenue sur Jab');
    expect(sent[0].body).toContain('Bonjour Amélie');
  });

  it('shows a citizen only their own messages', async () => {
    const mine = registrantRegistered({ contact: { channel: 'sms', address: '+34600111222' } });
    await svc.enqueue(QUEUES.notificationsFromRegistration, mine);
    const myToken = await issuer.token(mine.data.accountId, 'citizen');
    await waitFor(async () => (await messages(myToken)).body.items.length === 1);

    const strangerToken = await issuer.token(registrantRegistered().data.accountId, 'citizen');
    expect((await messages(strangerToken)).body.items).toEqual([]);
  });

  it('refuses readers without a token (401) and staff on the citizen route (403)', async () => {
    expect((await messages()).status).toBe(401);
    expect((await messages(await issuer.token('staff-1', 'staff'))).status).toBe(403);
  });
});
