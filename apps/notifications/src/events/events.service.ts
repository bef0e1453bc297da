import type {
  AppointmentBookedEvent,
  AppointmentCancelledEvent,
  AppointmentPlace,
  AppointmentRescheduledEvent,
  CertificateIssuedEvent,
  DoseAdministeredEvent,
  Language,
  LotRecalledEvent,
  OtpRequestedEvent,
  RegistrantRegisteredEvent,
  RegistrantUpdatedEvent,
  RegistrationEvent,
} from '@jab/contracts';
import type { Logger } from '@jab/logger';
import { centerNameFor } from '../messages/templates.js';
import { queueLotRecall, queueMessage, type MessagingDeps } from '../messages/messages.service.js';
import { applyAppointment, markAttended, recordDose, upsertContact } from '../projections/projections.repo.js';
import { removeReminders, scheduleDoseDue, scheduleReminders } from '../schedule/schedule.service.js';

export interface EventDeps extends MessagingDeps {
  logger: Logger;
}

/** One registration event → the projections it feeds and the messages it causes. */
export async function handleRegistrationEvent(deps: EventDeps, event: RegistrationEvent): Promise<void> {
  switch (event.type) {
    case 'registrant.registered':
      return registered(deps, event);
    case 'registrant.updated':
      return updated(deps, event);
    case 'appointment.booked':
      return booked(deps, event);
    case 'appointment.cancelled':
      return cancelled(deps, event);
    case 'appointment.rescheduled':
      return rescheduled(deps, event);
    case 'dose.administered':
      return administered(deps, event);
    case 'lot.recalled':
      return recalled(deps, event);
    case 'otp.requested':
      return otpRequested(deps, event);
    case 'certificate.issued':
      return certificateIssued(deps, event);
    // Routed to other consumers; nothing to tell anyone about.
    case 'appointment.checked_in':
    case 'aefi.reported':
    case 'center.saved':
    case 'session.scheduled':
      return;
  }
}

async function registered(deps: EventDeps, event: RegistrantRegisteredEvent): Promise<void> {
  const { data } = event;
  await upsertContact(deps.pool, data.accountId, data.contact, event.occurredAt);
  await queueMessage(deps, {
    template: 'welcome',
    dedupKey: `${event.id}:welcome`,
    accountId: data.accountId,
    registrantId: data.registrantId,
    language: data.preferredLanguage,
    contact: data.contact,
    params: { firstName: data.fullName.split(/\s+/)[0] },
  });
}

async function updated(deps: EventDeps, event: RegistrantUpdatedEvent): Promise<void> {
  if (event.data.deleted) return;
  await upsertContact(deps.pool, event.data.accountId, event.data.contact, event.occurredAt);
}

const placeParams = (place: AppointmentPlace, language: Language) => ({
  center: centerNameFor(place.centerName, language),
  address: place.centerAddress,
  startsAt: place.startsAt,
  timeZone: place.centerTimeZone,
});

async function booked(deps: EventDeps, event: AppointmentBookedEvent): Promise<void> {
  const { data } = event;
  await upsertContact(deps.pool, data.accountId, data.contact, event.occurredAt);
  const current = await applyAppointment(
    deps.pool,
    {
      appointmentId: data.appointmentId,
      accountId: data.accountId,
      registrantId: data.registrantId,
      language: data.preferredLanguage,
      status: 'booked',
      startsAt: data.startsAt,
      centerName: data.centerName,
      centerAddress: data.centerAddress,
      centerTimeZone: data.centerTimeZone,
      appointmentCode: data.appointmentCode,
      doseNumber: data.doseNumber,
    },
    event.occurredAt,
  );
  await queueMessage(deps, {
    template: 'booking_confirmed',
    dedupKey: `${event.id}:booking_confirmed`,
    accountId: data.accountId,
    registrantId: data.registrantId,
    language: data.preferredLanguage,
    contact: data.contact,
    params: { ...placeParams(data, data.preferredLanguage), code: data.appointmentCode, doseNumber: data.doseNumber, vaccine: data.vaccineName },
  });
  // From the projection, not the event: a later cancel or move may already be applied.
  if (current.status === 'booked') await scheduleReminders(deps.queues, current);
}

