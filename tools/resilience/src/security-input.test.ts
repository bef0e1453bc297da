/**
 * Hostile input against every service running in-process: malformed, oversized and
 * deeply nested JSON on every route, and SQL injection strings in every text field of
 * the write routes and searches. Malformed requests answered before authentication
 * (issue #15): bodies that are not what their Content-Encoding says, broken percent-escapes
 * in paths, days and instants PostgreSQL cannot store, forged search cursors.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityHeaderProblems } from './headers.testing.js';
import { seen, type Req, type Res } from './http.testing.js';
import { allows, probeOf, someAllowedRole, type Built } from './matrix.testing.js';
import { Platform, REGION_A, type Role } from './platform.testing.js';
import { documentedRoutes, type RouteKey } from './routes.testing.js';
import { SERVICE_NAMES, type ServiceName } from './services.testing.js';

let p: Platform;
const routes = {} as Record<ServiceName, RouteKey[]>;

beforeAll(async () => {
  p = await Platform.start({ report: false });
  // The documented API routes; the matrix suite proves the documents list every route.
  for (const name of SERVICE_NAMES) routes[name] = (await documentedRoutes(p.services[name].url, name)).sort();
}, 120_000);

afterAll(() => p?.stop(), 60_000);

/** Rows per table of every service's database. */
async function snapshot(services: readonly ServiceName[] = SERVICE_NAMES): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const service of services) {
    const pool = p.services[service].pool;
    const { rows } = await pool.query<{ name: string }>(
      `SELECT schemaname || '.' || tablename AS name FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
    );
    for (const { name } of rows) {
      const [schema, table] = name.split('.');
      counts[`${service}:${name}`] = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}"."${table}"`)).rows[0].n);
    }
  }
  return counts;
}

const is2xx = (status: number) => status >= 200 && status < 300;

describe('hostile request bodies', () => {
  const deepArray = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
  const deepObject = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
  /** On every route; the `ONCE` lists on one route of each service (the parser is the app's, before routing). */
  const MALFORMED = ['{"fullName": ', "{'single': 'quotes'}", '[1, 2', '"a bare string"'];
  const MALFORMED_ONCE = ['{"a": 1,}', 'nul', '{"a": "\\uZZZZ"}', '\u0000'];
  const DEEP: [string, string][] = [
    ['an array nested 10,000 levels', deepArray(10_000)],
    ['an object nested 10,000 levels', deepObject(10_000)],
  ];
  const DEEP_ONCE: [string, string][] = [['an array nested 45,000 levels (just under the size limit)', deepArray(45_000)]];
  const OVERSIZED = JSON.stringify({ fullName: 'x'.repeat(150 * 1024) });

  it('answers malformed JSON with 400, an oversized body with 413 and deep nesting with a 4xx (or ignores it where no body is taken) on every route, and stays healthy', { timeout: 90_000 }, async () => {
    const problems: string[] = [];
    let sent = 0;
    for (const service of SERVICE_NAMES) {
      for (const [index, route] of routes[service].entries()) {
        const once = index === 0;
        const probe = probeOf(service, route);
        const role = someAllowedRole(probe);
        const built = await probe.build(p, role);
        // Routes without a body get the payload on POST: the JSON parser runs before routing.
        const method = ['POST', 'PUT', 'PATCH'].includes(built.req.method) ? built.req.method : 'POST';
        const { 'content-type': _type, ...headers } = built.req.headers ?? {};
        const base = { method, path: built.req.path, headers, token: await p.token(role, built.owner) };
        const check = async (what: string, rawBody: string, expected: (status: number) => boolean, label: string) => {
          const res = await p.call(service, { ...base, rawBody });
          sent++;
          const problem = (res.headers.get('content-type') ?? '').startsWith('application/problem+json');
          if (!expected(res.status) || (res.status >= 400 && !problem))
            problems.push(`${service} ${method} ${built.req.path} with ${what} → ${res.status} ${res.headers.get('content-type')}, expected ${label}`);
        };
        await Promise.all([
          ...[...MALFORMED, ...(once ? MALFORMED_ONCE : [])].map((body) => check(`malformed JSON ${JSON.stringify(body)}`, body, (s) => s === 400, '400 problem')),
          check('a 150 KB body', OVERSIZED, (s) => s === 413, '413 problem'),
          // Valid JSON: refused by the route's schema, or ignored by a route that takes no body.
          ...[...DEEP, ...(once ? DEEP_ONCE : [])].map(([what, body]) =>
            check(what, body, (s) => (s >= 400 && s < 500) || (built.req.body === undefined && built.req.rawBody === undefined && s < 300), '4xx problem'),
          ),
        ]);
      }
    }
    expect(problems).toEqual([]);
    expect(sent).toBeGreaterThan(100);
    for (const service of SERVICE_NAMES) {
      expect((await p.call(service, { method: 'GET', path: '/health/live' })).status, service).toBe(200);
      expect((await p.call(service, { method: 'GET', path: '/health/ready' })).status, service).toBe(200);
    }
    expect((await p.api('registration', 'GET', '/vaccines')).status).toBe(200);
  });
});

