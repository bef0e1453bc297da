import { QUEUES } from '@jab/contracts';
import { registrantRegistered } from '@jab/contracts/testing';
import { createApp, finalizeApp } from '@jab/http';
import { createLogger } from '@jab/logger';
import { startTestIssuer, startTestService, type TestIssuer, type TestService } from '@jab/runtime/testing';
import { waitFor } from '@jab/testing';
import { createSign, generateKeyPairSync } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationsService } from '../service.js';
import { startTestSmtp, type TestSmtp } from '../testing/smtp.js';
import { providerEventsRouter } from './provider-events.routes.js';
import { stringToSign, type SnsEnvelope } from './sns-signature.js';

// SNS cannot be reached here: its signing key is a local RSA pair, served as its certificate would be.
const sns = generateKeyPairSync('rsa', { modulusLength: 2048 });
const snsPem = sns.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const intruder = generateKeyPairSync('rsa', { modulusLength: 2048 });
const TOPIC = 'arn:aws:sns:eu-west-1:111111111111:jab-test-ses-events';
const CERT_URL = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem';

function signed(fields: Omit<SnsEnvelope, 'Signature' | 'SignatureVersion' | 'SigningCertURL'>, key = sns.privateKey): SnsEnvelope {
  const unsigned = { ...fields, SignatureVersion: '2' as const, SigningCertURL: CERT_URL, Signature: '' };
  return { ...unsigned, Signature: createSign('RSA-SHA256').update(stringToSign(unsigned)).sign(key, 'base64') };
}

const sesNotification = (event: unknown): SnsEnvelope =>
  signed({ Type: 'Notification', MessageId: crypto.randomUUID(), TopicArn: TOPIC, Timestamp: new Date().toISOString(), Message: JSON.stringify(event) });

const deliveryOf = (jabId: string, type: 'Delivery' | 'Bounce' = 'Delivery') => ({
  eventType: type,
  mail: { messageId: '0100018c-ses', headers: [{ name: 'X-Jab-Message-Id', value: jabId }], commonHeaders: {} },
  ...(type === 'Delivery' ? { delivery: { timestamp: '2026-11-23T10:00:05.000Z' } } : { bounce: { bounceType: 'Permanent', timestamp: '2026-11-23T10:00:05.000Z' } }),
});

let smtp: TestSmtp;
let issuer: TestIssuer;
let svc: TestService;
let server: Server;
let base: string;
const confirmed: string[] = [];

const post = (body: unknown) =>
  fetch(`${base}/api/notifications/v1/provider-events/ses`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain; charset=UTF-8' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

async function sentEmail(address: string): Promise<{ id: string }> {
  const event = registrantRegistered({ contact: { channel: 'email', address } });
  await svc.enqueue(QUEUES.notificationsFromRegistration, event);
  const row = await waitFor(async () => {
    const { rows } = await svc.pool.query<{ id: string; status: string }>(
      `SELECT id, status FROM notifications.messages WHERE account_id = $1`,
      [event.data.accountId],
    );
    return rows[0]?.status === 'sent' ? rows[0] : undefined;
  });
  return row!;
}

const statusOf = async (id: string) =>
  (await svc.pool.query<{ status: string; delivered_at: Date | null; last_error: string | null }>(`SELECT status, delivered_at, last_error FROM notifications.messages WHERE id = $1`, [id])).rows[0];

beforeAll(async () => {
  smtp = await startTestSmtp();
  issuer = await startTestIssuer();
  svc = await startTestService(notificationsService, {
    JWKS_URL: issuer.jwksUrl,
    // Registration's access check is unreachable here (nothing listens on port 9): staff reads answer 503.
    REGISTRATION_URL: 'http://127.0.0.1:9/api/registration/v1',
    NOTIFY_EMAIL_TRANSPORT: 'smtp',
    SMTP_URL: smtp.url,
    NOTIFY_SMS_TRANSPORT: 'sns',
    AWS_REGION: 'eu-west-1',
  });
  // The same router as the service's, with SNS's certificate served locally.
  const logger = createLogger({ service: 'notifications', level: 'silent' });
  const app = createApp({ service: 'notifications', logger, registry: new Registry() });
  app.use(
    '/api/notifications/v1',
    providerEventsRouter({ pool: svc.pool, logger, topicArn: TOPIC, certificates: async () => snsPem, confirm: async (url) => void confirmed.push(url) }),
  );
  server = finalizeApp(app).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await svc?.stop();
  await issuer?.close();
  await smtp?.close();
});

describe('SES email events through SNS (SNS signing key local: SNS cannot be reached here)', () => {
  it('marks a sent email delivered when SES reports the delivery, once', async () => {
    const message = await sentEmail('ana.delivered@example.org');
    const receipt = sesNotification(deliveryOf(message.id));
    expect((await post(receipt)).status).toBe(204);
    expect(await statusOf(message.id)).toMatchObject({ status: 'delivered', delivered_at: new Date('2026-11-23T10:00:05.000Z') });
    // SNS retries: the same receipt again changes nothing and is still acknowledged.
    expect((await post(receipt)).status).toBe(204);
    expect((await statusOf(message.id))?.status).toBe('delivered');
  });

  it('ends a message that bounced permanently, with the reason and no address', async () => {
    const message = await sentEmail('gone@example.org');
    expect((await post(sesNotification(deliveryOf(message.id, 'Bounce')))).status).toBe(204);
    expect(await statusOf(message.id)).toMatchObject({ status: 'dead', last_error: 'email bounced permanently' });
  });

  it('refuses a forged, altered or foreign-topic message and changes nothing', async () => {
    const message = await sentEmail('forged@example.org');
    const forged = signed({ Type: 'Notification', MessageId: 'x', TopicArn: TOPIC, Timestamp: new Date().toISOString(), Message: JSON.stringify(deliveryOf(message.id)) }, intruder.privateKey);
    expect((await post(forged)).status).toBe(403);
    const altered = { ...sesNotification(deliveryOf(crypto.randomUUID())), Message: JSON.stringify(deliveryOf(message.id)) };
    expect((await post(altered)).status).toBe(403);
    const foreign = signed({ Type: 'Notification', MessageId: 'y', TopicArn: `${TOPIC}-other`, Timestamp: new Date().toISOString(), Message: JSON.stringify(deliveryOf(message.id)) });
    expect((await post(foreign)).status).toBe(403);
    const offHost = { ...sesNotification(deliveryOf(message.id)), SigningCertURL: 'https://evil.example/cert.pem' };
    expect((await post(offHost)).status).toBe(403);
    expect((await statusOf(message.id))?.status).toBe('sent');
  });

  it('answers 400 with field errors to what is not an SNS message', async () => {
    const res = await post({ Type: 'Notification' });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { errors: { path: string }[] };
    expect(problem.errors.map((e) => e.path)).toContain('body.Signature');
    expect((await post('not json')).status).toBe(400);
  });

  it('confirms the subscription only at an SNS URL', async () => {
    const subscribe = 'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=t';
    const confirmation = signed({ Type: 'SubscriptionConfirmation', MessageId: 'z', TopicArn: TOPIC, Timestamp: new Date().toISOString(), Message: 'confirm', Token: 't', SubscribeURL: subscribe });
    expect((await post(confirmation)).status).toBe(204);
    expect(confirmed).toEqual([subscribe]);
  });

  it('is off in the service unless a topic is configured', async () => {
    const res = await svc.http.post('/provider-events/ses', sesNotification(deliveryOf(crypto.randomUUID())));
    expect(res.status).toBe(404);
  });
});
