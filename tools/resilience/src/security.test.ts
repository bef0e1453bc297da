/**
 * Security of the whole platform, every service running in-process on its own
 * database: who may call what (every route × every role), one citizen reaching for
 * another's records, forged tokens, rate limits and security headers. Hostile input is
 * in `security-input.test.ts`, log privacy in `security-logs.test.ts`.
 */
import { EDGE_CACHED_READS, edgePatternTakes } from '@jab/topology';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityHeaderProblems } from './headers.testing.js';
import { seen, type Req, type Res } from './http.testing.js';
import { allows, MATRIX, probeOf } from './matrix.testing.js';
import { Platform, REGION_A, REGION_B, ROLES, type Role } from './platform.testing.js';
import { documentedRoutes, kitRoutes, mountedRoutes, type RouteKey } from './routes.testing.js';
import { definitions, SERVICE_NAMES, type ServiceName } from './services.testing.js';
import { forgeries } from './tokens.testing.js';

let p: Platform;
const routes = {} as Record<ServiceName, RouteKey[]>;
const documented = {} as Record<ServiceName, Set<RouteKey>>;
const mounted = {} as Record<ServiceName, RouteKey[]>;

const OTP_RATE_PER_IP = 8;
const OTP_RATE_PER_DESTINATION = 3;
const STAFF_SIGNIN_RATE = 4;

beforeAll(async () => {
  p = await Platform.start({
    env: {
      registration: {
        OTP_RATE_PER_IP: String(OTP_RATE_PER_IP),
        OTP_RATE_PER_DESTINATION: String(OTP_RATE_PER_DESTINATION),
        STAFF_SIGNIN_RATE: String(STAFF_SIGNIN_RATE),
      },
    },
  });
  for (const name of SERVICE_NAMES) {
    const doc = await documentedRoutes(p.services[name].url, name);
    documented[name] = new Set(doc);
    mounted[name] = await mountedRoutes(definitions[name], p.env[name]);
    routes[name] = [...new Set([...kitRoutes(name), ...doc, ...mounted[name]])].sort();
  }
}, 120_000);

afterAll(() => p?.stop(), 60_000);

/** Builds the route's request for `role` and sends it with that role's token. */
async function attempt(service: ServiceName, route: RouteKey, role: Role): Promise<{ req: Req; res: Res }> {
  const built = await probeOf(service, route).build(p, role);
  const req = { ...built.req, token: await p.token(role, built.owner) };
  return { req, res: await p.call(service, req) };
}

const is2xx = (status: number) => status >= 200 && status < 300;
const leaked = (text: string, except = '') => [...p.markers].filter((m) => text.includes(m) && !except.includes(m));

describe('the edge', () => {
  it('keeps only GET routes that need no token: a cached behaviour forwards none, and refuses every other method', () => {
    const problems = SERVICE_NAMES.flatMap((s) =>
      routes[s].flatMap((route) => {
        const [method, path = ''] = route.split(' ');
        const read = EDGE_CACHED_READS.find((e) => edgePatternTakes(e.path, path));
        if (!read) return [];
        return method === 'GET' && MATRIX[s][route]?.allow === 'public' ? [] : [`${s} ${route} falls under the edge's cached ${read.path}`];
      }),
    );
    expect(problems).toEqual([]);
    // Each cached pattern still takes a route: a renamed one would leave the edge keeping nothing.
    for (const read of EDGE_CACHED_READS)
      expect(SERVICE_NAMES.some((s) => routes[s].some((route) => edgePatternTakes(read.path, route.split(' ')[1] ?? ''))), read.path).toBe(true);
  });
});

