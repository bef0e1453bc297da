import type { Principal } from '@jab/auth';
import { registrantSearchQuery } from '@jab/contracts';
import { migrate } from '@jab/db';
import { createLogger } from '@jab/logger';
import { migrationsNear } from '@jab/runtime';
import { createTestDatabase } from '@jab/testing';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { person } from '../registrants/conformance.testing.js';
import { searchRegistrants } from '../registrants/registrants.service.js';
import { createCursors } from './cursor.js';
import type { RegistrantDocument } from './engine.js';
import { createPostgresEngine, upsertRegistrants } from './postgres.engine.js';

/**
 * Every query shape the staff search API can produce must read search.registrants
 * through an index that narrows on a selective criterion: a name key (trigram or
 * prefix), the phone suffix, or region and birth year together. A sequential scan, or
 * an index that narrows on the region alone or only walks the name order, makes the
 * engine compute trigram similarity for every person of a region: that is what made a
 * desk's name search among 11,000–14,000 people take 300–440 ms. The shapes are
 * enumerated from the API's own query schema, so a parameter added to it fails here
 * until it is covered; the plans are those the engine's statements get, in the engine's
 * own session, over a table with realistic statistics (most people in one region, as
 * in a single-region deployment).
 */

const REGION = 'FR-IDF';
const OTHER_REGIONS = ['ES-MD', 'RU-MOW', 'EG-C', 'IN-MH', 'JP-13'];
const FIRST = ['Maria', 'José', 'Anna', 'Zoë', 'François', 'Grace', 'Иван', 'Мария', 'Γιώργος', 'محمد', 'प्रिया', 'やまだ', 'Nguyễn', 'Priya', 'Jean', 'Lucía'];
const LAST = ['Garcia', 'Martínez', 'Ångström', 'Lefèvre', 'Okafor', 'Петров', 'Смирнова', 'Παπαδόπουλος', 'علي', 'शर्मा', 'たろう', 'Văn An', 'Patel', 'Dubois', 'Moreau', 'Kowalski'];
const BIRTH_YEAR = 1980;
const PHONE = '1234';

/** Bare name kinds, as the desk types them; each finds the two namesakes seeded below. */
const NAME_KINDS = {
  exact: 'Maria Garcia',
  typo: 'Maria Garica',
  prefix: 'Mari',
  'own script (Cyrillic)': 'Иван Петров',
  romanized: 'Ivan Petrov',
  'cross-script (Arabic from Latin)': 'Mohammed Ali',
};

function population(): RegistrantDocument[] {
  const docs: RegistrantDocument[] = [];
  for (let i = 0; i < 2_000; i++) {
    const name = `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}${i % 7 === 0 ? `-${LAST[i % LAST.length]}` : ''}`;
    const region = i % 10 === 0 ? OTHER_REGIONS[i % OTHER_REGIONS.length]! : REGION;
    docs.push(person(name, region, 1930 + (i % 90), i % 3 === 0 ? undefined : String(1000 + (i % 9000)).padStart(4, '0')));
  }
  // Two namesakes per kind, alike in every filter, so every shape has a second page.
  for (const name of ['Maria Garcia', 'Иван Петров', 'محمد علي'])
    for (let twin = 0; twin < 2; twin++) docs.push(person(name, REGION, BIRTH_YEAR, PHONE));
  return docs;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Filter?: string;
  Plans?: PlanNode[];
}

const NAME_OR_PHONE = /\b(name_key|latin_key|skeleton_key|phone_suffix)\b/;
/** An index condition that narrows on a selective criterion (region alone does not). */
const narrows = (cond: string | undefined) =>
  cond !== undefined && (NAME_OR_PHONE.test(cond) || (/\bregion\b/.test(cond) && /\bbirth_year\b/.test(cond)));

/** A bitmap is narrowed when an AND has one narrowing side and every side of an OR narrows. */
function bitmapNarrows(node: PlanNode): boolean {
  switch (node['Node Type']) {
    case 'BitmapAnd':
      return (node.Plans ?? []).some(bitmapNarrows);
    case 'BitmapOr':
      return (node.Plans ?? []).every(bitmapNarrows);
    case 'Bitmap Index Scan':
      return narrows(node['Index Cond']);
    default:
      return false;
  }
}

const describeNode = (node: PlanNode) =>
  `${node['Node Type']}${node['Index Name'] ? ` using ${node['Index Name']}` : ''}${node['Index Cond'] ? ` (${node['Index Cond']})` : ''}`;

/** What is wrong with how a plan reads search.registrants; empty when every read narrows through an index. */
function registrantScanProblems(node: PlanNode): string[] {
  const problems: string[] = [];
  if (node['Relation Name'] === 'registrants') {
    const type = node['Node Type'];
    if (type === 'Bitmap Heap Scan') {
      if (!node.Plans?.every(bitmapNarrows)) problems.push(`bitmap that does not narrow: ${node.Plans?.map(describeNode).join(', ')}`);
    } else if (type === 'Index Scan' || type === 'Index Only Scan') {
      if (!narrows(node['Index Cond'])) problems.push(`index read that does not narrow: ${describeNode(node)}`);
    } else {
      problems.push(describeNode(node));
    }
  }
  for (const child of node.Plans ?? []) problems.push(...registrantScanProblems(child));
  return problems;
}

type Query = Record<string, string | undefined>;

