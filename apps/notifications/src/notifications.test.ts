import { sealSecret } from '@jab/auth';
import { QUEUES, type ChannelPreferences, type MessageView, type Problem } from '@jab/contracts';
import { registrantRegistered } from '@jab/contracts/testing';
import { createLogger } from '@jab/logger';
import { closeAll, createQueue, createRedis, EVENT_BATCH_JOB, eventBatchJobId, eventJobId, type JabQueue } from '@jab/queue';
import { startTestIssuer, startTestService, type TestIssuer, type TestService } from '@jab/runtime/testing';
import { redisUrl, waitFor } from '@jab/testing';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base64url } from 'jose';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doseDueJobId, reminderJobId, SCHEDULE_QUEUE, SEND_QUEUES, sendJobId } from './queues.js';
import { notificationsService } from './service.js';
import {
  appointmentBooked,
  appointmentCancelled,
  appointmentRescheduled,
  certificateIssued,
  doseAdministered,
  inMs,
  lotRecalled,
  otpRequested,
  registrantUpdated,
} from './testing/events.js';

/** `waitFor`, typed for conditions that are falsy until they hold. */
const until = async <T>(fn: () => Promise<T | false | null | undefined>, options?: { timeoutMs?: number }): Promise<T> =>
  (await waitFor(fn, options)) as T;

const HOUR = 3_600_000;
const otpKey = randomBytes(32);
const logger = createLogger({ service: 'test', level: 'silent' });
let issuer: TestIssuer;
let svc: TestService;
let sinkDir: string;
const connection = createRedis(redisUrl(), { forWorker: true });
let schedule: JabQueue;
let sendEmail: JabQueue;

