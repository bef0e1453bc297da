/**
 * Valid registration events for this service's tests (the shared fixtures cover only
 * `registrant.registered`); each test overrides what it is about.
 */
import type {
  AppointmentBookedEvent,
  AppointmentCancelledEvent,
  AppointmentRescheduledEvent,
  CertificateIssuedEvent,
  DoseAdministeredEvent,
  LotRecalledEvent,
  OtpRequestedEvent,
  RegistrantUpdatedEvent,
} from '@jab/contracts';
import { randomUUID } from 'node:crypto';

const envelope = <T extends string>(type: T) => ({
  id: randomUUID(),
  type,
  v: 1 as const,
  occurredAt: new Date().toISOString(),
  source: 'registration',
});

export const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

export function person(overrides: Partial<Pick<AppointmentBookedEvent['data'], 'registrantId' | 'accountId' | 'preferredLanguage' | 'contact'>> = {}) {
  return {
    registrantId: randomUUID(),
    accountId: randomUUID(),
    preferredLanguage: 'en' as const,
    contact: { channel: 'email' as const, address: `p-${randomUUID().slice(0, 8)}@example.org` },
    ...overrides,
  };
}

export function place(startsAt: string) {
  return {
    centerId: randomUUID(),
    centerName: { en: 'Central Clinic', fr: 'Clinique centrale' },
    centerAddress: '1 Rue de la Paix, Paris',
    centerTimeZone: 'Europe/Paris',
    region: 'FR-IDF',
    slotId: randomUUID(),
    startsAt,
    endsAt: new Date(new Date(startsAt).getTime() + 15 * 60_000).toISOString(),
  };
}

export function appointmentBooked(data: Partial<AppointmentBookedEvent['data']> = {}): AppointmentBookedEvent {
  const who = person();
  return {
    ...envelope('appointment.booked'),
    data: {
      appointmentId: randomUUID(),
      ...who,
      ...place(inMs(3 * 24 * 3_600_000)),
      appointmentCode: 'JAB-7Q2K',
      doseNumber: 1,
      vaccineId: randomUUID(),
      vaccineName: 'Covax',
      ageBand: '28-37',
      sex: 'female',
      walkIn: false,
      bookedAt: new Date().toISOString(),
      ...data,
    },
  };
}

export function appointmentCancelled(booked: AppointmentBookedEvent, data: Partial<AppointmentCancelledEvent['data']> = {}): AppointmentCancelledEvent {
  const { appointmentCode: _code, vaccineName: _v, ageBand: _a, sex: _s, walkIn: _w, bookedAt: _b, ...rest } = booked.data;
  return {
    ...envelope('appointment.cancelled'),
    data: { ...rest, reason: 'citizen', cancelledAt: new Date().toISOString(), ...data },
  };
}

export function appointmentRescheduled(booked: AppointmentBookedEvent, toStartsAt: string): AppointmentRescheduledEvent {
  const d = booked.data;
  const from = {
    centerId: d.centerId,
    centerName: d.centerName,
    centerAddress: d.centerAddress,
    centerTimeZone: d.centerTimeZone,
    region: d.region,
    slotId: d.slotId,
    startsAt: d.startsAt,
    endsAt: d.endsAt,
  };
  return {
    ...envelope('appointment.rescheduled'),
    data: {
      appointmentId: d.appointmentId,
      registrantId: d.registrantId,
      accountId: d.accountId,
      preferredLanguage: d.preferredLanguage,
      contact: d.contact,
      appointmentCode: d.appointmentCode,
      doseNumber: d.doseNumber,
      vaccineId: d.vaccineId,
      from,
      to: { ...from, slotId: randomUUID(), startsAt: toStartsAt, endsAt: toStartsAt },
      rescheduledAt: new Date().toISOString(),
    },
  };
}

export function registrantUpdated(data: Partial<RegistrantUpdatedEvent['data']> = {}, occurredAt?: string): RegistrantUpdatedEvent {
  return {
    ...envelope('registrant.updated'),
    ...(occurredAt ? { occurredAt } : {}),
    data: {
      ...person(),
      fullName: 'Zoë Ångström',
      birthYear: 1990,
      ageBand: '28-37',
      sex: 'female',
      region: 'SE-AB',
      version: 2,
      deleted: false,
      ...data,
    },
  };
}

export function doseAdministered(data: Partial<DoseAdministeredEvent['data']> = {}): DoseAdministeredEvent {
  return {
    ...envelope('dose.administered'),
    data: {
      doseId: randomUUID(),
      ...person(),
      appointmentId: null,
      centerId: randomUUID(),
      region: 'FR-IDF',
      vaccineId: randomUUID(),
      vaccineName: 'Covax',
      lotNumber: 'LOT-1',
      doseNumber: 1,
      seriesDoses: 2,
      seriesComplete: false,
      administeredAt: new Date().toISOString(),
      ageBand: '28-37',
      sex: 'female',
      nextDoseEarliest: null,
      ...data,
    },
  };
}

export function lotRecalled(data: Partial<LotRecalledEvent['data']> = {}): LotRecalledEvent {
  return {
    ...envelope('lot.recalled'),
    data: { lotNumber: 'LOT-1', vaccineId: randomUUID(), vaccineName: 'Covax', reason: 'cold chain breach', recalledAt: new Date().toISOString(), ...data },
  };
}

export function otpRequested(sealedCode: string, data: Partial<OtpRequestedEvent['data']> = {}): OtpRequestedEvent {
  return {
    ...envelope('otp.requested'),
    data: {
      otpId: randomUUID(),
      destination: { channel: 'email', address: `otp-${randomUUID().slice(0, 8)}@example.org` },
      preferredLanguage: 'en',
      sealedCode,
      expiresAt: inMs(5 * 60_000),
      purpose: 'login',
      ...data,
    },
  };
}

export function certificateIssued(data: Partial<CertificateIssuedEvent['data']> = {}): CertificateIssuedEvent {
  return {
    ...envelope('certificate.issued'),
    data: { certificateId: randomUUID(), ...person(), doseId: randomUUID(), issuedAt: new Date().toISOString(), replaces: null, ...data },
  };
}
