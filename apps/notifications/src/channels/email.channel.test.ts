import { UnrecoverableError } from '@jab/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtp, type TestSmtp } from '../testing/smtp.js';
import { PermanentDeliveryError } from './channel.js';
import { createEmailChannel } from './email.channel.js';

let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startTestSmtp();
});
afterAll(async () => {
  await smtp?.close();
});

const message = (address: string) => ({
  messageId: '0190f5b2-7c1e-7a3b-8c4d-5e6f7a8b9c0d',
  template: 'welcome',
  to: { channel: 'email' as const, address },
  subject: 'Bienvenue sur Jab',
  body: 'Bonjour Amélie, vous êtes inscrite.',
});

describe('email channel (real SMTP server)', () => {
  it('delivers subject, text and recipient, tagged with the message id', async () => {
    const channel = createEmailChannel({ url: smtp.url, from: 'Jab <no-reply@jab.example>' });
    const result = await channel.send(message('amelie@example.org'));
    const mail = smtp.received.at(-1);
    expect(mail?.subject).toBe('Bienvenue sur Jab');
    expect(mail?.text?.trim()).toBe('Bonjour Amélie, vous êtes inscrite.');
    expect(mail?.to && 'text' in mail.to ? mail.to.text : '').toBe('amelie@example.org');
    expect(mail?.from?.value[0]).toMatchObject({ name: 'Jab', address: 'no-reply@jab.example' });
    expect(mail?.headers.get('x-jab-message-id')).toBe('0190f5b2-7c1e-7a3b-8c4d-5e6f7a8b9c0d');
    expect(result.providerMessageId).toMatch(/@/);
  });

  it('reports a 5xx refusal as permanent (UnrecoverableError) and a 4xx as temporary', async () => {
    const channel = createEmailChannel({ url: smtp.url, from: 'Jab <no-reply@jab.example>' });
    smtp.refuse.add('gone@example.org');
    const permanent = await channel.send(message('gone@example.org')).catch((e: unknown) => e);
    expect(permanent).toBeInstanceOf(PermanentDeliveryError);
    expect(permanent).toBeInstanceOf(UnrecoverableError);
    expect((permanent as Error).message).toMatch(/^smtp 550/);
    // The reason never quotes the address.
    expect((permanent as Error).message).not.toContain('gone@example.org');

    smtp.deferOnce.add('busy@example.org');
    const temporary = await channel.send(message('busy@example.org')).catch((e: unknown) => e);
    expect(temporary).not.toBeInstanceOf(UnrecoverableError);
    expect((temporary as Error).message).toMatch(/^smtp 451/);
  });

  it('reports an unreachable server as temporary', async () => {
    const channel = createEmailChannel({ url: 'smtp://127.0.0.1:1', from: 'Jab <no-reply@jab.example>', timeoutMs: 2_000 });
    const error = await channel.send(message('amelie@example.org')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(UnrecoverableError);
  });
});
