import { createTransport } from 'nodemailer';
import { PermanentDeliveryError, type Channel } from './channel.js';

export interface EmailChannelOptions {
  /** `smtp://…` or `smtps://…` (credentials in the URL). */
  url: string;
  from: string;
  /** SES configuration set that publishes this email's delivery events (see provider-events). */
  configurationSet?: string;
  /** Per-connection socket timeout; a hung relay must not hold a worker slot for minutes. */
  timeoutMs?: number;
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  message: string;
}

/**
 * Email over SMTP with nodemailer. A 5xx answer (mailbox unknown, message refused) is
 * permanent; connection problems and 4xx (greylisting, busy relay) are worth a retry.
 */
export function createEmailChannel({ url, from, configurationSet, timeoutMs = 30_000 }: EmailChannelOptions): Channel {
  const transport = createTransport(
    { url, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs },
    { from },
  );
  return {
    name: 'email',
    async send(message) {
      if (message.to.channel !== 'email') throw new PermanentDeliveryError('the email channel needs an email address');
      try {
        const info = await transport.sendMail({
          to: message.to.address,
          subject: message.subject,
          text: message.body,
          headers: {
            'X-Jab-Message-Id': message.messageId,
            'X-Jab-Template': message.template,
            ...(configurationSet ? { 'X-SES-CONFIGURATION-SET': configurationSet } : {}),
          },
        });
        return { providerMessageId: info.messageId };
      } catch (error) {
        const e = error as SmtpError;
        // The server's text can quote the address: keep only the code in the reason.
        const reason = `smtp ${e.responseCode ?? e.code ?? 'error'}`;
        if (e.responseCode !== undefined && e.responseCode >= 500) throw new PermanentDeliveryError(`${reason}: rejected by the mail server`, { cause: error });
        throw new Error(`${reason}: temporary failure`, { cause: error });
      }
    },
  };
}
