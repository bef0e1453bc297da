import { randomUUID } from 'node:crypto';
import type { CenterSavedEvent, RegistrantRegisteredEvent, RegistrantRegisteredV1 } from './events.js';

/** A valid `registrant.registered` event for consumer tests; override what the test is about. */
export function registrantRegistered(
  data: Partial<RegistrantRegisteredV1> = {},
  envelope: Partial<Omit<RegistrantRegisteredEvent, 'data'>> = {},
): RegistrantRegisteredEvent {
  return {
    id: randomUUID(),
    type: 'registrant.registered',
    v: 1,
    occurredAt: new Date().toISOString(),
    source: 'registration',
    ...envelope,
    data: {
      registrantId: randomUUID(),
      accountId: randomUUID(),
      fullName: 'Zoë Ångström',
      birthYear: 1990,
      ageBand: '28-37',
      sex: 'female',
      region: 'SE-AB',
      preferredLanguage: 'en',
      contact: { channel: 'email', address: 'zoe@example.org' },
      registeredOn: new Date().toISOString().slice(0, 10),
      version: 1,
      ...data,
    },
  };
}

/** A valid `center.saved` event (version 1) for consumer tests; override what the test is about. */
export function centerSaved(data: Partial<CenterSavedEvent['data']> = {}): CenterSavedEvent {
  return {
    id: randomUUID(),
    type: 'center.saved',
    v: 1,
    occurredAt: new Date().toISOString(),
    source: 'registration',
    data: { centerId: randomUUID(), names: { en: 'Marshwort Annex' }, locality: 'Nowhere', region: 'FR-BRE', languages: ['fr'], vaccines: [], version: 1, ...data },
  };
}
