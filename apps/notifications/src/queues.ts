import { isoInstant, QUEUES } from '@jab/contracts';
import type { Logger } from '@jab/logger';
import { createQueue, type JabQueue } from '@jab/queue';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { ChannelKind } from './channels/channel.js';
import type { TemplateName } from './messages/templates.js';

/**
 * One send queue per channel, private to this service: a BullMQ rate limit applies to a
 * whole queue, and SMTP and SNS have different limits. Never rename (jobs would strand).
 */
export const SEND_QUEUES: Record<ChannelKind, string> = {
  email: 'notifications.send-email',
  sms: 'notifications.send-sms',
};
/** Delayed work (reminders, second-dose notices) waits here until it is due. */
export const SCHEDULE_QUEUE = QUEUES.notificationsDelivery;

export const sendJob = z.object({ messageId: z.uuid() });
export type SendJob = z.infer<typeof sendJob>;

export const REMINDER_KINDS = ['24h', '2h'] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];
export const scheduledJob = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('reminder'), appointmentId: z.uuid(), reminder: z.enum(REMINDER_KINDS), startsAt: isoInstant }),
  z.object({ kind: z.literal('dose-due'), doseId: z.uuid() }),
]);
export type ScheduledJob = z.infer<typeof scheduledJob>;

export const sendJobId = (messageId: string) => `send-${messageId}`;
export const reminderJobId = (appointmentId: string, kind: ReminderKind) => `reminder-${appointmentId}-${kind}`;
export const doseDueJobId = (doseId: string) => `dose-due-${doseId}`;

/**
 * BullMQ runs lower numbers first, and unprioritised jobs before any prioritised one, so
 * every send carries a priority: a one-time code overtakes a recall fan-out.
 */
export const PRIORITY: Record<TemplateName, number> = {
  otp: 1,
  booking_confirmed: 2,
  appointment_cancelled: 2,
  appointment_rescheduled: 2,
  reminder_2h: 2,
  reminder_24h: 3,
  welcome: 3,
  certificate_ready: 3,
  second_dose_due: 3,
  lot_recalled: 3,
};
export const PRIORITY_CLASSES = [...new Set(Object.values(PRIORITY))].sort();

export interface NotificationQueues {
  schedule: JabQueue<ScheduledJob>;
  send: Record<ChannelKind, JabQueue<SendJob>>;
  /** Every queue this service owns, the event queue included (dashboard, metrics). */
  all: JabQueue[];
}

export function openQueues(connection: Redis, logger: Logger, prefix: string): NotificationQueues {
  const schedule = createQueue<ScheduledJob>(SCHEDULE_QUEUE, { connection, logger, prefix });
  const send = {
    email: createQueue<SendJob>(SEND_QUEUES.email, { connection, logger, prefix }),
    sms: createQueue<SendJob>(SEND_QUEUES.sms, { connection, logger, prefix }),
  };
  const events = createQueue(QUEUES.notificationsFromRegistration, { connection, logger, prefix });
  return { schedule, send, all: [events, schedule, send.email, send.sms] as JabQueue[] };
}
