import type { Contact } from '@jab/contracts';
import { UnrecoverableError } from '@jab/queue';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

export type ChannelKind = Contact['channel'];

export interface OutgoingMessage {
  messageId: string;
  template: string;
  to: Contact;
  subject: string;
  body: string;
}

export interface SendResult {
  /** The provider's id for the message (SES/SMTP queue id, SNS MessageId), when it gives one. */
  providerMessageId?: string;
}

/** Every way Jab reaches a citizen (SMTP, SNS, the local sink) implements this. */
export interface Channel {
  readonly name: 'email' | 'sms' | 'sink';
  send(message: OutgoingMessage): Promise<SendResult>;
}

/**
 * A failure no retry can fix (mailbox rejected with 5xx, invalid phone number). It is
 * BullMQ's `UnrecoverableError`, so a job that rethrows it goes straight to the failed
 * set; the delivery service first tries the person's other channel.
 */
export class PermanentDeliveryError extends UnrecoverableError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message);
    this.name = 'UnrecoverableError';
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

export interface SinkOptions {
  dir: string;
  /** Prints one line per message (id, template, channel — never the content). */
  console?: boolean;
  write?: (line: string) => void;
}

/**
 * Development and test delivery: one JSON line per message in `<dir>/outbox.jsonl`,
 * so people and tests can read exactly what a citizen would have received.
 */
export function createSinkChannel({ dir, console = false, write = (l) => process.stdout.write(l) }: SinkOptions): Channel {
  const file = join(dir, 'outbox.jsonl');
  let ready: Promise<unknown> | undefined;
  return {
    name: 'sink',
    async send(message) {
      ready ??= mkdir(dir, { recursive: true });
      await ready;
      await appendFile(file, `${JSON.stringify({ ...message, sentAt: new Date().toISOString() })}\n`);
      if (console) write(`[sink] ${message.to.channel} message ${message.messageId} (${message.template}) → ${file}\n`);
      return {};
    },
  };
}