describe('authorization matrix', () => {
  it('has an entry for every route each service answers, and none for a route that is gone', () => {
    const unclassified = SERVICE_NAMES.flatMap((s) => routes[s].filter((r) => !MATRIX[s][r]).map((r) => `${s} ${r}`));
    const stale = SERVICE_NAMES.flatMap((s) => Object.keys(MATRIX[s]).filter((r) => !routes[s].includes(r)).map((r) => `${s} ${r}`));
    expect(unclassified).toEqual([]);
    expect(stale).toEqual([]);
    // The discovery itself works: every service documents its API and mounts it.
    for (const s of SERVICE_NAMES) expect(documented[s].size, s).toBeGreaterThan(1);
    expect(mounted.registration).toContain('GET /api/registration/v1/.well-known/jwks.json');
  });

  it('documents every mounted API route in OpenAPI, except those the matrix says why not', () => {
    const missing = SERVICE_NAMES.flatMap((s) =>
      mounted[s].filter((r) => !documented[s].has(r) && !MATRIX[s][r]?.undocumented).map((r) => `${s} ${r}`),
    );
    expect(missing).toEqual([]);
  });

  it('answers 2xx only to the roles a route allows, 401 without a token and 403/404 to the others', { timeout: 180_000 }, async () => {
    const problems: string[] = [];
    let cells = 0;
    for (const service of SERVICE_NAMES) {
      for (const route of routes[service]) {
        const probe = probeOf(service, route);
        await Promise.all(
          ROLES.map(async (role) => {
            const { req, res } = await attempt(service, route, role);
            cells++;
            const where = `${service} ${route} as ${role}: ${req.method} ${req.path} → ${res.status}`;
            if (allows(probe, role)) {
              if (!is2xx(res.status)) problems.push(`${where}, expected 2xx: ${res.text.slice(0, 200)}`);
            } else if (probe.denied) {
              if (!probe.denied.includes(res.status)) problems.push(`${where}, expected ${probe.denied.join(' or ')}`);
            } else if (role === 'none') {
              if (res.status !== 401) problems.push(`${where}, expected 401`);
            } else if (res.status !== 403 && res.status !== 404) {
              problems.push(`${where}, expected 403 or 404`);
            }
            // Whatever they may call, outsiders never receive someone else's records.
            if (probe.allow !== 'public' && (role === 'none' || role === 'otherCitizen') && is2xx(res.status)) {
              const found = leaked(res.text);
              if (found.length > 0) problems.push(`${where} carried another household's data: ${found.join(', ')}`);
            }
          }),
        );
      }
    }
    expect(problems).toEqual([]);
    expect(cells).toBe(SERVICE_NAMES.reduce((n, s) => n + routes[s].length * ROLES.length, 0));
  });
});

describe('one citizen reaching for another household by id', () => {
  it('gets 403 or 404 and never their data, on every route that takes a person’s, appointment’s, dose’s or certificate’s id', { timeout: 60_000 }, async () => {
    const problems: string[] = [];
    const checked: string[] = [];
    for (const service of SERVICE_NAMES) {
      for (const route of routes[service]) {
        const probe = probeOf(service, route);
        if (probe.allow === 'public' || !probe.allow.includes('citizen')) continue;
        const { req, res } = await attempt(service, route, 'otherCitizen');
        const target = `${req.path} ${JSON.stringify(req.body ?? '')}`;
        // Only requests that name someone else's record by id.
        if (leaked(target).length === 0) continue;
        checked.push(`${service} ${route}`);
        const where = `${service} ${route}: ${req.method} ${req.path} → ${res.status}`;
        // A route that serves the caller's own household whatever id is passed may answer 2xx.
        const ownDataRoute = probe.allow.includes('otherCitizen');
        if (!(res.status === 403 || res.status === 404 || (ownDataRoute && is2xx(res.status)))) problems.push(`${where}, expected 403 or 404`);
        const found = leaked(res.text, target);
        if (found.length > 0) problems.push(`${where} answered with their data: ${found.join(', ')}`);
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toEqual(
      expect.arrayContaining([
        'registration GET /api/registration/v1/registrants/{id}',
        'registration PATCH /api/registration/v1/registrants/{id}',
        'registration GET /api/registration/v1/appointments/{appointmentId}',
        'registration POST /api/registration/v1/appointments/{appointmentId}/cancel',
        'registration GET /api/registration/v1/certificates/{certificateId}',
        'registration GET /api/registration/v1/doses',
        'registration POST /api/registration/v1/appointments',
        'notifications GET /api/notifications/v1/messages',
      ]),
    );
  });
});

describe('forged access tokens', () => {
  const protectedRoutes: [ServiceName, string, Role][] = [
    ['registration', '/api/registration/v1/registrants', 'citizen'],
    ['notifications', '/api/notifications/v1/preferences', 'citizen'],
    ['search', `/api/search/v1/registrants?q=ab&region=${REGION_A}`, 'staff'],
    ['analytics', '/api/analytics/v1/summary', 'nationalAdmin'],
  ];

  it.each(protectedRoutes)('%s refuses every forged token with 401 on %s', async (service, path, role) => {
    const valid = (await p.token(role)) as string;
    expect((await p.call(service, { method: 'GET', path, token: valid })).status).toBe(200);
    const answers: Record<string, number> = {};
    for (const [name, token] of await forgeries(valid, p.signingKey)) {
      answers[name] = (await p.call(service, { method: 'GET', path, token })).status;
    }
    answers['Basic scheme'] = (await p.call(service, { method: 'GET', path, headers: { authorization: `Basic ${btoa('admin:admin')}` } })).status;
    expect(Object.entries(answers).filter(([, status]) => status !== 401)).toEqual([]);
    expect(Object.keys(answers).length).toBeGreaterThan(10);
  });
});

describe("a person's message history", () => {
  const history = async (role: Role, headers?: Record<string, string>) =>
    p.api('notifications', 'GET', `/messages?registrantId=${p.world.victim.registrantId}`, { token: await p.token(role), headers });
  const accessLog = async () => {
    const res = await p.api('registration', 'GET', `/registrants/${p.world.victim.registrantId}/access-log`, { token: p.world.victim.token });
    expect(res.status).toBe(200);
    return (res.body as { items: { action: string; role: string; region: string | null }[] }).items.filter((e) => e.action === 'messages.read');
  };
  const reason = { 'x-access-reason': 'citizen called about a missing code' };

  it("is refused to another region's center admin, with nothing read and nothing logged", async () => {
    const before = (await accessLog()).length;
    const res = await history('otherCenterAdmin', reason);
    expect(res.status).toBe(403);
    expect(JSON.stringify(res.body)).not.toContain(p.world.victim.messageId);
    expect((await history('centerAdmin')).status).toBe(400);
    expect(await accessLog()).toHaveLength(before);
  });

  it("is shown to the person's region's center admin and to national admins, each read in the citizen's access log", async () => {
    const before = (await accessLog()).length;
    for (const role of ['centerAdmin', 'nationalAdmin'] as const) {
      const res = await history(role, reason);
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).toContain(p.world.victim.messageId);
    }
    const entries = await accessLog();
    expect(entries).toHaveLength(before + 2);
    expect(entries.slice(0, 2)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ role: 'center-admin', region: REGION_A }),
        expect.objectContaining({ role: 'national-admin' }),
      ]),
    );
  });
});

