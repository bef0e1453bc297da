/**
 * Answers of the real services, shaped by their contracts, for the citizen portal's
 * component tests (imported by `*.test.tsx` only, never by the app).
 */
import type { SessionTokens } from '@jab/contracts';
import type { Appointment, Availability, Center, Person, Slot, Vaccine } from './citizen.api';

export const TOKENS: SessionTokens = { accessToken: 'citizen-access', refreshToken: 'refresh-token-0123456789abcdef', expiresIn: 900 };

export const VACCINE: Vaccine = {
  id: '01900000-0000-7000-8000-00000000d001',
  name: 'Jabvax',
  manufacturer: 'Jab Demo Biologicals',
  seriesDoses: 2,
  minIntervalDays: 21,
  minAgeYears: 12,
  maxAgeYears: null,
  cvxCode: null,
};

export const CENTER: Center = {
  id: '01900000-0000-7000-8000-00000000d003',
  names: { en: 'Paris Hôtel de Ville vaccination center', fr: 'Centre de vaccination Hôtel de Ville' },
  address: "Place de l'Hôtel de Ville, 75004 Paris",
  region: 'FR-IDF',
  latitude: 48.8566,
  longitude: 2.3522,
  languages: ['fr', 'en'],
  vaccineIds: [VACCINE.id],
  timeZone: 'Europe/Paris',
  openingHours: [],
};

export const ZOE: Person = {
  id: '0193b6c2-7d1e-7c4a-9a55-1e2f3a4b5c6d',
  fullName: 'Zoë Ångström',
  birthDate: '1990-04-12',
  region: 'FR-IDF',
  preferredLanguage: 'fr',
  sex: 'female',
  version: 1,
  createdAt: '2025-01-01T10:00:00.000Z',
};

export const LEO: Person = { ...ZOE, id: '0193b6c2-7d1e-7c4a-9a55-1e2f3a4b5c6e', fullName: 'Léo Ångström', birthDate: '2012-06-01', sex: 'male' };

/** Two slots of `date` as the service lists them, both still ahead (relative to now). */
export function availability(date: string, remaining = { dose1: 10, laterDoses: 5, walkIn: 2 }): Availability {
  const base = Date.now() + 24 * 3600_000;
  const slot = (n: number): Slot => ({
    id: `01900000-0000-7000-8000-0000000051${String(n).padStart(2, '0')}`,
    vaccineId: VACCINE.id,
    startsAt: new Date(base + n * 30 * 60_000).toISOString(),
    endsAt: new Date(base + (n + 1) * 30 * 60_000).toISOString(),
    remaining,
  });
  return { centerId: CENTER.id, date, timeZone: CENTER.timeZone, version: 1, slots: [slot(0), slot(1)] };
}

export function appointment(overrides: Partial<Appointment> = {}): Appointment {
  return {
    id: '01900000-0000-7000-8000-0000000a0001',
    code: 'K7M2QX9P',
    registrantId: ZOE.id,
    centerId: CENTER.id,
    vaccineId: VACCINE.id,
    slotId: '01900000-0000-7000-8000-000000005100',
    startsAt: '2030-05-14T07:30:00.000Z',
    endsAt: '2030-05-14T08:00:00.000Z',
    doseNumber: 1,
    walkIn: false,
    status: 'booked',
    bookedAt: '2030-05-01T10:00:00.000Z',
    ...overrides,
  };
}

export const problem = (status: number, detail: string, errors: { path: string; message: string }[] = []) => ({
  type: 'about:blank',
  title: 'Problem',
  status,
  detail,
  errors,
});
