/**
 * Hostile input against every service running in-process: malformed, oversized and
 * deeply nested JSON on every route, and SQL injection strings in every text field of
 * the write routes and searches.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityHeaderProblems } from './headers.testing.js';
import { seen, type Req } from './http.testing.js';
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

  async function snapshot(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const service of SERVICE_NAMES) {
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

describe('security headers', () => {
  it('come with every answer to hostile input too, and no x-powered-by', () => {
    expect(securityHeaderProblems(seen)).toEqual([]);
    const statuses = new Set(seen.map((r) => r.status));
    for (const status of [200, 201, 400, 404, 413]) expect(statuses, `a ${status} was checked`).toContain(status);
  });
});
