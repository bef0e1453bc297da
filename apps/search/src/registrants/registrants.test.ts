import {
  QUEUES,
  type CenterSearchResponse,
  type Problem,
  type RegistrantSearchResponse,
  type RegistrantUpdatedEvent,
} from '@jab/contracts';
import { centerSaved, registrantRegistered } from '@jab/contracts/testing';
import {
  startTestIssuer,
  startTestService,
  type TestIssuer,
  type TestService,
} from '@jab/runtime/testing';
import { waitFor } from '@jab/testing';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchService } from '../service.js';
import { queryHash } from './registrants.service.js';

let issuer: TestIssuer;
let svc: TestService;
/** Registration as search sees it here: it accepts connections and never answers. */
let silentRegistration: Server;
/** A national admin's: the people here live in five regions. */
let searcherToken: string;

const search = <T = RegistrantSearchResponse>(
  params: string,
  token = searcherToken,
) => svc.http.get<T>(`/registrants?${params}`, { token });
const q = (text: string) => `q=${encodeURIComponent(text)}`;
const names = async (params: string, token = searcherToken) =>
  (await search(params, token)).body.items.map((i) => i.fullName);

const people = [
  registrantRegistered({ fullName: 'Zoë Ångström', region: 'SE-AB' }),
  registrantRegistered({
    fullName: 'José Martínez',
    region: 'ES-MD',
    phoneSuffix: '4321',
    contact: { channel: 'sms', address: '+34600004321' },
  }),
  registrantRegistered({ fullName: 'Zoe Angstrom-Larsen', region: 'SE-AB' }),
  registrantRegistered({ fullName: 'Grace Okafor', region: 'NG-LA' }),
  registrantRegistered({
    fullName: 'Иван Петров',
    region: 'RU-MOW',
    birthYear: 1980,
  }),
];

function updated(
  base: (typeof people)[number],
  data: Partial<RegistrantUpdatedEvent['data']>,
): RegistrantUpdatedEvent {
  const current: Partial<typeof base.data> = { ...base.data };
  delete current.registeredOn;
  return {
    ...base,
    id: randomUUID(),
    type: 'registrant.updated',
    data: {
      ...(current as RegistrantUpdatedEvent['data']),
      deleted: false,
      ...data,
    },
  };
}

beforeAll(async () => {
  issuer = await startTestIssuer();
  silentRegistration = createServer(() => undefined);
  await new Promise<void>((resolve) =>
    silentRegistration.listen(0, '127.0.0.1', resolve),
  );
  const { port } = silentRegistration.address() as AddressInfo;
  svc = await startTestService(searchService, {
    JWKS_URL: issuer.jwksUrl,
    REGISTRATION_URL: `http://127.0.0.1:${port}/api/registration/v1`,
  });
  searcherToken = await issuer.token('admin-0', 'national-admin');
  for (const p of people) await svc.enqueue(QUEUES.searchFromRegistration, p);
  await svc.drained(QUEUES.searchFromRegistration);
});
afterAll(async () => {
  await svc?.stop();
  await issuer?.close();
  silentRegistration?.closeAllConnections();
  await new Promise((resolve) => silentRegistration?.close(resolve));
});

