import type { StaffSessionResponse } from '@jab/contracts';

const b64url = (value: object) => btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** A staff session as the service issues it (the token's claims are what the console reads). */
export function staffSession(claims: { role?: string; centerId?: string; region?: string } = {}): StaffSessionResponse {
  const role = claims.role ?? 'staff';
  const payload = { sub: '01900000-0000-7000-8000-0000000057a1', exp: 4_102_444_800, ...claims, role };
  return { accessToken: `${b64url({ alg: 'ES256', typ: 'JWT' })}.${b64url(payload)}.c2lnbmF0dXJl`, role };
}

export const CENTER_ID = '01900000-0000-7000-8000-00000000d003';
export const VACCINE_ID = '01900000-0000-7000-8000-00000000d001';

export const center = {
  id: CENTER_ID,
  names: { en: 'Paris Hôtel de Ville vaccination center', fr: 'Centre de vaccination Hôtel de Ville' },
  address: "Place de l'Hôtel de Ville, 75004 Paris",
  region: 'FR-IDF',
  latitude: 48.8566,
  longitude: 2.3522,
  languages: ['fr', 'en'],
  vaccineIds: [VACCINE_ID],
  timeZone: 'Europe/Paris',
  openingHours: [],
};

export const vaccine = {
  id: VACCINE_ID,
  name: 'Jabvax',
  manufacturer: 'Jab Demo Biologicals',
  seriesDoses: 2,
  minIntervalDays: 21,
  minAgeYears: 12,
  maxAgeYears: null,
  cvxCode: null,
};
