import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { QUEUES } from '@jab/contracts';
import { registrantRegistered } from '@jab/contracts/testing';
import { createLogger } from '@jab/logger';
import { closeAll, createQueue, createRedis, type JabQueue } from '@jab/queue';
import { startTestIssuer, startTestService, type TestIssuer, type TestService } from '@jab/runtime/testing';
import { redisUrl, waitFor } from '@jab/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEND_QUEUES, sendJobId } from '../queues.js';
import { notificationsService } from '../service.js';
import { inMs, registrantUpdated } from '../testing/events.js';
import { startTestSmtp, type TestSmtp } from '../testing/smtp.js';

/** `waitFor`, typed for conditions that are falsy until they hold. */
const until = async <T>(fn: () => Promise<T | false | null | undefined>, options?: { timeoutMs?: number }): Promise<T> =>
  (await waitFor(fn, options)) as T;

const sns = mockClient(SNSClient);
let smtp: TestSmtp;
let issuer: TestIssuer;
let svc: TestService;
const connection = createRedis(redisUrl(), { forWorker: true });
let sendEmail: JabQueue;

interface Row {
  id: string;
  channel: string;
  status: string;
  last_error: string | null;
  attempts: number;
  provider_message_id: string | null;
}
const rowsOf = async (accountId: string) =>
  (
    await svc.pool.query<Row>(
      `SELECT id, channel, status, last_error, attempts, provider_message_id FROM notifications.messages WHERE account_id = $1`,
      [accountId],
    )
  ).rows;
const settledRow = (accountId: string) =>
  until(async () => {
    const [row] = await rowsOf(accountId);
    return (row?.status === 'sent' || row?.status === 'dead') && row;
  });
const mailsTo = (address: string) => smtp.received.filter((m) => m.to && 'text' in m.to && m.to.text === address);
const publishedTo = (phone: string) => sns.commandCalls(PublishCommand).filter((c) => c.args[0].input.PhoneNumber === phone);
const send = (event: { id: string; type: string }) => svc.enqueue(QUEUES.notificationsFromRegistration, event);

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
    SMS_SENDER_ID: 'JAB',
  });
  sendEmail = createQueue(SEND_QUEUES.email, { connection, prefix: svc.prefix, logger: createLogger({ service: 'test', level: 'silent' }) });
});
beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'sns-message-1' });
});
afterAll(async () => {
  await closeAll(...[sendEmail].filter(Boolean), connection);
  await svc?.stop();
  await issuer?.close();
  await smtp?.close();
  sns.restore();
});

describe('delivery over the real channels', () => {
  it('sends email through a real SMTP server', async () => {
    const event = registrantRegistered({ fullName: 'Carmen Ruiz', preferredLanguage: 'es', contact: { channel: 'email', address: 'carmen@example.org' } });
    await send(event);
    const row = await settledRow(event.data.accountId);
    expect(row).toMatchObject({ status: 'sent', channel: 'email', attempts: 1 });
    const [mail] = mailsTo('carmen@example.org');
    expect(mail.subject).toBe('Bienvenido a Jab');
    expect(mail.text).toContain('Hola Carmen');
    expect(mail.headers.get('x-jab-message-id')).toBe(row.id);
    expect(row.provider_message_id).toBe(mail.messageId);
  });

  it('sends SMS through SNS (SNS mocked with aws-sdk-client-mock)', async () => {
    const event = registrantRegistered({ fullName: 'Ravi Kumar', preferredLanguage: 'hi', contact: { channel: 'sms', address: '+919812345678' } });
    await send(event);
    expect(await settledRow(event.data.accountId)).toMatchObject({ status: 'sent', channel: 'sms', provider_message_id: 'sns-message-1' });
    const [call] = publishedTo('+919812345678');
    expect(call.args[0].input.Message).toContain('नमस्ते Ravi');
    expect(call.args[0].input.MessageAttributes?.['AWS.SNS.SMS.SenderID']?.StringValue).toBe('JAB');
  });

  it('retries a temporary SMTP failure and sends once', async () => {
    smtp.deferOnce.add('greylisted@example.org');
    const event = registrantRegistered({ contact: { channel: 'email', address: 'greylisted@example.org' } });
    await send(event);
    expect(await settledRow(event.data.accountId)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(mailsTo('greylisted@example.org')).toHaveLength(1);
  });

  it('falls back to SMS when the mail server refuses the address permanently (SNS mocked with aws-sdk-client-mock)', async () => {
    smtp.refuse.add('bounce@example.org');
    const accountId = registrantRegistered().data.accountId;
    // The phone came first, the email later: email is tried first, the phone is the fallback.
    await send(registrantUpdated({ accountId, contact: { channel: 'sms', address: '+33611223344' } }, inMs(-60_000)));
    await svc.drained(QUEUES.notificationsFromRegistration);
    await send(registrantRegistered({ accountId, contact: { channel: 'email', address: 'bounce@example.org' } }));
    const row = await settledRow(accountId);
    expect(row).toMatchObject({ status: 'sent', channel: 'sms', attempts: 2, last_error: 'email: smtp 550: rejected by the mail server' });
    expect(publishedTo('+33611223344')).toHaveLength(1);
    expect(mailsTo('bounce@example.org')).toEqual([]);
  });

  it('lets a message die with the reason when its only channel fails permanently', async () => {
    smtp.refuse.add('nobody@example.org');
    const event = registrantRegistered({ contact: { channel: 'email', address: 'nobody@example.org' } });
    await send(event);
    const row = await settledRow(event.data.accountId);
    const reason = 'email: smtp 550: rejected by the mail server; sms: no sms contact';
    expect(row).toMatchObject({ status: 'dead', last_error: reason });
    // Its job is in the failed set, the dead-letter store, with the same reason and no retries.
    const job = await until(async () => {
      const j = await sendEmail.getJob(sendJobId(row.id));
      return (await j?.getState()) === 'failed' && j;
    });
    expect(job.failedReason).toBe(reason);
    expect(job.attemptsMade).toBe(1);
    expect(sns.commandCalls(PublishCommand)).toEqual([]);
  });
});