describe('staff search over registrants', () => {
  it('finds a name typed without its accents, exact match first, then the prefix match', async () => {
    expect(await names(q('zoe angstrom'))).toEqual([
      'Zoë Ångström',
      'Zoe Angstrom-Larsen',
    ]);
  });

  it('finds a Cyrillic name typed in Latin letters, with a typo', async () => {
    expect(await names(q('Ivan Petrof'))).toEqual(['Иван Петров']);
  });

  it('finds a person by phone suffix and shows only its last 2 digits', async () => {
    const { body } = await search('phoneSuffix=4321');
    expect(body.items).toEqual([
      {
        id: people[1].data.registrantId,
        fullName: 'José Martínez',
        birthYear: 1990,
        region: 'ES-MD',
        phoneHint: '••21',
      },
    ]);
  });

  it('never lets an older event overwrite a newer document', async () => {
    const id = people[3].data.registrantId;
    await svc.enqueue(
      QUEUES.searchFromRegistration,
      registrantRegistered({
        registrantId: id,
        fullName: 'Grace Okafor-Eze',
        region: 'NG-LA',
        version: 3,
      }),
    );
    await waitFor(
      async () =>
        (await names(q('Grace Okafor-Eze')))[0] === 'Grace Okafor-Eze',
    );
    await svc.enqueue(
      QUEUES.searchFromRegistration,
      registrantRegistered({
        registrantId: id,
        fullName: 'Grace Stale',
        region: 'NG-LA',
        version: 2,
      }),
    );
    await svc.drained(QUEUES.searchFromRegistration);
    const { rows } = await svc.pool.query(
      `SELECT full_name, version FROM search.registrants WHERE id = $1`,
      [id],
    );
    expect(rows[0]).toEqual({ full_name: 'Grace Okafor-Eze', version: 3 });
    expect(await names(q('Grace Stale'))).toEqual([]);
  });

  it('applies an update and honours a deletion, which a late stale event cannot undo', async () => {
    const zoeLarsen = people[2];
    await svc.enqueue(
      QUEUES.searchFromRegistration,
      updated(zoeLarsen, { fullName: 'Zoe Larsen', version: 2 }),
    );
    await waitFor(
      async () => (await names(q('Zoe Larsen')))[0] === 'Zoe Larsen',
    );
    await svc.enqueue(
      QUEUES.searchFromRegistration,
      updated(zoeLarsen, { fullName: 'Zoe Larsen', version: 3, deleted: true }),
    );
    await waitFor(async () => (await names(q('Zoe Larsen'))).length === 0);
    await svc.enqueue(QUEUES.searchFromRegistration, {
      ...zoeLarsen,
      id: randomUUID(),
    });
    await svc.drained(QUEUES.searchFromRegistration);
    expect(await names(q('Zoe Angstrom-Larsen'))).not.toContain(
      'Zoe Angstrom-Larsen',
    );
  });

  it('confines staff and center admins to the region of their token; national admins search anywhere', async () => {
    const swedishStaff = await issuer.token('staff-se', 'staff', {
      region: 'SE-AB',
      centerId: randomUUID(),
    });
    expect(await names(q('Ivan Petrov'), swedishStaff)).toEqual([]);
    expect(await names(q('zoe'), swedishStaff)).toEqual(['Zoë Ångström']);
    const otherRegion = await search<Problem>(
      `${q('Ivan')}&region=RU-MOW`,
      await issuer.token('admin-se', 'center-admin', { region: 'SE-AB' }),
    );
    expect(otherRegion.status).toBe(403);
    const national = await issuer.token('admin-1', 'national-admin');
    expect(await names(`${q('Ivan Petrov')}&region=RU-MOW`, national)).toEqual([
      'Иван Петров',
    ]);
  });

  it('refuses a staff or center-admin account without a region, which would otherwise search every region', async () => {
    const tokens = [
      await issuer.token('staff-none', 'staff'),
      await issuer.token('staff-center-only', 'staff', { centerId: randomUUID() }),
      await issuer.token('admin-none', 'center-admin'),
    ];
    for (const token of tokens) {
      const res = await search<Problem>(q('zoe'), token);
      expect(res.status).toBe(403);
      expect(res.body.detail).toMatch(/^Your staff account has no region/);
    }
    const { rows } = await svc.pool.query(
      `SELECT count(*)::int AS n FROM search.search_audit WHERE actor_sub IN ('staff-none', 'staff-center-only', 'admin-none')`,
    );
    expect(rows[0].n).toBe(0);
  });

  it('writes one audit row per search, with a hash of the query and never the query itself', async () => {
    const token = await issuer.token('auditor-probe', 'staff', {
      region: 'ES-MD',
      centerId: randomUUID(),
    });
    await search(`${q('José Martínez')}&birthYear=1990`, token);
    const { rows } = await svc.pool.query(
      `SELECT * FROM search.search_audit WHERE actor_sub = 'auditor-probe'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor_role: 'staff',
      actor_region: 'ES-MD',
      scope_region: 'ES-MD',
      query_hash: queryHash({ q: 'José Martínez', birthYear: 1990 }),
      criteria: ['q', 'birthYear'],
      result_count: 1,
    });
    expect(JSON.stringify(rows[0])).not.toMatch(/Mart/);
  });

  it('pages with a cursor through every hit exactly once', async () => {
    const seen: string[] = [];
    let cursor = '';
    for (let i = 0; i < 10; i++) {
      const { body } = await search(
        `${q('zoe angstrom')}&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...body.items.map((h) => h.fullName));
      if (!body.nextCursor) break;
      cursor = body.nextCursor;
    }
    expect(seen).toEqual(['Zoë Ångström']);
    const all: string[] = [];
    cursor = '';
    for (let i = 0; i < 10; i++) {
      const { body } = await search(
        `phoneSuffix=4321&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      all.push(...body.items.map((h) => h.id));
      if (!body.nextCursor) break;
      cursor = body.nextCursor;
    }
    expect(all).toEqual([people[1].data.registrantId]);
  });

  it('is for staff only, and explains a bad query or cursor', async () => {
    expect((await search(q('zoe'), '')).status).toBe(401);
    expect(
      (await search(q('zoe'), await issuer.token('acct-1', 'citizen'))).status,
    ).toBe(403);
    const bad = await search<Problem>(q('z'));
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.[0].path).toBe('query.q');
    const none = await search<Problem>('birthYear=1990');
    expect(none.body.errors?.[0]).toEqual({
      path: 'query.q',
      message: 'is required unless phoneSuffix is given',
    });
    const cursor = await search<Problem>(`${q('zoe')}&cursor=bm90LWEtY3Vyc29y`);
    expect(cursor.status).toBe(400);
    expect(cursor.body.errors?.[0].path).toBe('query.cursor');
  });

  it('exports the indexing lag', async () => {
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toMatch(/search_indexing_lag_seconds_count\{[^}]*\} [1-9]/);
  });

  it('rebuilds the engine from its own documents with the reindex command', async () => {
    await svc.pool.query('DELETE FROM search.registrants');
    expect(await names(q('zoe angstrom'))).toEqual([]);
    await svc.command(['reindex']);
    expect(await names(q('zoe angstrom'))).toEqual(['Zoë Ångström']);
    expect(await names(q('Grace Okafor-Eze'))).toEqual(['Grace Okafor-Eze']);
  });
});

describe('public center search', () => {
  it('indexes a center from its center.saved event, and an older version never overwrites it', async () => {
    const centerId = randomUUID();
    const saved = (version: number, en: string) => ({
      id: randomUUID(),
      type: 'center.saved',
      v: 1,
      occurredAt: new Date().toISOString(),
      source: 'registration',
      data: { centerId, names: { en, ar: 'مركز التطعيم' }, locality: '12 Rue Kasbah, Rabat', region: 'MA-04', languages: ['ar', 'fr'], vaccines: [{ id: randomUUID(), name: 'Vaxzevria' }], version },
    });
    await svc.enqueue(QUEUES.searchFromRegistration, saved(2, 'Kasbah Health Post'));
    await svc.enqueue(QUEUES.searchFromRegistration, saved(1, 'Stale Name'));
    await svc.drained(QUEUES.searchFromRegistration);
    const found = await svc.http.get<CenterSearchResponse>('/centers?q=kasbah');
    expect(found.status).toBe(200);
    expect(found.body.items).toEqual([expect.objectContaining({ id: centerId, names: { en: 'Kasbah Health Post', ar: 'مركز التطعيم' }, region: 'MA-04' })]);
    expect((await svc.http.get<CenterSearchResponse>('/centers?q=stale')).body.items).toEqual([]);
  });

  it('finds centers without a token, by name, language and vaccine, after index-centers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'search-centers-'));
    const vaccine = { id: randomUUID(), name: 'Comirnaty' };
    const file = join(dir, 'centers.json');
    await writeFile(
      file,
      JSON.stringify([
        {
          id: randomUUID(),
          version: 1,
          names: { en: 'City Vaccination Centre', fr: 'Centre de vaccination' },
          locality: 'Paris',
          region: 'FR-IDF',
          languages: ['fr', 'en'],
          vaccines: [vaccine],
        },
        {
          id: randomUUID(),
          version: 1,
          names: { en: 'Lilavati Hospital', hi: 'लीलावती अस्पताल' },
          locality: 'Mumbai',
          region: 'IN-MH',
          languages: ['hi'],
          vaccines: [],
        },
      ]),
    );
    try {
      await svc.command(['index-centers', file]);
    } finally {
      await rm(dir, { recursive: true });
    }
    const byName = await svc.http.get<CenterSearchResponse>(
      '/centers?q=vaccinations',
    );
    expect(byName.status).toBe(200);
    expect(byName.body.items.map((c) => c.names['en'])).toEqual([
      'City Vaccination Centre',
    ]);
    expect(byName.body.items[0]).not.toHaveProperty('version');
    const byLanguage = await svc.http.get<CenterSearchResponse>(
      '/centers?language=hi',
    );
    expect(byLanguage.body.items.map((c) => c.locality)).toEqual(['Mumbai']);
    const byVaccine = await svc.http.get<CenterSearchResponse>(
      `/centers?vaccine=${vaccine.id}`,
    );
    expect(byVaccine.body.items.map((c) => c.locality)).toEqual(['Paris']);
    const bad = await svc.http.get<Problem>('/centers?language=xx');
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.[0].path).toBe('query.language');
  });

  it('still answers when registration never does: availability null with a date, left out without', async () => {
    const centerId = randomUUID();
    const saved = centerSaved({ centerId, names: { en: 'Quillwort Clinic' }, locality: 'Lyon', region: 'FR-ARA' });
    await svc.enqueue(QUEUES.searchFromRegistration, saved);
    await svc.drained(QUEUES.searchFromRegistration);

    const withDate = await svc.http.get<CenterSearchResponse>('/centers?q=quillwort&date=2031-05-06');
    expect(withDate.status).toBe(200);
    expect(withDate.body.items).toEqual([expect.objectContaining({ id: centerId, availability: null })]);
    const without = await svc.http.get<CenterSearchResponse>('/centers?q=quillwort');
    expect(without.body.items.map((c) => c.id)).toEqual([centerId]);
    expect(without.body.items[0]).not.toHaveProperty('availability');

    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toMatch(/search_availability_lookups_total\{[^}]*outcome="timeout"[^}]*\} 1\b/);
  });

  it('refuses a malformed date with a field message', async () => {
    for (const date of ['2031-13-01', 'tomorrow', '06/05/2031']) {
      const bad = await svc.http.get<Problem>(`/centers?q=quillwort&date=${encodeURIComponent(date)}`);
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'query.date' })]);
    }
    // A real date PostgreSQL cannot store, or any outside the range, is a field error too.
    for (const date of ['0000-01-01', '2201-01-01']) {
      const bad = await svc.http.get<Problem>(`/centers?q=quillwort&date=${date}`);
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([{ path: 'query.date', message: 'must be a date from 1900-01-01 to 2200-12-31' }]);
    }
  });
});

describe('forged paging cursors', () => {
  /** What anyone could build before cursors were signed: the query's unkeyed SHA-256 fingerprint and any position. */
  const unkeyed = (query: Record<string, string>, p: unknown[]) => {
    const canonical = JSON.stringify(Object.entries(query).sort(([a], [b]) => a.localeCompare(b)));
    const f = createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
    return Buffer.from(JSON.stringify({ f, p })).toString('base64url');
  };
  const flip = (s: string, i: number) => `${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
  const expectCursorProblem = (res: { status: number; headers: Headers; body: Problem }, what: string) => {
    expect(res.status, what).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors, what).toEqual([{ path: 'query.cursor', message: 'must be the nextCursor of a previous page of this search' }]);
  };

  it('are refused with 400 on query.cursor by staff registrant search: rebuilt, overflowing, malformed or tampered', async () => {
    for (const fullName of ['Quentin Forgeworth', 'Quentina Forgeworth']) await svc.enqueue(QUEUES.searchFromRegistration, registrantRegistered({ fullName, region: 'SE-AB' }));
    await svc.drained(QUEUES.searchFromRegistration);
    const forgeworth = { sort: 'relevance', text: 'forgeworth' };
    const real = (await search(`${q('forgeworth')}&limit=1`)).body.nextCursor;
    expect(real).toEqual(expect.any(String));
    const forged: [string, string][] = [
      ['an integer overflow', unkeyed(forgeworth, [0, 1e20, 'forgeworth', randomUUID()])],
      ['a tier out of range', unkeyed(forgeworth, [2147483648, 0, 'forgeworth', randomUUID()])],
      ['an id that is no uuid', unkeyed(forgeworth, [0, 0, 'forgeworth', 'not-a-uuid'])],
      ['a name that is a number', unkeyed(forgeworth, [0, 0, 7, randomUUID()])],
      ['a valid position', unkeyed(forgeworth, [0, 0, 'forgeworth', randomUUID()])],
      ['a real cursor with one character changed', flip(real ?? '', 3)],
      ['a real cursor cut short', (real ?? '').slice(0, -2)],
    ];
    for (const [what, cursor] of forged) expectCursorProblem(await search<Problem>(`${q('forgeworth')}&limit=1&cursor=${encodeURIComponent(cursor)}`), what);
    // Another search's cursor.
    expectCursorProblem(await search<Problem>(`${q('forgeworth')}&sort=name&cursor=${real}`), 'another search');
    // The real one still pages.
    expect((await search(`${q('forgeworth')}&limit=1&cursor=${real}`)).status).toBe(200);
  });

  it('are refused with 400 on query.cursor by public center search', async () => {
    const kasbah = { text: 'kasbah' };
    for (const [what, cursor] of [
      ['an integer overflow', unkeyed(kasbah, [-1e20, 'kasbah', randomUUID()])],
      ['an id that is no uuid', unkeyed(kasbah, [0, 'kasbah', "x' OR 1=1"])],
      ['too short a position', unkeyed(kasbah, [0])],
      ['a valid position', unkeyed(kasbah, [0, 'kasbah', randomUUID()])],
    ])
      expectCursorProblem(await svc.http.get<Problem>(`/centers?q=kasbah&cursor=${encodeURIComponent(cursor)}`), what);
  });
});