describe('PostgreSQL engine: every registrant query shape reaches an index', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  /** Plans of the registrant statements run since the last reset, each from the session that ran it. */
  let plans: { sql: string; plan: PlanNode }[] = [];

  // Every statement on search.registrants is explained on the connection that runs it,
  // just before it runs: the same session settings, the same parameters.
  const explaining = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(obj, prop) {
        const value = Reflect.get(obj, prop) as unknown;
        if (prop === 'query')
          return async (text: string, values?: unknown[]) => {
            const q = obj as unknown as pg.ClientBase;
            if (typeof text === 'string' && /^\s*SELECT\b/i.test(text) && text.includes('search.registrants')) {
              const { rows } = await q.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${text}`, values);
              plans.push({ sql: text, plan: rows[0]!['QUERY PLAN'][0].Plan });
            }
            return q.query(text, values);
          };
        if (prop === 'connect')
          return async () => explaining(await (obj as unknown as pg.Pool).connect());
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(obj) : value;
      },
    });

  beforeAll(async () => {
    db = await createTestDatabase('search-plans');
    await migrate({ databaseUrl: db.url, schema: 'search', dir: migrationsNear(import.meta.dirname + '/..'), logger: createLogger({ service: 'search', level: 'silent' }) });
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    pool.on('error', () => undefined);
    await upsertRegistrants(pool, population());
    await pool.query('ANALYZE search.registrants');
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  // One value list per query parameter of the API (undefined: left out).
  const sortValues = registrantSearchQuery.shape.sort.unwrap().options;
  const variants: Record<keyof typeof registrantSearchQuery.shape, (string | undefined)[]> = {
    q: [undefined, ...Object.values(NAME_KINDS)],
    region: [undefined, REGION],
    birthYear: [undefined, String(BIRTH_YEAR)],
    phoneSuffix: [undefined, PHONE],
    sort: [...sortValues],
    // 'next': the second page, with the cursor the first one returned.
    cursor: [undefined, 'next'],
    limit: ['1'],
  };
  const principals: Principal[] = [
    { sub: 'desk', role: 'staff', region: REGION, centerId: '20000000-0000-4000-8000-000000000001' },
    { sub: 'admin', role: 'national-admin' },
  ];

  function* shapes(): Generator<Query> {
    const keys = Object.keys(variants) as (keyof typeof variants)[];
    const walk = function* (i: number, acc: Query): Generator<Query> {
      if (i === keys.length) {
        yield acc;
        return;
      }
      for (const value of variants[keys[i]!]) yield* walk(i + 1, { ...acc, [keys[i]!]: value });
    };
    yield* walk(0, {});
  }

  it('varies every parameter of the API query schema', () => {
    expect(Object.keys(variants).sort()).toEqual(Object.keys(registrantSearchQuery.shape).sort());
  });

  it('plans every shape, as staff and as national admin, without a scan that does not narrow', async () => {
    const postgres = createPostgresEngine(explaining(pool), createCursors(randomBytes(32)));
    // A staff search without a region and one naming the staff's region reach the engine
    // as one query, as does a national admin's naming that region: each is planned once.
    const pages = new Map<string, ReturnType<typeof postgres.searchRegistrants>>();
    const engine: typeof postgres = {
      ...postgres,
      searchRegistrants: (query) => {
        const key = JSON.stringify(query);
        if (!pages.has(key)) pages.set(key, postgres.searchRegistrants(query));
        return pages.get(key)!;
      },
    };
    const deps = { engine, audit: { record: async () => undefined } };
    const failures: string[] = [];
    let searched = 0;
    let planned = 0;
    for (const principal of principals)
      for (const shape of shapes()) {
        const parsed = registrantSearchQuery.safeParse({ ...shape, cursor: undefined });
        if (!parsed.success) continue; // neither q nor phoneSuffix: the API refuses it
        plans = [];
        let page = await searchRegistrants(deps, principal, parsed.data, null);
        if (shape['cursor']) {
          expect(page.nextCursor, `a second page for ${JSON.stringify(shape)}`).not.toBeNull();
          plans = [];
          page = await searchRegistrants(deps, principal, registrantSearchQuery.parse({ ...shape, cursor: page.nextCursor }), null);
        }
        searched += 1;
        planned += plans.length;
        for (const { plan } of plans)
          for (const problem of registrantScanProblems(plan))
            failures.push(`${principal.role} ${JSON.stringify(shape)}: ${problem}`);
      }
    expect(searched).toBeGreaterThan(300);
    // Every distinct engine query ran at least one planned statement on search.registrants.
    expect(planned).toBeGreaterThanOrEqual(pages.size);
    expect(failures).toEqual([]);
  });

  it('flags a sequential scan and a read narrowed by the region alone', () => {
    const seq: PlanNode = { 'Node Type': 'Limit', Plans: [{ 'Node Type': 'Seq Scan', 'Relation Name': 'registrants' }] };
    const regionOnly: PlanNode = {
      'Node Type': 'Bitmap Heap Scan',
      'Relation Name': 'registrants',
      Plans: [{ 'Node Type': 'Bitmap Index Scan', 'Index Name': 'registrants_region_birth_year_idx', 'Index Cond': "(region = 'FR-IDF'::text)" }],
    };
    const byName: PlanNode = {
      'Node Type': 'Bitmap Heap Scan',
      'Relation Name': 'registrants',
      Plans: [
        {
          'Node Type': 'BitmapAnd',
          Plans: [
            { 'Node Type': 'Bitmap Index Scan', 'Index Cond': "(region = 'FR-IDF'::text)" },
            { 'Node Type': 'Bitmap Index Scan', 'Index Cond': "(latin_key %> 'maria'::text)" },
          ],
        },
      ],
    };
    expect(registrantScanProblems(seq)).toHaveLength(1);
    expect(registrantScanProblems(regionOnly)).toHaveLength(1);
    expect(registrantScanProblems(byName)).toEqual([]);
  });
});
