/**
 * Who may do what: one entry per route of every service, keyed by `METHOD path` (full
 * path, parameters in OpenAPI form). A route a service answers that is missing here
 * fails the security suite by name, so every new route must be classified.
 *
 * Each entry gives the roles that may get a 2xx and a request that *would* succeed for
 * them — real ids, a valid body, fresh records where the request changes state — so
 * that only authorization stands between any other role and a 2xx.
 */
import { randomBytes } from 'node:crypto';
import type { Req } from './http.testing.js';
import { REGION_A, SES_TOPIC, type Household, type Platform, type Role } from './platform.testing.js';
import type { ServiceName } from './services.testing.js';

export interface Built {
  req: Req;
  /** The household the request is about: `citizen` calls with its token. */
  owner?: Household;
}

export interface Probe {
  /** `public`, or the roles that may get a 2xx. */
  allow: 'public' | readonly Role[];
  build: (p: Platform, role: Role) => Promise<Built>;
  /** For a mounted route the OpenAPI document leaves out: why. */
  undocumented?: string;
  /**
   * What every role the route does not allow must get, when not the usual (401 without
   * a token, 403 or 404 with one): for routes authenticated by something else than a token.
   */
  denied?: readonly number[];
}

const R = '/api/registration/v1';
const N = '/api/notifications/v1';
const S = '/api/search/v1';
const A = '/api/analytics/v1';

/** Scoped staff; `unscopedStaff` and `unscopedCenterAdmin` are in no list: every route refuses them (decision 0005). */
const STAFF_ROLES = ['staff', 'otherStaff', 'centerAdmin', 'otherCenterAdmin', 'nationalAdmin'] as const;
/** Staff of the record's center or region, and national admins. */
const AT_A = ['staff', 'centerAdmin', 'nationalAdmin'] as const;
const REASON = { 'x-access-reason': 'security matrix check' };

const hex = (n = 4) => randomBytes(n).toString('hex');
const get = (path: string, headers?: Record<string, string>): Built => ({ req: { method: 'GET', path, headers } });
const ok = (req: Req, owner?: Household): Built => ({ req, owner });
let sessionDays = 2;
const dayAfter = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 24 * 3600_000).toISOString().slice(0, 10);

const person = () => ({
  fullName: `Added Person ${hex()}`,
  birthDate: '1985-02-03',
  region: REGION_A,
  preferredLanguage: 'en',
  contact: { channel: 'email', address: `added-${hex()}@example.org` },
});

/** The kit's endpoints: open on the task's port (the ALB routes only `/api/*` and health). */
function kit(service: ServiceName): Record<string, Probe> {
  return {
    'GET /health/live': { allow: 'public', build: async () => get('/health/live') },
    'GET /health/ready': { allow: 'public', build: async () => get('/health/ready') },
    'GET /metrics': { allow: 'public', build: async () => get('/metrics') },
    [`GET /api/${service}/v1/openapi.json`]: { allow: 'public', build: async () => get(`/api/${service}/v1/openapi.json`) },
  };
}

const DASHBOARDS = ['/summary', '/timeseries', '/breakdowns/{dimension}', '/centers/top', '/utilization', '/coverage', '/aefi/lots', '/registrations/daily'];