describe('the queue dashboard cookie', () => {
  it('opens the dashboard for a national admin, and a forged cookie is refused with 401', async () => {
    const admin = (await p.token('nationalAdmin')) as string;
    const opened = await p.api('notifications', 'POST', '/admin/queue-board-sessions', { token: admin });
    expect(opened.status).toBe(204);
    const cookie = opened.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/api\/notifications\/v1\/admin\/queues/);
    const board = (value: string) => p.api('notifications', 'GET', '/admin/queues/api/queues', { headers: { cookie: value } });
    expect((await board(cookie.split(';')[0])).status).toBe(200);
    const answers: Record<string, number> = {};
    for (const [name, token] of await forgeries(admin, p.signingKey)) answers[name] = (await board(`jab_queue_board=${encodeURIComponent(token)}`)).status;
    expect(Object.entries(answers).filter(([, status]) => status !== 401)).toEqual([]);
    // A citizen's real token in the cookie opens nothing either.
    expect((await board(`jab_queue_board=${p.world.victim.token}`)).status).toBe(403);
  });
});

describe('rate limits', () => {
  const otp = (address: string, ip: string) =>
    p.api('registration', 'POST', '/otp-requests', { body: { contact: { channel: 'email', address } }, headers: { 'x-forwarded-for': ip } });
  const codesSentTo = async (address: string) =>
    Number(
      (
        await p.services.registration.pool.query<{ n: string }>(
          `SELECT count(*) AS n FROM registration.outbox WHERE type = 'otp.requested' AND payload->'data'->'destination'->>'address' = $1`,
          [address],
        )
      ).rows[0].n,
    );
  const retryAfter = (res: Res) => Number(res.headers.get('retry-after'));

  it('sends at most OTP_RATE_PER_DESTINATION codes to one address, from any address, then answers 429 with Retry-After', async () => {
    const address = `limited-${Date.now()}@example.org`;
    const answers = [];
    for (let i = 0; i <= OTP_RATE_PER_DESTINATION; i++) answers.push(await otp(address, `10.77.${i}.1`));
    expect(answers.map((a) => a.status)).toEqual([...Array(OTP_RATE_PER_DESTINATION).fill(202), 429]);
    const refused = answers[OTP_RATE_PER_DESTINATION];
    expect(retryAfter(refused)).toBeGreaterThan(0);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await codesSentTo(address)).toBe(OTP_RATE_PER_DESTINATION);
  });

  it('takes at most OTP_RATE_PER_IP code requests from one client address, then answers 429 with Retry-After', async () => {
    const ip = '10.88.1.1';
    const statuses = [];
    for (let i = 0; i <= OTP_RATE_PER_IP; i++) statuses.push((await otp(`per-ip-${i}-${Date.now()}@example.org`, ip)).status);
    expect(statuses).toEqual([...Array(OTP_RATE_PER_IP).fill(202), 429]);
    const again = await otp(`per-ip-last-${Date.now()}@example.org`, ip);
    expect(again.status).toBe(429);
    expect(retryAfter(again)).toBeGreaterThan(0);
    // Another client is not affected.
    expect((await otp(`per-ip-other-${Date.now()}@example.org`, '10.88.1.2')).status).toBe(202);
  });

  it('locks a staff account after STAFF_SIGNIN_RATE wrong passwords from one address, even for the right password', async () => {
    const { email, password } = p.world.staffLogin;
    const signIn = (pw: string) =>
      p.api('registration', 'POST', '/staff-sessions', { body: { email, password: pw }, headers: { 'x-forwarded-for': '10.99.1.1' } });
    const statuses = [];
    for (let i = 0; i < STAFF_SIGNIN_RATE; i++) statuses.push((await signIn(`wrong-password-${i}`)).status);
    expect(statuses).toEqual(Array(STAFF_SIGNIN_RATE).fill(401));
    const locked = await signIn(password);
    expect(locked.status).toBe(429);
    expect(retryAfter(locked)).toBeGreaterThan(0);
  });
});

