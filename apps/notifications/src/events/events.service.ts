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
import { queueLotRecall, queueMessage, queueMessages, type MessageRequest, type MessagingDeps } from '../messages/messages.service.js';
import { centerNameFor, type TemplateName } from '../messages/templates.js';
import {
  applyAppointment,
  markAttended,
  recordDose,
  upsertContact,
  upsertContacts,
  type ContactSeen,
} from '../projections/projections.repo.js';
import { removeReminders, scheduleDoseDue, scheduleReminders } from '../schedule/schedule.service.js';

export interface EventDeps extends MessagingDeps {
  logger: Logger;
}

/** One registration event → the projections it feeds and the messages it causes. */
export async function handleRegistrationEvent(deps: EventDeps, event: RegistrationEvent): Promise<void> {
  const simple = effectsOf(event);
  if (simple) return applyEffects(deps, [simple]);
  switch (event.type) {
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
    default:
      return;
  }
}

/** What an event does when it is only a contact to remember and a message to send. */
interface Effects {
  contact?: ContactSeen;
  message?: MessageRequest<TemplateName>;
}

/** The effects of an event that has nothing but (most of a launch's events); undefined otherwise. */
function effectsOf(event: RegistrationEvent): Effects | undefined {
  switch (event.type) {
    case 'registrant.registered':
    case 'registrant.updated':
      return registrantEffects(event);
    case 'otp.requested':
      return otpEffects(event);
    case 'certificate.issued':
      return certificateEffects(event);
    // Routed to other consumers; nothing to tell anyone about.
    case 'appointment.checked_in':
    case 'aefi.reported':
    case 'center.saved':
    case 'session.scheduled':
      return {};
    default:
      return undefined;
  }
}

/** Contacts first (a message's fallback reads them), then messages: one statement each, whatever the count. */
async function applyEffects(deps: EventDeps, effects: Effects[]): Promise<void> {
  await upsertContacts(deps.pool, effects.flatMap((e) => (e.contact ? [e.contact] : [])));
  await queueMessages(deps, effects.flatMap((e) => (e.message ? [e.message] : [])));
}

/**
 * Many events at once, each settled on its own. Contacts and messages of the simple events
 * go in a few multi-row statements and one bulk add per channel; an event with its own
 * projections and reminders (bookings, doses, recalls) runs alone beside them. When a
 * batch statement fails, its events run one by one, so a bad event fails only itself.
 */
export async function handleRegistrationEvents(deps: EventDeps, events: RegistrationEvent[]): Promise<PromiseSettledResult<void>[]> {
  const results: Promise<PromiseSettledResult<void>>[] = [];
  const simple: { i: number; event: RegistrationEvent; effects: Effects }[] = [];
  events.forEach((event, i) => {
    const effects = effectsOf(event);
    if (effects) simple.push({ i, event, effects });
    else results[i] = settle(handleRegistrationEvent(deps, event));
  });
  const together = await settle(applyEffects(deps, simple.map((s) => s.effects)));
  for (const s of simple) results[s.i] = together.status === 'fulfilled' ? Promise.resolve(together) : settle(handleRegistrationEvent(deps, s.event));
  return Promise.all(results);
}

const settle = <T>(p: Promise<T>): Promise<PromiseSettledResult<T>> =>
  p.then(
    (value) => ({ status: 'fulfilled', value }) as const,
    (reason: unknown) => ({ status: 'rejected', reason }) as const,
  );

/** The contact a registrant event brings, and the message it causes: all that event does here. */
function registrantEffects(event: RegistrantRegisteredEvent | RegistrantUpdatedEvent): Effects {
  const { data } = event;
  if (event.type === 'registrant.updated') {
    return event.data.deleted ? {} : { contact: { accountId: data.accountId, contact: data.contact, seenAt: event.occurredAt } };
  }
  const r = event.data;
  return {
    contact: { accountId: r.accountId, contact: r.contact, seenAt: event.occurredAt },
    message: {
      template: 'welcome',
      dedupKey: `${event.id}:welcome`,
      accountId: r.accountId,
      registrantId: r.registrantId,
      language: r.preferredLanguage,
      contact: r.contact,
      params: { firstName: r.fullName.split(/\s+/)[0] },
    },
  };
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

function otpEffects(event: OtpRequestedEvent): Effects {
  const { data } = event;
  return {
    message: {
      template: 'otp',
      dedupKey: `${event.id}:otp`,
      accountId: null,
      registrantId: null,
      language: data.preferredLanguage,
      contact: data.destination,
      explicitDestination: true,
      // Still sealed: opened only by the delivery worker, just before it hands it to the provider.
      params: { sealedCode: data.sealedCode, expiresAt: data.expiresAt },
    },
  };
}

function certificateEffects(event: CertificateIssuedEvent): Effects {
  const { data } = event;
  return {
    contact: { accountId: data.accountId, contact: data.contact, seenAt: event.occurredAt },
    message: {
      template: 'certificate_ready',
      // One notice per certificate, even when it is re-issued under a new event.
      dedupKey: `certificate:${data.certificateId}:certificate_ready`,
      accountId: data.accountId,
      registrantId: data.registrantId,
      language: data.preferredLanguage,
      contact: data.contact,
      params: { issuedAt: data.issuedAt },
    },
  };
}