export const MATRIX: Record<ServiceName, Record<string, Probe>> = {
  registration: {
    ...kit('registration'),
    [`GET ${R}/.well-known/jwks.json`]: {
      allow: 'public',
      undocumented: 'the public key set every verifier fetches, at its well-known location',
      build: async () => get(`${R}/.well-known/jwks.json`),
    },
    [`POST ${R}/staff-sessions`]: {
      allow: 'public',
      build: async (p) => ok({ method: 'POST', path: `${R}/staff-sessions`, body: p.world.staffLogin }),
    },
    [`POST ${R}/otp-requests`]: {
      allow: 'public',
      build: async () => ok({ method: 'POST', path: `${R}/otp-requests`, body: { contact: { channel: 'email', address: `otp-${hex()}@example.org` } } }),
    },
    [`POST ${R}/sessions`]: {
      allow: 'public',
      build: async (p) => {
        const contact = { channel: 'email', address: `signin-${hex()}@example.org` };
        await p.api('registration', 'POST', '/otp-requests', { body: { contact } });
        return ok({ method: 'POST', path: `${R}/sessions`, body: { contact, code: await p.lastCodeSentTo(contact.address) } });
      },
    },
    [`POST ${R}/sessions/refresh`]: {
      allow: 'public',
      build: async (p) => ok({ method: 'POST', path: `${R}/sessions/refresh`, body: { refreshToken: (await p.citizenSession()).refreshToken } }),
    },
    [`POST ${R}/sessions/logout`]: {
      allow: 'public',
      build: async (p) => ok({ method: 'POST', path: `${R}/sessions/logout`, body: { refreshToken: (await p.citizenSession()).refreshToken } }),
    },
    // Anonymous: a new household; a citizen: into their own household; staff may not.
    [`POST ${R}/registrants`]: {
      allow: ['none', 'citizen', 'otherCitizen'],
      build: async (p, role) => ok({ method: 'POST', path: `${R}/registrants`, body: person() }, role === 'citizen' ? await p.household() : undefined),
    },
    [`GET ${R}/registrants`]: { allow: ['citizen', 'otherCitizen'], build: async () => get(`${R}/registrants`) },
    [`GET ${R}/registrants/{id}`]: {
      allow: ['citizen', ...AT_A],
      build: async (p) => get(`${R}/registrants/${p.world.victim.registrantId}`, REASON),
    },
    [`PATCH ${R}/registrants/{id}`]: {
      allow: ['citizen'],
      build: async (p) => {
        const owner = await p.household();
        return ok({ method: 'PATCH', path: `${R}/registrants/${owner.registrantId}`, body: { preferredLanguage: 'fr' } }, owner);
      },
    },
    [`GET ${R}/registrants/{id}/access-log`]: {
      allow: ['citizen'],
      build: async (p) => get(`${R}/registrants/${p.world.victim.registrantId}/access-log`),
    },
    // Another service (notifications) records a staff read of data it holds: registration's region rule.
    [`POST ${R}/registrants/{id}/access-log`]: {
      allow: AT_A,
      build: async (p) =>
        ok({
          method: 'POST',
          path: `${R}/registrants/${p.world.victim.registrantId}/access-log`,
          headers: REASON,
          body: { action: 'messages.read' },
        }),
    },
    [`GET ${R}/registrants/{id}/fhir`]: {
      allow: ['citizen', ...AT_A],
      build: async (p) => get(`${R}/registrants/${p.world.victim.registrantId}/fhir`, REASON),
    },
    [`GET ${R}/vaccines`]: { allow: 'public', build: async () => get(`${R}/vaccines`) },
    [`POST ${R}/vaccines`]: {
      allow: ['nationalAdmin'],
      build: async () =>
        ok({
          method: 'POST',
          path: `${R}/vaccines`,
          body: { name: `Matrixvax ${hex()}`, manufacturer: 'Matrix Labs', seriesDoses: 1, minIntervalDays: 0, minAgeYears: 0 },
        }),
    },
    [`GET ${R}/campaigns`]: { allow: STAFF_ROLES, build: async () => get(`${R}/campaigns`) },
    [`POST ${R}/campaigns`]: {
      allow: ['nationalAdmin'],
      build: async (p) =>
        ok({
          method: 'POST',
          path: `${R}/campaigns`,
          body: {
            name: `Matrix campaign ${hex()}`,
            vaccineIds: [p.world.vaccineId],
            regions: [REGION_A],
            startsOn: p.world.day,
            endsOn: p.world.day,
            targetAgeBands: [{ minAge: 60, maxAge: null }],
          },
        }),
    },
    [`GET ${R}/lots`]: { allow: STAFF_ROLES, build: async () => get(`${R}/lots`) },
    [`POST ${R}/lots`]: {
      allow: ['nationalAdmin'],
      build: async (p) =>
        ok({ method: 'POST', path: `${R}/lots`, body: { vaccineId: p.world.vaccineId, lotNumber: `M-${hex()}`, expiresOn: '2099-01-01' } }),
    },
    [`POST ${R}/lots/{lotId}/recall`]: {
      allow: ['nationalAdmin'],
      build: async (p) => ok({ method: 'POST', path: `${R}/lots/${(await p.lot()).id}/recall`, body: { reason: 'cold chain broken' } }),
    },
    [`GET ${R}/centers`]: { allow: 'public', build: async () => get(`${R}/centers?region=${REGION_A}`) },
    [`GET ${R}/centers/{centerId}`]: { allow: 'public', build: async (p) => get(`${R}/centers/${p.world.centerA}`) },
    [`GET ${R}/centers/{centerId}/availability`]: {
      allow: 'public',
      build: async (p) => get(`${R}/centers/${p.world.centerA}/availability?date=${p.world.day}`),
    },
    [`GET ${R}/availability`]: {
      allow: 'public',
      build: async (p) => get(`${R}/availability?centerIds=${p.world.centerA}&date=${p.world.day}`),
    },
    [`GET ${R}/centers/{centerId}/availability/stream`]: {
      allow: 'public',
      build: async (p) => get(`${R}/centers/${p.world.centerA}/availability/stream?date=${p.world.day}`),
    },
    [`GET ${R}/availability/summary`]: {
      allow: 'public',
      build: async (p) => get(`${R}/availability/summary?centerIds=${p.world.centerA}&date=${p.world.day}`),
    },
    // A center admin scoped to one center (as every admin token here) may not open new ones.
    [`POST ${R}/centers`]: {
      allow: ['nationalAdmin'],
      build: async (p) =>
        ok({
          method: 'POST',
          path: `${R}/centers`,
          body: {
            names: { en: `Matrix center ${hex()}` },
            address: '2 Matrix Road, Testville',
            region: REGION_A,
            latitude: 1,
            longitude: 1,
            languages: ['en'],
            vaccineIds: [p.world.vaccineId],
            timeZone: 'UTC',
            openingHours: [],
          },
        }),
    },
    [`POST ${R}/centers/{centerId}/sessions`]: {
      allow: ['centerAdmin', 'nationalAdmin'],
      build: async (p) =>
        ok({
          method: 'POST',
          path: `${R}/centers/${p.world.centerA}/sessions`,
          body: {
            vaccineId: p.world.vaccineId,
            date: dayAfter(p.world.day, sessionDays++),
            startTime: '14:00',
            endTime: '15:00',
            slotMinutes: 30,
            capacityDose1: 2,
            capacityLaterDoses: 0,
            walkInQuota: 0,
          },
        }),
    },
    [`POST ${R}/appointments`]: {
      allow: ['citizen'],
      build: async (p) => {
        const owner = await p.household();
        return ok({ method: 'POST', path: `${R}/appointments`, body: { registrantId: owner.registrantId, slotId: p.world.slot, doseNumber: 1 } }, owner);
      },
    },
    [`GET ${R}/appointments`]: { allow: ['citizen', 'otherCitizen'], build: async () => get(`${R}/appointments`) },
    [`GET ${R}/appointments/{appointmentId}`]: {
      allow: ['citizen', ...AT_A],
      build: async (p) => get(`${R}/appointments/${p.world.victim.appointmentId}`),
    },
    [`POST ${R}/appointments/{appointmentId}/cancel`]: {
      allow: ['citizen', ...AT_A],
      build: async (p) => {
        const { owner, appointmentId } = await p.appointment();
        return ok({ method: 'POST', path: `${R}/appointments/${appointmentId}/cancel` }, owner);
      },
    },
    [`POST ${R}/appointments/{appointmentId}/reschedule`]: {
      allow: ['citizen', ...AT_A],
      build: async (p) => {
        const { owner, appointmentId } = await p.appointment();
        return ok({ method: 'POST', path: `${R}/appointments/${appointmentId}/reschedule`, body: { slotId: p.world.otherSlot } }, owner);
      },
    },
    [`POST ${R}/walk-ins`]: {
      allow: AT_A,
      build: async (p) => {
        const owner = await p.household();
        return ok({ method: 'POST', path: `${R}/walk-ins`, body: { registrantId: owner.registrantId, slotId: p.world.slot, doseNumber: 1 } }, owner);
      },
    },
    [`POST ${R}/check-ins`]: {
      allow: AT_A,
      build: async (p) => {
        const { owner, code } = await p.appointment();
        return ok({ method: 'POST', path: `${R}/check-ins`, body: { appointmentCode: code } }, owner);
      },
    },
    [`GET ${R}/centers/{centerId}/appointments`]: {
      allow: AT_A,
      build: async (p) => get(`${R}/centers/${p.world.centerA}/appointments?date=${p.world.day}`),
    },
    [`POST ${R}/doses`]: {
      allow: AT_A,
      build: async (p) => {
        const { owner, appointmentId } = await p.appointment();
        return ok(
          {
            method: 'POST',
            path: `${R}/doses`,
            body: {
              registrantId: owner.registrantId,
              appointmentId,
              vaccineId: p.world.vaccineId,
              lotNumber: p.world.lotNumber,
              doseNumber: 1,
              site: 'left-arm',
              administeredAt: new Date(Date.now() - 60_000).toISOString(),
            },
          },
          owner,
        );
      },
    },
    [`GET ${R}/doses`]: { allow: ['citizen'], build: async (p) => get(`${R}/doses?registrantId=${p.world.victim.registrantId}`) },
    [`PATCH ${R}/doses/{doseId}`]: {
      allow: AT_A,
      build: async (p) => {
        const { owner, doseId } = await p.dose();
        return ok({ method: 'PATCH', path: `${R}/doses/${doseId}`, body: { site: 'right-arm', reason: 'recorded on the wrong arm' } }, owner);
      },
    },
    [`POST ${R}/doses/{doseId}/adverse-events`]: {
      allow: ['citizen', ...AT_A],
      build: async (p) =>
        ok({
          method: 'POST',
          path: `${R}/doses/${p.world.victim.doseId}/adverse-events`,
          body: { severity: 'mild', onsetDate: new Date().toISOString().slice(0, 10), description: 'sore arm' },
        }),
    },
    [`GET ${R}/certificates`]: {
      allow: ['citizen', ...AT_A],
      build: async (p) => get(`${R}/certificates?registrantId=${p.world.victim.registrantId}`, REASON),
    },
    [`GET ${R}/certificates/{certificateId}`]: {
      allow: ['citizen', ...AT_A],
      build: async (p) => get(`${R}/certificates/${p.world.victim.certificateId}`, REASON),
    },
    // Anyone shown a health card may check it.
    [`POST ${R}/certificates/verify`]: {
      allow: 'public',
      build: async (p) => ok({ method: 'POST', path: `${R}/certificates/verify`, body: { jws: p.world.victim.jws } }),
    },
  },

  notifications: {
    ...kit('notifications'),
    // Citizens read their own household's messages (the id is ignored for them); admins of the
    // person's region and national admins one person's, with a reason, written to the access log.
    [`GET ${N}/messages`]: {
      allow: ['citizen', 'otherCitizen', 'centerAdmin', 'nationalAdmin'],
      build: async (p) => get(`${N}/messages?registrantId=${p.world.victim.registrantId}`, REASON),
    },
    [`GET ${N}/preferences`]: { allow: ['citizen', 'otherCitizen'], build: async () => get(`${N}/preferences`) },
    [`PUT ${N}/preferences`]: {
      allow: ['citizen', 'otherCitizen'],
      build: async () => ok({ method: 'PUT', path: `${N}/preferences`, body: { email: true, sms: true } }),
    },
    // Authenticated by SNS's signature, not by a token: a forged event changes nothing, for anyone.
    [`POST ${N}/provider-events/ses`]: {
      allow: [],
      denied: [403],
      build: async (p) =>
        ok({
          method: 'POST',
          path: `${N}/provider-events/ses`,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          rawBody: JSON.stringify({
            Type: 'Notification',
            MessageId: `forged-${hex()}`,
            TopicArn: SES_TOPIC,
            Message: JSON.stringify({ eventType: 'Delivery', mail: { messageId: p.world.victim.messageId, tags: {} }, delivery: {} }),
            Timestamp: new Date().toISOString(),
            SignatureVersion: '2',
            Signature: Buffer.from('forged').toString('base64'),
            SigningCertURL: 'https://attacker.example/cert.pem',
          }),
        }),
    },
    // Trades a national admin's token for a cookie the dashboard's links carry.
    [`POST ${N}/admin/queue-board-sessions`]: {
      allow: ['nationalAdmin'],
      build: async () => ok({ method: 'POST', path: `${N}/admin/queue-board-sessions` }),
    },
    [`ALL ${N}/admin/queues/*`]: {
      allow: ['nationalAdmin'],
      undocumented: 'the BullMQ dashboard (bull-board), a third-party router mounted behind the national-admin guard',
      build: async () => get(`${N}/admin/queues/api/queues`),
    },
  },

  search: {
    ...kit('search'),
    // Staff search their own region; asking for another region is refused.
    [`GET ${S}/registrants`]: {
      allow: AT_A,
      build: async (p) => get(`${S}/registrants?q=${encodeURIComponent(p.world.victim.fullName)}&region=${REGION_A}`),
    },
    [`GET ${S}/centers`]: { allow: 'public', build: async () => get(`${S}/centers?q=center`) },
  },

  analytics: {
    ...kit('analytics'),
    ...Object.fromEntries(
      DASHBOARDS.map((path): [string, Probe] => [
        `GET ${A}${path}`,
        { allow: ['centerAdmin', 'nationalAdmin'], build: async () => get(`${A}${path.replace('{dimension}', 'region')}?region=${REGION_A}`) },
      ]),
    ),
    [`POST ${A}/reports`]: {
      allow: ['centerAdmin', 'nationalAdmin'],
      build: async () => ok({ method: 'POST', path: `${A}/reports`, body: { kind: 'aefi', filters: { region: REGION_A } } }),
    },
    // A report is its requester's (the center A admin here) and national admins'.
    [`GET ${A}/reports/{reportId}`]: { allow: ['centerAdmin', 'nationalAdmin'], build: async (p) => get(`${A}/reports/${p.world.reportId}`) },
    [`GET ${A}/reports/{reportId}/download`]: {
      allow: ['centerAdmin', 'nationalAdmin'],
      build: async (p) => get(`${A}/reports/${p.world.reportId}/download`),
    },
  },
};

/** True when `role` may get a 2xx from the route. */
export const allows = (probe: Probe, role: Role) => probe.allow === 'public' || probe.allow.includes(role);

export function probeOf(service: ServiceName, route: string): Probe {
  const probe = MATRIX[service][route];
  if (!probe) throw new Error(`${service} ${route} is not in the matrix`);
  return probe;
}

/** A role the route allows, to build requests that pass authorization (`none` when none does). */
export const someAllowedRole = (probe: Probe): Role => (probe.allow === 'public' ? 'none' : (probe.allow[0] ?? 'none'));
