import type { Logger } from '@jab/logger';
import type { Pool } from 'pg';
import { queueMessage, type MessagingDeps } from '../messages/messages.service.js';
import { centerNameFor } from '../messages/templates.js';
import { findAppointment, findDose, findPrimaryContact, type AppointmentRow } from '../projections/projections.repo.js';
import { doseDueJobId, REMINDER_KINDS, reminderJobId, type NotificationQueues, type ReminderKind, type ScheduledJob } from '../queues.js';

const HOUR = 3_600_000;
export const REMINDER_LEAD_MS: Record<ReminderKind, number> = { '24h': 24 * HOUR, '2h': 2 * HOUR };

/**
 * One delayed job per reminder, its id derived from the appointment, so a cancel or a move
 * finds it. A reminder whose time has passed (booked at short notice) is not scheduled.
 */
export async function scheduleReminders(
  queues: NotificationQueues,
  appointment: Pick<AppointmentRow, 'appointmentId' | 'startsAt'>,
  now = Date.now(),
): Promise<void> {
  const startsAt = new Date(appointment.startsAt).getTime();
  for (const kind of REMINDER_KINDS) {
    const delay = startsAt - REMINDER_LEAD_MS[kind] - now;
    if (delay <= 0) continue;
    await queues.schedule.add(
      'reminder',
      { kind: 'reminder', appointmentId: appointment.appointmentId, reminder: kind, startsAt: new Date(startsAt).toISOString() },
      // `timestamp` pins the clock the delay counts from: due exactly `lead` before the start.
      { jobId: reminderJobId(appointment.appointmentId, kind), delay, timestamp: now },
    );
  }
}

/**
 * Removes the appointment's reminders whatever their state. One that is running right now
 * cannot be removed; it re-reads the appointment before sending and stands down.
 */
export async function removeReminders(queues: NotificationQueues, appointmentId: string): Promise<void> {
  for (const kind of REMINDER_KINDS) await queues.schedule.remove(reminderJobId(appointmentId, kind));
}

/** The notice waits until the first day the next dose may be given (00:00 UTC that day). */
export async function scheduleDoseDue(queues: NotificationQueues, doseId: string, nextDoseEarliest: string, now = Date.now()): Promise<void> {
  const delay = Math.max(0, new Date(`${nextDoseEarliest}T00:00:00Z`).getTime() - now);
  await queues.schedule.add('dose-due', { kind: 'dose-due', doseId }, { jobId: doseDueJobId(doseId), delay, timestamp: now });
}

export interface ScheduleDeps extends MessagingDeps {
  pool: Pool;
  logger: Logger;
}

/** A delayed job came due: turn it into a message, unless what it was about has changed. */
export async function runScheduled(deps: ScheduleDeps, job: ScheduledJob): Promise<void> {
  if (job.kind === 'reminder') return remind(deps, job);
  return doseDue(deps, job.doseId);
}

async function remind(deps: ScheduleDeps, job: Extract<ScheduledJob, { kind: 'reminder' }>): Promise<void> {
  const appointment = await findAppointment(deps.pool, job.appointmentId);
  // The last line of defence: a cancelled, attended or moved appointment never gets this reminder.
  const current =
    appointment?.status === 'booked' && new Date(appointment.startsAt).getTime() === new Date(job.startsAt).getTime();
  if (!appointment || !current) {
    deps.logger.info({ appointmentId: job.appointmentId, reminder: job.reminder }, 'reminder stood down: appointment changed');
    return;
  }
  const recipient = await findPrimaryContact(deps.pool, appointment.accountId);
  if (!recipient) {
    deps.logger.warn({ appointmentId: job.appointmentId }, 'reminder skipped: no contact known for the account');
    return;
  }
  const template = job.reminder === '24h' ? 'reminder_24h' : 'reminder_2h';
  await queueMessage(deps, {
    template,
    dedupKey: `appointment:${appointment.appointmentId}:${template}:${new Date(job.startsAt).toISOString()}`,
    accountId: appointment.accountId,
    registrantId: appointment.registrantId,
    language: appointment.language,
    contact: recipient,
    params: {
      center: centerNameFor(appointment.centerName, appointment.language),
      address: appointment.centerAddress,
      startsAt: appointment.startsAt,
      timeZone: appointment.centerTimeZone,
      code: appointment.appointmentCode ?? '',
    },
  });
}

async function doseDue(deps: ScheduleDeps, doseId: string): Promise<void> {
  const dose = await findDose(deps.pool, doseId);
  if (!dose?.nextDoseEarliest) return;
  const recipient = await findPrimaryContact(deps.pool, dose.accountId);
  if (!recipient) return;
  await queueMessage(deps, {
    template: 'second_dose_due',
    dedupKey: `dose:${doseId}:second_dose_due`,
    accountId: dose.accountId,
    registrantId: dose.registrantId,
    language: dose.language,
    contact: recipient,
    params: { vaccine: dose.vaccineName, doseNumber: dose.doseNumber + 1, dueDate: dose.nextDoseEarliest },
  });
}