describe('SQL injection', () => {
  const PAYLOADS = [
    `' OR 1=1 --`,
    `"; DROP TABLE registration.registrants; --`,
    `Robert'); DROP TABLE registrants;--`,
    `x' UNION SELECT national_id_enc FROM registration.registrants --`,
    `nul\u0000byte`,
    `%_\\ like wildcards`,
    `${'A'.repeat(5_000)}' OR '1'='1`,
  ];
  const R = '/api/registration/v1';
  interface Target {
    fresh?: boolean;
    body?: () => Record<string, unknown>;
  }
  /**
   * Write routes and searches, the role that may use them, and options: `body` fills every
   * text field; `fresh` builds a new record per request where a first success would make
   * the next identical request stop before it reaches the database.
   */
  const TARGETS: [ServiceName, RouteKey, Role, Target?][] = [
    [
      'registration',
      `POST ${R}/registrants`,
      'none',
      {
        body: () => ({
        fullName: 'Injected Person',
        birthDate: '1980-01-01',
        region: REGION_A,
        preferredLanguage: 'en',
        sex: 'female',
        contact: { channel: 'email', address: `inject-${Math.random().toString(36).slice(2)}@example.org` },
        nationalId: `IN${Math.floor(Math.random() * 1e9)}`,
        }),
      },
    ],
    [
      'registration',
      `PATCH ${R}/registrants/{id}`,
      'citizen',
      { body: () => ({ fullName: 'Patched Person', birthDate: '1981-01-01', region: REGION_A, preferredLanguage: 'fr', sex: 'male' }) },
    ],
    ['registration', `POST ${R}/vaccines`, 'nationalAdmin'],
    ['registration', `POST ${R}/campaigns`, 'nationalAdmin'],
    ['registration', `POST ${R}/lots`, 'nationalAdmin'],
    ['registration', `POST ${R}/lots/{lotId}/recall`, 'nationalAdmin', { fresh: true }],
    ['registration', `POST ${R}/centers`, 'nationalAdmin'],
    ['registration', `POST ${R}/centers/{centerId}/sessions`, 'nationalAdmin'],
    ['registration', `POST ${R}/otp-requests`, 'none'],
    ['registration', `POST ${R}/sessions`, 'none'],
    ['registration', `POST ${R}/staff-sessions`, 'none'],
    ['registration', `POST ${R}/appointments`, 'citizen'],
    ['registration', `POST ${R}/check-ins`, 'staff'],
    ['registration', `POST ${R}/doses`, 'staff'],
    ['registration', `PATCH ${R}/doses/{doseId}`, 'staff', { fresh: true }],
    ['registration', `POST ${R}/doses/{doseId}/adverse-events`, 'citizen'],
    ['registration', `POST ${R}/certificates/verify`, 'none'],
    ['registration', `GET ${R}/centers`, 'none'],
    ['notifications', 'GET /api/notifications/v1/messages', 'nationalAdmin'],
    ['search', 'GET /api/search/v1/registrants', 'nationalAdmin'],
    ['search', 'GET /api/search/v1/centers', 'none'],
    ['analytics', 'POST /api/analytics/v1/reports', 'nationalAdmin'],
    ['analytics', 'GET /api/analytics/v1/summary', 'nationalAdmin'],
  ];

  /** Paths of every string in a JSON value. */
  const stringLeaves = (value: unknown, path: string[] = []): string[][] => {
    if (typeof value === 'string') return [path];
    if (Array.isArray(value)) return value.flatMap((v, i) => stringLeaves(v, [...path, String(i)]));
    if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => stringLeaves(v, [...path, k]));
    return [];
  };
  const withLeaf = (value: unknown, path: string[], leaf: string): unknown => {
    if (path.length === 0) return leaf;
    const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string, unknown>;
    copy[path[0]] = withLeaf(copy[path[0]], path.slice(1), leaf);
    return copy;
  };
  /** Every string the answer holds under `key`. */
  const valuesOf = (value: unknown, key: string): unknown[] => {
    if (Array.isArray(value)) return value.flatMap((v) => valuesOf(v, key));
    if (value && typeof value === 'object')
      return Object.entries(value).flatMap(([k, v]) => [...(k === key ? [v] : []), ...valuesOf(v, key)]);
    return [];
  };

  it('answers injection strings in every text field with a 4xx or stores them literally, never a 5xx, and leaves every table intact', { timeout: 120_000 }, async () => {
    const before = await snapshot();
    const problems: string[] = [];
    let sent = 0;
    for (const [service, route, role, options = {}] of TARGETS) {
      const probe = probeOf(service, route);
      expect(allows(probe, role), `${route} as ${role}`).toBe(true);
      const first = await probe.build(p, role);
      const bodyOf = (built: Built) => (options.body ? options.body() : built.req.body);
      const query = new URL(first.req.path, 'http://x').searchParams;
      const fields = [
        ...stringLeaves(bodyOf(first)).map((path) => ({ in: 'body' as const, path })),
        ...[...query.keys()].map((k) => ({ in: 'query' as const, path: [k] })),
      ];
      expect(fields.length, route).toBeGreaterThan(0);
      for (const f of fields) {
        await Promise.all(
          PAYLOADS.map(async (payload) => {
            const built = options.fresh ? await probe.build(p, role) : first;
            const url = new URL(built.req.path, 'http://x');
            let req: Req = { ...built.req, body: bodyOf(built) };
            if (f.in === 'body') req = { ...req, body: withLeaf(req.body, f.path, payload) };
            else {
              url.searchParams.set(f.path[0], payload);
              req = { ...req, path: `${url.pathname}${url.search}` };
            }
            const res = await p.call(service, { ...req, token: await p.token(role, built.owner) });
            sent++;
            const where = `${service} ${route} ${f.in}.${f.path.join('.')} = ${JSON.stringify(payload.slice(0, 40))} → ${res.status}`;
            if (res.status >= 500) problems.push(`${where}: ${res.text.slice(0, 200)}`);
            else if (is2xx(res.status) && f.in === 'body') {
              const echoed = valuesOf(res.body, f.path[f.path.length - 1]).filter((v) => typeof v === 'string');
              if (echoed.length > 0 && !echoed.some((v) => v === payload || v === payload.trim()))
                problems.push(`${where}: stored ${JSON.stringify(echoed[0]).slice(0, 60)} instead of the literal string`);
            }
          }),
        );
      }
    }
    const after = await snapshot();
    const lost = Object.keys(before).filter((t) => !(t in after) || after[t] < before[t]).map((t) => `${t}: ${before[t]} → ${after[t]}`);
    expect(problems).toEqual([]);
    expect(lost).toEqual([]);
    expect(sent).toBeGreaterThan(300);
  });
});

