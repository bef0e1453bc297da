import type { Contact } from '@jab/contracts';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface OutgoingMessage {
  messageId: string;
  to: Contact;
  subject: string;
  body: string;
}

/** Every way Jab reaches a citizen (SMTP, SNS, the local sink) implements this. */
export interface Channel {
  readonly name: 'email' | 'sms' | 'sink';
  send(message: OutgoingMessage): Promise<void>;
}

/**
 * Development and test delivery: one JSON line per message in `<dir>/outbox.jsonl`,
 * so people and tests can read exactly what a citizen would have received.
 */
export function createSinkChannel(dir: string): Channel {
  const file = join(dir, 'outbox.jsonl');
  let ready: Promise<unknown> | undefined;
  return {
    name: 'sink',
    async send(message) {
      ready ??= mkdir(dir, { recursive: true });
      await ready;
      await appendFile(file, `${JSON.stringify({ ...message, sentAt: new Date().toISOString() })}\n`);
    },
  };
}