interface SinkLine {
  messageId: string;
  template: string;
  to: { channel: string; address: string };
  subject: string;
  body: string;
}
const sinkLines = async (): Promise<SinkLine[]> =>
  (await readFile(join(sinkDir, 'outbox.jsonl'), 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as SinkLine);
const sentTo = async (address: string) => (await sinkLines()).filter((m) => m.to.address === address);

interface Row {
  id: string;
  template: string;
  channel: string;
  status: string;
  last_error: string | null;
  attempts: number;
  params: Record<string, unknown>;
}
const rows = async (where: string, value: string) =>
  (await svc.pool.query<Row>(`SELECT id, template, channel, status, last_error, attempts, params FROM notifications.messages WHERE ${where} = $1 ORDER BY created_at`, [value])).rows;
const settled = (r: Row[]) => r.length > 0 && r.every((m) => m.status === 'sent' || m.status === 'dead');

const send = (event: { id: string; type: string }) => svc.enqueue(QUEUES.notificationsFromRegistration, event);
/** The kit's test client has no PUT; the same call over real HTTP. */
async function put<T>(path: string, body: unknown, token: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${svc.url}/api/notifications/v1${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}
const messages = (token?: string, query = '') => svc.http.get<{ items: MessageView[] }>(`/messages${query}`, { token });

beforeAll(async () => {
  issuer = await startTestIssuer();
  sinkDir = await mkdtemp(join(tmpdir(), 'jab-sink-test-'));
  svc = await startTestService(notificationsService, {
    JWKS_URL: issuer.jwksUrl,
    // Registration's access check is unreachable here (nothing listens on port 9): staff reads answer 503.
    REGISTRATION_URL: 'http://127.0.0.1:9/api/registration/v1',
    NOTIFY_SINK_DIR: sinkDir,
    NOTIFY_SINK_CONSOLE: 'false',
    OTP_SEALING_KEY: base64url.encode(otpKey),
    NOTIFY_SEND_LEASE_SECONDS: '1',
  });
  schedule = createQueue(SCHEDULE_QUEUE, { connection, logger, prefix: svc.prefix });
  sendEmail = createQueue(SEND_QUEUES.email, { connection, logger, prefix: svc.prefix });
});
afterAll(async () => {
  await closeAll(...[schedule, sendEmail].filter(Boolean), connection);
  await svc?.stop();
  await issuer?.close();
  await rm(sinkDir, { recursive: true, force: true });
});

describe('welcome messages and the messages API', () => {
  it('greets a new registrant once in their language, even when the event arrives twice', async () => {
    const event = registrantRegistered({ fullName: 'Amélie Dubois', preferredLanguage: 'fr' });
    await send(event);
    // The same event delivered again under another job id (e.g. replayed by an operator).
    await svc.enqueue(QUEUES.notificationsFromRegistration, event, `replay-${event.id}`);

    const token = await issuer.token(event.data.accountId, 'citizen');
    await until(async () => (await messages(token)).body.items[0]?.status === 'sent');
    const { items } = (await messages(token)).body;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ template: 'welcome', channel: 'email', status: 'sent' });
    expect(items[0].sentAt).toBeTruthy();

    await svc.drained(QUEUES.notificationsFromRegistration);
    await svc.drained(SEND_QUEUES.email);
    const sent = await sentTo(event.data.contact.address);
    expect(sent).toHaveLength(1);
    expect(sent[0].subject).toBe('Bienvenue sur Jab');
    expect(sent[0].body).toContain('Bonjour Amélie');
  });

  it('greets everyone of a batch job once, an account seen twice included, and dead-letters a malformed event alone', async () => {
    const first = registrantRegistered({ contact: { channel: 'email', address: 'batch-1@example.org' } });
    // The same household registers a second person a moment later, now with a phone number.
    const sameAccount = registrantRegistered(
      { accountId: first.data.accountId, contact: { channel: 'sms', address: '+33655501234' } },
      { occurredAt: new Date(Date.now() + 1_000).toISOString() },
    );
    const other = registrantRegistered({ contact: { channel: 'email', address: 'batch-3@example.org' } });
    const malformed = { ...registrantRegistered(), data: { accountId: 'not-a-uuid' } };
    const events = [first, sameAccount, malformed, other];
    const events_ = createQueue(QUEUES.notificationsFromRegistration, { connection, logger, prefix: svc.prefix });
    try {
      await events_.add(EVENT_BATCH_JOB, { events }, { jobId: eventBatchJobId(events) });
      await until(async () => (await events_.getJobState(eventJobId(malformed))) === 'failed');
      expect(await events_.getJobState(eventBatchJobId(events))).toBe('completed');
    } finally {
      await events_.close();
    }
    for (const e of [first, sameAccount, other]) {
      const [message, ...more] = await until(async () => {
        const r = await rows('dedup_key', `${e.id}:welcome`);
        return settled(r) && r;
      });
      expect(more).toHaveLength(0);
      expect(message).toMatchObject({ template: 'welcome', status: 'sent', channel: e.data.contact.channel });
    }
    expect(await sentTo('batch-1@example.org')).toHaveLength(1);
    expect(await sentTo('+33655501234')).toHaveLength(1);
    // The later contact is the account's primary one.
    const { rows: recipient } = await svc.pool.query('SELECT email, phone, primary_channel FROM notifications.recipients WHERE account_id = $1', [first.data.accountId]);
    expect(recipient[0]).toEqual({ email: 'batch-1@example.org', phone: '+33655501234', primary_channel: 'sms' });
  });

  it('does not send again when the send job is retried after the send was recorded', async () => {
    const event = registrantRegistered({ contact: { channel: 'email', address: 'retry@example.org' } });
    await send(event);
    const [message] = await until(async () => {
      const r = await rows('account_id', event.data.accountId);
      return settled(r) && r;
    });
    // As if the worker died after recording the send but before BullMQ marked the job done.
    const job = await until(async () => {
      const j = await sendEmail.getJob(sendJobId(message.id));
      return (await j?.getState()) === 'completed' && j;
    });
    await job.retry('completed');
    await until(async () => (await sendEmail.getJobState(sendJobId(message.id))) === 'completed' && (await sendEmail.getJob(sendJobId(message.id)))?.finishedOn !== job.finishedOn);
    expect(await sentTo('retry@example.org')).toHaveLength(1);
    expect((await rows('id', message.id))[0]).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('sends exactly once after a worker crashed holding the lease', async () => {
    const accountId = uuidv7();
    await svc.pool.query(
      `INSERT INTO notifications.recipients (account_id, email, email_seen_at, primary_channel) VALUES ($1, 'crash@example.org', now(), 'email')`,
      [accountId],
    );
    const id = uuidv7();
    // The crashed worker claimed the message (lease of one second) and never finished.
    await svc.pool.query(
      `INSERT INTO notifications.messages (id, account_id, template, language, channel, status, dedup_key, params, claimed_until)
       VALUES ($1, $2, 'welcome', 'en', 'email', 'queued', $3, '{"firstName":"Kai"}', now() + interval '1 second')`,
      [id, accountId, `crash-${id}`],
    );
    await sendEmail.add('send', { messageId: id }, { jobId: sendJobId(id), priority: 3, backoff: { type: 'jab-exponential-jitter', delay: 300 } });
    await until(async () => (await rows('id', id))[0].status === 'sent', { timeoutMs: 15_000 });
    expect(await sentTo('crash@example.org')).toHaveLength(1);
  });

  it('shows a citizen only their own messages', async () => {
    const mine = registrantRegistered({ contact: { channel: 'sms', address: '+34600111222' } });
    await send(mine);
    const myToken = await issuer.token(mine.data.accountId, 'citizen');
    await until(async () => (await messages(myToken)).body.items.length === 1);
    const strangerToken = await issuer.token(registrantRegistered().data.accountId, 'citizen');
    expect((await messages(strangerToken)).body.items).toEqual([]);
    // Naming someone else's registrant id changes nothing for a citizen.
    expect((await messages(strangerToken, `?registrantId=${mine.data.registrantId}`)).body.items).toEqual([]);
  });

  // Registration's region rule and the access log are proven with both services in
  // tools/resilience (message-history.test.ts); here registration is unreachable on purpose.
  it('shows staff no delivery history that registration has not allowed and logged', async () => {
    const event = registrantRegistered();
    await send(event);
    await until(async () => settled(await rows('account_id', event.data.accountId)));
    const reason = { 'x-access-reason': 'support call' };
    for (const role of ['national-admin', 'center-admin'] as const) {
      const res = await svc.http.get<Problem & { items?: unknown }>(`/messages?registrantId=${event.data.registrantId}`, {
        token: await issuer.token(uuidv7(), role),
        headers: reason,
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(res.body.items).toBeUndefined();
    }
  });

  it('asks staff for the person and a reason before anything else, and refuses other roles', async () => {
    const event = registrantRegistered();
    const centerAdmin = await issuer.token(uuidv7(), 'center-admin');
    const missing = await svc.http.get<Problem>('/messages', { token: centerAdmin });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([{ path: 'query.registrantId', message: 'is required for staff' }]);
    expect((await svc.http.get<Problem>('/messages?registrantId=nope', { token: centerAdmin })).body.errors?.[0].path).toBe('query.registrantId');
    const noReason = await svc.http.get<Problem>(`/messages?registrantId=${event.data.registrantId}`, { token: centerAdmin });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors?.[0].path).toBe('headers.x-access-reason');

    expect((await messages()).status).toBe(401);
    expect((await messages(await issuer.token('staff-1', 'staff'))).status).toBe(403);
  });
});

describe('one-time codes', () => {
  it('opens the sealed code only to send it, first in line, and keeps it nowhere in clear', async () => {
    const event = otpRequested(await sealSecret('483920', otpKey), { preferredLanguage: 'es' });
    await send(event);
    const address = event.data.destination.address;
    const [line] = await until(async () => {
      const s = await sentTo(address);
      return s.length === 1 && s;
    });
    expect(line.subject).toBe('Su código de Jab');
    expect(line.body).toContain('483920');
    expect(line.body).toMatch(/Caduca en [45] minutos/);

    const { rows: stored } = await svc.pool.query<{ id: string; status: string; priority: number; text: string }>(
      `SELECT id, status, priority, m::text AS text FROM notifications.messages m WHERE dedup_key = $1`,
      [`${event.id}:otp`],
    );
    expect(stored[0]).toMatchObject({ status: 'sent', priority: 1 });
    expect(stored[0].text).not.toContain('483920');
    expect(stored[0].text).not.toContain('sealedCode');
    expect((await sendEmail.getJob(sendJobId(stored[0].id)))?.opts.priority).toBe(1);
  });

  it('lets a code die rather than send it late', async () => {
    const event = otpRequested(await sealSecret('111222', otpKey), { expiresAt: inMs(-1_000) });
    await send(event);
    const [row] = await until(async () => {
      const r = (await svc.pool.query<Row>(`SELECT status, last_error FROM notifications.messages WHERE dedup_key = $1`, [`${event.id}:otp`])).rows;
      return r[0]?.status === 'dead' && r;
    });
    expect(row.last_error).toMatch(/expired/);
    expect(await sentTo(event.data.destination.address)).toEqual([]);
  });
});

describe('appointments', () => {
  it('confirms a booking in the person’s language and local time, and schedules both reminders', async () => {
    const startsAt = new Date(Date.now() + 3 * 24 * HOUR);
    startsAt.setUTCHours(8, 0, 0, 0);
    const booked = appointmentBooked({ preferredLanguage: 'fr', startsAt: startsAt.toISOString() });
    await send(booked);
    const [line] = await until(async () => {
      const s = await sentTo(booked.data.contact.address);
      return s.length === 1 && s;
    });
    expect(line.subject).toBe('Votre rendez-vous de vaccination est confirmé');
    // 08:00 UTC in Paris: 09:00 (winter) or 10:00 (summer), never the UTC time.
    expect(line.body).toMatch(/à (09|10):00 UTC\+[12]/);
    expect(line.body).toContain('Clinique centrale');
    expect(line.body).toContain('1 Rue de la Paix, Paris');
    expect(line.body).toContain('JAB-7Q2K');

    for (const [kind, lead] of [['24h', 24 * HOUR], ['2h', 2 * HOUR]] as const) {
      const job = await schedule.getJob(reminderJobId(booked.data.appointmentId, kind));
      expect(await job?.getState()).toBe('delayed');
      expect(job!.timestamp + job!.delay).toBeGreaterThan(startsAt.getTime() - lead - 5_000);
      expect(job!.timestamp + job!.delay).toBeLessThanOrEqual(startsAt.getTime() - lead);
    }
  });

  it('sends the 2-hour reminder when it comes due', async () => {
    const booked = appointmentBooked({ startsAt: inMs(2 * HOUR + 1_000) });
    await send(booked);
    const reminder = await until(async () => (await sentTo(booked.data.contact.address)).find((m) => m.template === 'reminder_2h'));
    expect(reminder.subject).toBe('Your vaccination is in 2 hours');
    expect(reminder.body).toContain('JAB-7Q2K');
    // Booked less than 24 h ahead: that reminder is not scheduled at all.
    expect(await schedule.getJob(reminderJobId(booked.data.appointmentId, '24h'))).toBeUndefined();
  });

  it('removes the reminders of a cancelled appointment, and one that escaped removal stands down', async () => {
    const booked = appointmentBooked();
    await send(booked);
    const id = booked.data.appointmentId;
    await until(async () => (await schedule.getJob(reminderJobId(id, '2h'))) !== undefined);
    await send(appointmentCancelled(booked));
    await until(async () => (await sentTo(booked.data.contact.address)).some((m) => m.template === 'appointment_cancelled'));
    expect(await schedule.getJob(reminderJobId(id, '24h'))).toBeUndefined();
    expect(await schedule.getJob(reminderJobId(id, '2h'))).toBeUndefined();

    // A reminder that was already running when the cancel came: due now, for the cancelled slot.
    await schedule.add('reminder', { kind: 'reminder', appointmentId: id, reminder: '2h', startsAt: booked.data.startsAt }, { jobId: 'late-reminder' });
    await until(async () => (await schedule.getJobState('late-reminder')) === 'completed');
    await svc.drained(SEND_QUEUES.email);
    const templates = (await rows('account_id', booked.data.accountId)).map((m) => m.template);
    expect(templates.sort()).toEqual(['appointment_cancelled', 'booking_confirmed']);
  });

  it('moves the reminders of a rescheduled appointment and tells the person', async () => {
    const booked = appointmentBooked();
    await send(booked);
    const id = booked.data.appointmentId;
    await until(async () => (await schedule.getJob(reminderJobId(id, '24h'))) !== undefined);
    const later = new Date(new Date(booked.data.startsAt).getTime() + 2 * 24 * HOUR).toISOString();
    await send(appointmentRescheduled(booked, later));
    await until(async () => (await sentTo(booked.data.contact.address)).some((m) => m.template === 'appointment_rescheduled'));
    const job = await schedule.getJob(reminderJobId(id, '24h'));
    expect(job?.data).toMatchObject({ startsAt: later });
    expect(job!.timestamp + job!.delay).toBeGreaterThan(new Date(later).getTime() - 24 * HOUR - 5_000);
  });
});

describe('doses, recalls and certificates', () => {
  it('schedules the second-dose notice for its date, and sends it once due', async () => {
    const future = doseAdministered({ nextDoseEarliest: new Date(Date.now() + 28 * 24 * HOUR).toISOString().slice(0, 10) });
    await send(future);
    const job = await until(() => schedule.getJob(doseDueJobId(future.data.doseId)));
    expect(job.timestamp + job.delay).toBe(new Date(`${future.data.nextDoseEarliest}T00:00:00Z`).getTime());

    const due = doseAdministered({ nextDoseEarliest: new Date().toISOString().slice(0, 10), vaccineName: 'Covax' });
    await send(due);
    const notice = await until(async () => (await sentTo(due.data.contact.address))[0]);
    expect(notice.template).toBe('second_dose_due');
    expect(notice.body).toContain('dose 2 of Covax');
  });

  it('tells exactly the people who received a recalled lot', async () => {
    const vaccineId = uuidv7();
    const a = doseAdministered({ vaccineId, lotNumber: 'LOT-X' });
    const b = doseAdministered({ vaccineId, lotNumber: 'LOT-X', preferredLanguage: 'hi' });
    const other = doseAdministered({ vaccineId, lotNumber: 'LOT-Y' });
    for (const e of [a, b, other]) await send(e);
    await svc.drained(QUEUES.notificationsFromRegistration);
    const recall = lotRecalled({ vaccineId, lotNumber: 'LOT-X' });
    await send(recall);
    await svc.enqueue(QUEUES.notificationsFromRegistration, recall, `replay-${recall.id}`);
    await until(async () => (await sentTo(a.data.contact.address)).length === 1 && (await sentTo(b.data.contact.address)).length === 1);
    await svc.drained(QUEUES.notificationsFromRegistration);
    await svc.drained(SEND_QUEUES.email);
    expect(await sentTo(a.data.contact.address)).toHaveLength(1);
    expect((await sentTo(b.data.contact.address))[0].subject).toBe('महत्वपूर्ण: एक वैक्सीन लॉट वापस लिया गया');
    expect((await sentTo(a.data.contact.address))[0].body).toContain('LOT-X');
    expect(await sentTo(other.data.contact.address)).toEqual([]);
  });

  it('announces a certificate once', async () => {
    const event = certificateIssued({ preferredLanguage: 'ar' });
    await send(event);
    const line = await until(async () => (await sentTo(event.data.contact.address))[0]);
    expect(line.subject).toBe('شهادة التطعيم جاهزة');
  });
});

describe('channel preferences', () => {
  const prefs = (token: string) => svc.http.get<ChannelPreferences>('/preferences', { token });

  it('respects an opt-out (the other channel takes over, or the message dies with the reason), except for codes', async () => {
    // Known by SMS first, then by email: email is primary, the phone the fallback.
    const accountId = uuidv7();
    const token = await issuer.token(accountId, 'citizen');
    expect((await prefs(token)).body).toEqual({ email: true, sms: true });
    const saved = await put<ChannelPreferences>('/preferences', { email: false, sms: true }, token);
    expect(saved).toMatchObject({ status: 200, body: { email: false, sms: true } });
    expect((await prefs(token)).body).toEqual({ email: false, sms: true });

    await send(registrantUpdated({ accountId, contact: { channel: 'sms', address: '+33611223344' } }, inMs(-60_000)));
    await svc.drained(QUEUES.notificationsFromRegistration);
    const welcome = registrantRegistered({ accountId, contact: { channel: 'email', address: 'optout@example.org' } });
    await send(welcome);
    await until(async () => settled(await rows('account_id', accountId)));
    expect(await rows('account_id', accountId)).toEqual([expect.objectContaining({ template: 'welcome', channel: 'sms', status: 'sent', last_error: 'email: opted out of email' })]);
    expect(await sentTo('+33611223344')).toHaveLength(1);
    expect(await sentTo('optout@example.org')).toEqual([]);

    await put('/preferences', { email: false, sms: false }, token);
    await send(certificateIssued({ accountId, contact: { channel: 'email', address: 'optout@example.org' } }));
    await until(async () => (await rows('account_id', accountId)).some((m) => m.template === 'certificate_ready' && m.status === 'dead'));
    const dead = (await rows('account_id', accountId)).find((m) => m.template === 'certificate_ready');
    expect(dead?.last_error).toBe('email: opted out of email; sms: opted out of sms');

    const code = otpRequested(await sealSecret('909090', otpKey), { destination: { channel: 'email', address: 'optout@example.org' } });
    await send(code);
    await until(async () => (await sentTo('optout@example.org')).length === 1);
  });

  it('refuses a malformed choice with field errors and changes nothing', async () => {
    const token = await issuer.token(uuidv7(), 'citizen');
    const bad = await put<Problem>('/preferences', { email: 'no', sms: true, push: true }, token);
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((e) => e.path).sort()).toEqual(['body', 'body.email']);
    expect((await prefs(token)).body).toEqual({ email: true, sms: true });
    expect((await put('/preferences', { email: true, sms: true }, await issuer.token('s', 'staff'))).status).toBe(403);
  });
});

describe('operations', () => {
  it('serves the queue dashboard to national admins only', async () => {
    const board = (token?: string) =>
      fetch(`${svc.url}/api/notifications/v1/admin/queues/api/queues?activeQueue=&page=1`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    expect((await board()).status).toBe(401);
    expect((await board(await issuer.token(uuidv7(), 'center-admin'))).status).toBe(403);
    expect((await board(await issuer.token(uuidv7(), 'citizen'))).status).toBe(403);
    const ok = await board(await issuer.token(uuidv7(), 'national-admin'));
    expect(ok.status).toBe(200);
    const names = ((await ok.json()) as { queues: { name: string }[] }).queues.map((q) => q.name).sort();
    expect(names).toEqual([QUEUES.notificationsFromRegistration, QUEUES.notificationsDelivery, SEND_QUEUES.email, SEND_QUEUES.sms].sort());
    const page = await fetch(`${svc.url}/api/notifications/v1/admin/queues`, { headers: { authorization: `Bearer ${await issuer.token(uuidv7(), 'national-admin')}` } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/html/);
  });

  it('opens the queue dashboard in a browser through a path-scoped HttpOnly cookie, for national admins only', async () => {
    const session = (token: string) => fetch(`${svc.url}/api/notifications/v1/admin/queue-board-sessions`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect((await session(await issuer.token(uuidv7(), 'center-admin'))).status).toBe(403);
    const res = await session(await issuer.token(uuidv7(), 'national-admin'));
    expect(res.status).toBe(204);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/; Path=\/api\/notifications\/v1\/admin\/queues; Max-Age=\d+; HttpOnly; SameSite=Strict/);
    const board = await fetch(`${svc.url}/api/notifications/v1/admin/queues/api/queues?activeQueue=&page=1`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(board.status).toBe(200);
    // A cookie is no way around the role check.
    const staffCookie = `jab_queue_board=${await issuer.token(uuidv7(), 'staff')}`;
    expect((await fetch(`${svc.url}/api/notifications/v1/admin/queues/api/queues`, { headers: { cookie: staffCookie } })).status).toBe(403);
  });

  it('exports queue depth, oldest waiting age, send latency and failures', async () => {
    const text = await (await fetch(`${svc.url}/metrics`)).text();
    expect(text).toMatch(new RegExp(`notifications_queue_depth\\{queue="${SEND_QUEUES.email}"[^}]*\\} \\d+`));
    expect(text).toMatch(/notifications_queue_oldest_waiting_seconds\{queue="notifications.registration"[^}]*\} [\d.]+/);
    expect(text).toMatch(/notifications_queue_delayed\{queue="notifications.delivery"[^}]*\} [1-9]/);
    expect(text).toMatch(/notifications_send_duration_seconds_count\{[^}]*channel="email"[^}]*\} [1-9]/);
    expect(text).toContain('notifications_send_failures_total');
  });
});