describe('staff outside their region', () => {
  const doseWithoutAppointment = async (role: Role, registrantId: string, headers?: Record<string, string>) =>
    p.api('registration', 'POST', '/doses', {
      token: await p.token(role),
      headers,
      body: {
        registrantId,
        vaccineId: p.world.vaccineId,
        lotNumber: p.world.lotNumber,
        doseNumber: 1,
        site: 'left-arm',
        administeredAt: new Date(Date.now() - 60_000).toISOString(),
      },
    });

  it('record no dose without an appointment for a person of another region unless they state why, which the person then sees', async () => {
    const traveller = await p.household();
    expect((await doseWithoutAppointment('otherStaff', traveller.registrantId)).status).toBe(403);
    expect((await doseWithoutAppointment('otherStaff', traveller.registrantId, { 'x-access-reason': 'traveller, ID card checked' })).status).toBe(201);
    const log = await p.api('registration', 'GET', `/registrants/${traveller.registrantId}/access-log`, { token: traveller.token });
    expect((log.body as { items: { action: string; region: string | null }[] }).items).toEqual([
      expect.objectContaining({ action: 'dose.record', region: REGION_B }),
    ]);
  });

  it('never search beyond it, and an account without a region searches nowhere', async () => {
    const name = encodeURIComponent(p.world.victim.fullName);
    for (const role of ['otherStaff', 'unscopedStaff', 'unscopedCenterAdmin'] as const) {
      const res = await p.api('search', 'GET', `/registrants?q=${name}`, { token: await p.token(role) });
      expect(JSON.stringify(res.body ?? ''), role).not.toContain(p.world.victim.registrantId);
    }
    expect((await p.api('search', 'GET', `/registrants?q=${name}`, { token: await p.token('unscopedStaff') })).status).toBe(403);
  });
});

describe('security headers', () => {
  it('come with every response of every kind this suite received, and no x-powered-by', async () => {
    // Kinds no check above asked for, fetched so they are in the record.
    await p.call('registration', { method: 'GET', path: '/metrics' });
    await p.call('search', { method: 'GET', path: '/no/such/route' });
    expect(securityHeaderProblems(seen)).toEqual([]);
    const statuses = new Set(seen.map((r) => r.status));
    for (const status of [200, 201, 202, 204, 401, 403, 404, 429]) expect(statuses, `a ${status} was checked`).toContain(status);
    const paths = new Set(seen.map((r) => new URL(r.url).pathname));
    for (const path of ['/health/live', '/health/ready', '/metrics']) expect(paths).toContain(path);
  });
});