describe('malformed requests, before authentication (issue #15)', () => {
  const isProblem = (res: Res) => (res.headers.get('content-type') ?? '').startsWith('application/problem+json');
  const R = '/api/registration/v1';
  const Y0 = '0000-01-01';
  const expectFieldProblem = (res: Res, what: string, paths: string[], problems: string[]) => {
    const errors = ((res.body as { errors?: { path: string; message: string }[] } | undefined)?.errors ?? []);
    if (res.status !== 400 || !isProblem(res) || !paths.every((path) => errors.some((e) => e.path === path)) || errors.some((e) => !paths.includes(e.path)))
      problems.push(`${what} → ${res.status} ${res.text.slice(0, 300)}, expected 400 on ${paths.join(', ')}`);
  };

  it('answers a body that is not valid data for its Content-Encoding with 400, and an encoding it does not take with 415, on every route of every service', { timeout: 90_000 }, async () => {
    const problems: string[] = [];
    let sent = 0;
    const json = JSON.stringify({ fullName: 'Compressed Marker' });
    for (const service of SERVICE_NAMES) {
      for (const [index, route] of routes[service].entries()) {
        const [routeMethod, template] = route.split(' ');
        // Routes without a body get it on POST: the body parser runs before routing and before authentication.
        const method = ['POST', 'PUT', 'PATCH'].includes(routeMethod) ? routeMethod : 'POST';
        const path = template.replace(/\{[^}]+\}/g, randomUUID());
        const cases: [string, string, number][] = [['gzip', json, 400]];
        if (index === 0) cases.push(['deflate', json, 400], ['br', json, 400], ['GZip', '\u001f\u008b\u0008garbage', 400], ['zstd', json, 415], ['gzip, br', json, 415]);
        await Promise.all(
          cases.map(async ([encoding, rawBody, status]) => {
            const res = await p.call(service, { method, path, rawBody, headers: { 'content-encoding': encoding } });
            sent++;
            const detail = (res.body as { detail?: string } | undefined)?.detail ?? '';
            if (res.status !== status || !isProblem(res) || !/Content-Encoding/.test(detail) || res.text.includes('Marker'))
              problems.push(`${service} ${method} ${path} with Content-Encoding ${encoding} → ${res.status} ${res.text.slice(0, 200)}, expected a ${status} problem`);
          }),
        );
      }
    }
    expect(problems).toEqual([]);
    expect(sent).toBeGreaterThan(60);
  });

  it('answers a malformed percent-escape in a path parameter with 400 on every such route of every service', { timeout: 60_000 }, async () => {
    const problems: string[] = [];
    const answered: Record<string, number[]> = {};
    for (const service of SERVICE_NAMES) {
      const withParams = routes[service].filter((r) => r.includes('{'));
      const requests = [
        ...withParams.map((route) => {
          const [method, template] = route.split(' ');
          return { method, path: template.replace(/\{[^}]+\}/g, '%E0%A4%A'), expected: [400] };
        }),
        // Where no route has a parameter there (search has none at all), a bad escape is a 404 problem, never a 500.
        { method: 'GET', path: `/api/${service}/v1/centers/%E0%A4%A`, expected: service === 'registration' ? [400] : [404] },
        { method: 'GET', path: `/api/${service}/v1/%FF`, expected: [404] },
      ];
      for (const req of requests) {
        const res = await p.call(service, { method: req.method, path: req.path, body: ['POST', 'PUT', 'PATCH'].includes(req.method) ? {} : undefined });
        (answered[service] ??= []).push(res.status);
        if (!req.expected.includes(res.status) || !isProblem(res)) problems.push(`${service} ${req.method} ${req.path} → ${res.status} ${res.text.slice(0, 200)}`);
        else if (res.status === 400 && !/percent-encod/.test((res.body as { detail?: string }).detail ?? '')) problems.push(`${service} ${req.method} ${req.path}: the problem does not name the escape`);
      }
    }
    expect(problems).toEqual([]);
    // The paths the issue names, and more than a handful per service that has parameters.
    expect((await p.call('registration', { method: 'GET', path: `${R}/centers/%E0%A4%A` })).status).toBe(400);
    expect((await p.call('analytics', { method: 'GET', path: '/api/analytics/v1/reports/%E0%A4%A' })).status).toBe(400);
    expect(answered.registration.filter((s) => s === 400).length).toBeGreaterThan(10);
  });

  it('answers a day or instant PostgreSQL cannot store (or out of range) with a 400 field error, and changes nothing', { timeout: 60_000 }, async () => {
    const w = p.world;
    const staff = await p.token('staff');
    const admin = await p.token('nationalAdmin');
    const citizen = await p.token('citizen', w.victim);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const cursorAt = (startsAt: string) => Buffer.from(JSON.stringify([startsAt, randomUUID()])).toString('base64url');
    const dose = { registrantId: w.victim.registrantId, vaccineId: w.vaccineId, lotNumber: w.lotNumber, doseNumber: 2, site: 'left-arm' };
    const session = { vaccineId: w.vaccineId, startTime: '09:00', endTime: '10:00', slotMinutes: 15, capacityDose1: 1, capacityLaterDoses: 0, walkInQuota: 0 };
    const person = { fullName: 'Year Zero', region: REGION_A, preferredLanguage: 'en', contact: { channel: 'email', address: `y0-${randomUUID()}@example.org` } };
    const cases: [ServiceName, string, string, string | undefined, unknown, string[]][] = [
      ['registration', 'GET', `${R}/centers/${w.centerA}/availability?date=${Y0}`, undefined, undefined, ['query.date']],
      ['registration', 'GET', `${R}/centers/${w.centerA}/availability?date=9999-12-31`, undefined, undefined, ['query.date']],
      ['registration', 'GET', `${R}/centers/${w.centerA}/appointments?date=${Y0}`, staff, undefined, ['query.date']],
      ['registration', 'GET', `${R}/centers/${w.centerA}/appointments?date=${w.day}&cursor=${cursorAt(`${Y0}T09:00:00.000Z`)}`, staff, undefined, ['query.cursor']],
      ['registration', 'POST', `${R}/lots`, admin, { vaccineId: w.vaccineId, lotNumber: 'LOT-YEAR-ZERO', expiresOn: Y0 }, ['body.expiresOn']],
      ['registration', 'POST', `${R}/campaigns`, admin, { name: 'Year zero', vaccineIds: [w.vaccineId], regions: [REGION_A], startsOn: Y0, endsOn: '2030-01-01', targetAgeBands: [{ minAge: 18 }] }, ['body.startsOn']],
      ['registration', 'POST', `${R}/centers/${w.centerA}/sessions`, admin, { ...session, date: Y0 }, ['body.date']],
      ['registration', 'POST', `${R}/doses`, staff, { ...dose, administeredAt: `${Y0}T10:00:00Z` }, ['body.administeredAt']],
      ['registration', 'POST', `${R}/doses`, staff, { ...dose, administeredAt: new Date(Date.now() + 2 * 3600_000).toISOString() }, ['body.administeredAt']],
      ['registration', 'PATCH', `${R}/doses/${w.victim.doseId}`, staff, { administeredAt: `${Y0}T10:00:00+02:00`, reason: 'year zero' }, ['body.administeredAt']],
      ['registration', 'POST', `${R}/doses/${w.victim.doseId}/adverse-events`, citizen, { severity: 'mild', onsetDate: Y0, description: 'a sore arm' }, ['body.onsetDate']],
      ['registration', 'POST', `${R}/registrants`, undefined, { ...person, birthDate: Y0 }, ['body.birthDate']],
      ['registration', 'POST', `${R}/registrants`, undefined, { ...person, birthDate: tomorrow }, ['body.birthDate']],
      ['analytics', 'GET', `/api/analytics/v1/summary?from=${Y0}`, admin, undefined, ['query.from']],
      ['analytics', 'GET', `/api/analytics/v1/timeseries?to=9999-12-31`, admin, undefined, ['query.to']],
      ['analytics', 'GET', `/api/analytics/v1/registrations/daily?from=${Y0}`, admin, undefined, ['query.from']],
      ['analytics', 'POST', '/api/analytics/v1/reports', admin, { kind: 'coverage', filters: { from: Y0 } }, ['body.filters.from']],
      ['search', 'GET', `/api/search/v1/centers?q=clinic&date=${Y0}`, undefined, undefined, ['query.date']],
    ];
    const before = await snapshot(['registration', 'analytics']);
    const problems: string[] = [];
    for (const [service, method, path, token, body, paths] of cases) {
      expectFieldProblem(await p.call(service, { method, path, token, body }), `${service} ${method} ${path} ${JSON.stringify(body ?? '')}`, paths, problems);
    }
    expect(problems).toEqual([]);
    expect(await snapshot(['registration', 'analytics'])).toEqual(before);
  });

  it('answers forged search cursors with 400 on query.cursor, on public center search and staff registrant search', async () => {
    /** What anyone could build before cursors were signed: the query's unkeyed SHA-256 and any position. */
    const unkeyed = (query: Record<string, string>, position: unknown[]) => {
      const canonical = JSON.stringify(Object.entries(query).sort(([a], [b]) => a.localeCompare(b)));
      const f = createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
      return Buffer.from(JSON.stringify({ f, p: position })).toString('base64url');
    };
    const admin = await p.token('nationalAdmin');
    const body = Buffer.from(JSON.stringify([0, 'x', randomUUID()])).toString('base64url');
    const cases: [string, string | undefined][] = [
      [`/api/search/v1/centers?q=clinic&cursor=${unkeyed({ text: 'clinic' }, [1e20, 'clinic', randomUUID()])}`, undefined],
      [`/api/search/v1/centers?q=clinic&cursor=${unkeyed({ text: 'clinic' }, [0, 'clinic', "' OR 1=1 --"])}`, undefined],
      [`/api/search/v1/centers?cursor=${body}.${createHash('sha256').update(body).digest('base64url')}`, undefined],
      [`/api/search/v1/registrants?q=ysolde&cursor=${unkeyed({ sort: 'relevance', text: 'ysolde' }, [0, 1e20, 'ysolde', randomUUID()])}`, admin],
      [`/api/search/v1/registrants?q=ysolde&sort=name&cursor=${unkeyed({ sort: 'name', text: 'ysolde' }, [0, 0, 'ysolde', 'not-a-uuid'])}`, admin],
    ];
    const problems: string[] = [];
    for (const [path, token] of cases) expectFieldProblem(await p.call('search', { method: 'GET', path, token }), path, ['query.cursor'], problems);
    expect(problems).toEqual([]);
  });
});

describe('security headers', () => {
  it('come with every answer to hostile input too, and no x-powered-by', () => {
    expect(securityHeaderProblems(seen)).toEqual([]);
    const statuses = new Set(seen.map((r) => r.status));
    for (const status of [200, 201, 400, 404, 413, 415]) expect(statuses, `a ${status} was checked`).toContain(status);
  });
});
