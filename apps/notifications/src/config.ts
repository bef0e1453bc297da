import { sealingKey } from '@jab/auth';
import { baseConfigSchema } from '@jab/config';
import { z } from 'zod';

const positiveInt = z.coerce.number().int().positive();
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

export const notificationsConfig = baseConfigSchema
  .extend({
    JWKS_URL: z.url(),
    /** Registration's API root: it decides who may see a person's messages and logs the access. */
    REGISTRATION_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }),
    /** Per access check; a slower registration makes the read 503, never an unchecked one. */
    ACCESS_CHECK_TIMEOUT_MS: positiveInt.default(2_000),
    /** Development and test delivery: messages land in `<dir>/outbox.jsonl`. */
    NOTIFY_SINK_DIR: z.string().min(1).optional(),
    /** Also print one line per sunk message (never its content) on stdout. */
    NOTIFY_SINK_CONSOLE: flag.default(true),
    NOTIFY_EMAIL_TRANSPORT: z.enum(['smtp', 'sink']).default('sink'),
    NOTIFY_SMS_TRANSPORT: z.enum(['sns', 'sink']).default('sink'),
    /** `smtp://user:pass@host:587` or `smtps://…`. */
    SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
    NOTIFY_EMAIL_FROM: z.string().min(3).default('Jab <no-reply@jab.example>'),
    AWS_REGION: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1').optional(),
    /** Alphanumeric sender shown on SMS where the country allows it (1–11 characters). */
    SMS_SENDER_ID: z.string().regex(/^[A-Za-z0-9]{1,11}$/, 'must be 1-11 letters or digits').optional(),
    /** base64url of the 32-byte key registration seals one-time codes with. */
    OTP_SEALING_KEY: z
      .string()
      .refine((v) => {
        try {
          sealingKey(v);
          return true;
        } catch {
          return false;
        }
      }, 'must be the base64url form of 32 random bytes')
      .optional(),
    /** SNS topic SES publishes email events to (delivery, bounce); unset: no receipts. */
    SES_EVENTS_TOPIC_ARN: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/, 'must be an SNS topic ARN').optional(),
    /** SES configuration set whose event destination is that topic (sent as X-SES-CONFIGURATION-SET). */
    SES_CONFIGURATION_SET: z.string().regex(/^[\w-]{1,64}$/, 'must be an SES configuration set name').optional(),
    /** Send jobs each delivery worker (per channel) holds at once, sent in batches of `NOTIFY_BATCH`. */
    NOTIFY_CONCURRENCY: positiveInt.default(256),
    /** Registration event jobs each worker process holds at once (a job carries up to 100 events), applied in batches of `NOTIFY_BATCH`. */
    NOTIFY_EVENT_CONCURRENCY: positiveInt.default(16),
    /** Most events (or sends) applied together: one multi-row statement per step of a batch. */
    NOTIFY_BATCH: positiveInt.default(128),
    /** Due reminders and dose notices handled at once (one at a time each). */
    NOTIFY_SCHEDULE_CONCURRENCY: positiveInt.default(8),
    /** Provider rate limits, shared by every worker process (BullMQ limiter, per second). */
    NOTIFY_EMAIL_RATE_PER_SECOND: positiveInt.default(50),
    NOTIFY_SMS_RATE_PER_SECOND: positiveInt.default(20),
    /** Longer than any send may take; after it, a crashed worker's message may be retried. */
    NOTIFY_SEND_LEASE_SECONDS: positiveInt.default(60),
  })
  .superRefine((c, ctx) => {
    const usesSink = c.NOTIFY_EMAIL_TRANSPORT === 'sink' || c.NOTIFY_SMS_TRANSPORT === 'sink';
    if (usesSink && !c.NOTIFY_SINK_DIR)
      ctx.addIssue({ code: 'custom', path: ['NOTIFY_SINK_DIR'], message: 'is required while a transport is the sink' });
    if (c.NOTIFY_EMAIL_TRANSPORT === 'smtp' && !c.SMTP_URL)
      ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'is required when NOTIFY_EMAIL_TRANSPORT=smtp' });
    if (c.NOTIFY_SMS_TRANSPORT === 'sns' && !c.AWS_REGION)
      ctx.addIssue({ code: 'custom', path: ['AWS_REGION'], message: 'is required when NOTIFY_SMS_TRANSPORT=sns' });
    // Without the key no citizen can sign in; only development may start without it.
    if (c.NODE_ENV === 'production' && !c.OTP_SEALING_KEY)
      ctx.addIssue({ code: 'custom', path: ['OTP_SEALING_KEY'], message: 'is required in production' });
  });

export type NotificationsConfig = z.infer<typeof notificationsConfig>;