async function cancelled(deps: EventDeps, event: AppointmentCancelledEvent): Promise<void> {
  const { data } = event;
  await upsertContact(deps.pool, data.accountId, data.contact, event.occurredAt);
  // Reminders go first: whatever happens next, none of them may fire.
  await removeReminders(deps.queues, data.appointmentId);
  await applyAppointment(
    deps.pool,
    {
      appointmentId: data.appointmentId,
      accountId: data.accountId,
      registrantId: data.registrantId,
      language: data.preferredLanguage,
      status: 'cancelled',
      startsAt: data.startsAt,
      centerName: data.centerName,
      centerAddress: data.centerAddress,
      centerTimeZone: data.centerTimeZone,
      appointmentCode: null,
      doseNumber: data.doseNumber,
    },
    event.occurredAt,
  );
  // A no-show is cancelled after the fact: telling the person would only confuse them.
  if (data.reason === 'no-show') return;
  await queueMessage(deps, {
    template: 'appointment_cancelled',
    dedupKey: `${event.id}:appointment_cancelled`,
    accountId: data.accountId,
    registrantId: data.registrantId,
    language: data.preferredLanguage,
    contact: data.contact,
    params: { center: centerNameFor(data.centerName, data.preferredLanguage), startsAt: data.startsAt, timeZone: data.centerTimeZone },
  });
}

async function rescheduled(deps: EventDeps, event: AppointmentRescheduledEvent): Promise<void> {
  const { data } = event;
  await upsertContact(deps.pool, data.accountId, data.contact, event.occurredAt);
  const current = await applyAppointment(
    deps.pool,
    {
      appointmentId: data.appointmentId,
      accountId: data.accountId,
      registrantId: data.registrantId,
      language: data.preferredLanguage,
      status: 'booked',
      startsAt: data.to.startsAt,
      centerName: data.to.centerName,
      centerAddress: data.to.centerAddress,
      centerTimeZone: data.to.centerTimeZone,
      appointmentCode: data.appointmentCode,
      doseNumber: data.doseNumber,
    },
    event.occurredAt,
  );
  await removeReminders(deps.queues, data.appointmentId);
  if (current.status === 'booked') await scheduleReminders(deps.queues, current);
  await queueMessage(deps, {
    template: 'appointment_rescheduled',
    dedupKey: `${event.id}:appointment_rescheduled`,
    accountId: data.accountId,
    registrantId: data.registrantId,
    language: data.preferredLanguage,
    contact: data.contact,
    params: { ...placeParams(data.to, data.preferredLanguage), previousStartsAt: data.from.startsAt, code: data.appointmentCode },
  });
}

async function administered(deps: EventDeps, event: DoseAdministeredEvent): Promise<void> {
  const { data } = event;
  await upsertContact(deps.pool, data.accountId, data.contact, event.occurredAt);
  await recordDose(deps.pool, {
    doseId: data.doseId,
    accountId: data.accountId,
    registrantId: data.registrantId,
    language: data.preferredLanguage,
    vaccineId: data.vaccineId,
    vaccineName: data.vaccineName,
    lotNumber: data.lotNumber,
    doseNumber: data.doseNumber,
    administeredAt: data.administeredAt,
    nextDoseEarliest: data.nextDoseEarliest,
  });
  if (data.appointmentId) {
    await markAttended(deps.pool, data.appointmentId, event.occurredAt);
    await removeReminders(deps.queues, data.appointmentId);
  }
  if (data.nextDoseEarliest && !data.seriesComplete) await scheduleDoseDue(deps.queues, data.doseId, data.nextDoseEarliest);
}

async function recalled(deps: EventDeps, event: LotRecalledEvent): Promise<void> {
  const { data } = event;
  const count = await queueLotRecall(deps, { eventId: event.id, vaccineId: data.vaccineId, vaccineName: data.vaccineName, lotNumber: data.lotNumber });
  deps.logger.info({ eventId: event.id, recipients: count }, 'lot recall notices queued');
}

async function otpRequested(deps: EventDeps, event: OtpRequestedEvent): Promise<void> {
  const { data } = event;
  await queueMessage(deps, {
    template: 'otp',
    dedupKey: `${event.id}:otp`,
    accountId: null,
    registrantId: null,
    language: data.preferredLanguage,
    contact: data.destination,
    explicitDestination: true,
    // Still sealed: opened only by the delivery worker, just before it hands it to the provider.
    params: { sealedCode: data.sealedCode, expiresAt: data.expiresAt },
  });
}

async function certificateIssued(deps: EventDeps, event: CertificateIssuedEvent): Promise<void> {
  const { data } = event;
  await upsertContact(deps.pool, data.accountId, data.contact, event.occurredAt);
  await queueMessage(deps, {
    template: 'certificate_ready',
    // One notice per certificate, even when it is re-issued under a new event.
    dedupKey: `certificate:${data.certificateId}:certificate_ready`,
    accountId: data.accountId,
    registrantId: data.registrantId,
    language: data.preferredLanguage,
    contact: data.contact,
    params: { issuedAt: data.issuedAt },
  });
}
