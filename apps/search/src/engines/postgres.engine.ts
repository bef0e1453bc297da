import type { Language } from '@jab/contracts';
import type { Pool, PoolClient } from 'pg';
import { z } from 'zod';
import { int32, sortKey, type Cursors } from './cursor.js';
import type {
  CenterDocument,
  CenterQuery,
  Page,
  RegistrantDocument,
  RegistrantQuery,
  ReindexSource,
  SearchEngine,
} from './engine.js';
import { latinKey, nameKeys } from './keys.js';

type Queryable = Pool | PoolClient;

/** The keysets below, as a cursor must hold them: (tier, neg_score, sort_name, id) and (neg_score, sort_name, id). */
const registrantPosition = z.tuple([z.number().int().min(0).max(2), int32, sortKey, z.guid()]);
const centerPosition = z.tuple([int32, sortKey, z.guid()]);
const REGISTRANTS = 'postgres:registrants';
const CENTERS = 'postgres:centers';

const BULK_ROWS = 2_000;
/** The word similarity a fuzzy match needs: pg_trgm's default, and among the few a phone suffix or region and birth year leave. */
const DEFAULT_SIMILARITY = '0.6';
const NARROWED_SIMILARITY = '0.3';
/** Consonants a query's skeleton needs before it is compared (see searchRegistrants). */
const MIN_SKELETON_LETTERS = 4;

/**
 * The embedded engine. Names match on three trigram keys (GIN-indexed): the
 * accent-folded name in its own script, its Latin romanization and, across scripts
 * only, its consonant skeleton. `word_similarity` (operator `<%`) lets a query match
 * part of a name ("Petrov" in "Ivan Petrov") and absorbs typos. Ranking: exact key
 * match, then prefix, then the best similarity; ties by folded name and id, which is
 * also the keyset the cursor continues from.
 */
export function createPostgresEngine(pool: Pool, cursors: Cursors): SearchEngine {
  return {
    name: 'postgres',
    init: async () => undefined,
    refresh: async () => undefined,
    close: async () => undefined,

    async indexRegistrant(doc) {
      return (await upsertRegistrants(pool, [doc])) === 1;
    },

    async deleteRegistrant(id, version) {
      await pool.query(
        `DELETE FROM search.registrants WHERE id = $1 AND version <= $2`,
        [id, version],
      );
    },

    async bulkIndexRegistrants(docs) {
      for (let i = 0; i < docs.length; i += BULK_ROWS)
        await upsertRegistrants(pool, docs.slice(i, i + BULK_ROWS));
    },

    async searchRegistrants(query) {
      return withIndexedReads(pool, (db) => searchRegistrants(db, cursors, query));
    },

    async indexCenter(doc) {
      return (await upsertCenter(pool, doc)) === 1;
    },

    async deleteCenter(id, version) {
      await pool.query(
        `DELETE FROM search.centers WHERE id = $1 AND version <= $2`,
        [id, version],
      );
    },

    async searchCenters(query) {
      return searchCenters(pool, cursors, query);
    },

    // One transaction: searches keep reading the old rows (MVCC) until the commit
    // swaps in the rebuilt ones; live indexing waits on the row locks meanwhile.
    async reindex(source: ReindexSource) {
      const client = await pool.connect();
      const counts = { registrants: 0, centers: 0 };
      try {
        await client.query('BEGIN');
        await client.query('DELETE FROM search.registrants');
        for await (const batch of source.registrants())
          counts.registrants += await upsertRegistrants(client, batch);
        await client.query('DELETE FROM search.centers');
        for await (const batch of source.centers())
          for (const doc of batch)
            counts.centers += await upsertCenter(client, doc);
        await client.query('COMMIT');
        return counts;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

/** Multi-row upsert; a row is written only when its version is at least the stored one. */
export async function upsertRegistrants(
  db: Queryable,
  docs: RegistrantDocument[],
): Promise<number> {
  if (docs.length === 0) return 0;
  const keys = docs.map((d) => nameKeys(d.fullName));
  const result = await db.query(
    `INSERT INTO search.registrants
       (id, full_name, name_key, latin_key, skeleton_key, latin_script, birth_year, region, phone_suffix, version, source_event_at)
     SELECT d.id, d.full_name, search.fold(d.full_name), d.latin_key, d.skeleton_key, d.latin_script,
            d.birth_year, d.region, d.phone_suffix, d.version, d.source_event_at
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::int[], $7::text[], $8::text[], $9::int[], $10::timestamptz[])
         AS d(id, full_name, latin_key, skeleton_key, latin_script, birth_year, region, phone_suffix, version, source_event_at)
     ON CONFLICT (id) DO UPDATE
       SET full_name = EXCLUDED.full_name, name_key = EXCLUDED.name_key, latin_key = EXCLUDED.latin_key,
           skeleton_key = EXCLUDED.skeleton_key, latin_script = EXCLUDED.latin_script,
           birth_year = EXCLUDED.birth_year, region = EXCLUDED.region, phone_suffix = EXCLUDED.phone_suffix,
           version = EXCLUDED.version, source_event_at = EXCLUDED.source_event_at, indexed_at = now()
     WHERE search.registrants.version < EXCLUDED.version`,
    [
      docs.map((d) => d.id),
      docs.map((d) => d.fullName),
      keys.map((k) => k.latin),
      keys.map((k) => k.skeleton),
      keys.map((k) => k.latinScript),
      docs.map((d) => d.birthYear),
      docs.map((d) => d.region),
      docs.map((d) => d.phoneSuffix ?? null),
      docs.map((d) => d.version),
      docs.map((d) => d.sourceEventAt),
    ],
  );
  return result.rowCount ?? 0;
}

interface RegistrantRow {
  id: string;
  full_name: string;
  birth_year: number;
  region: string;
  phone_suffix: string | null;
  version: number;
  source_event_at: Date;
  tier: number;
  neg_score: number;
  sort_name: string;
}

/** A `LIKE` pattern for "starts with `prefix`" (wildcards in the prefix itself escaped). */
function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Runs `fn` in a read-only transaction whose planner may not scan search.registrants
 * sequentially. The planner costs a trigram comparison like an equality (pg_trgm's
 * operators have the default cost), so on a table of a few thousand people it prefers
 * reading every row and comparing each name, which costs 20–30 µs a row: 300–440 ms at
 * 14,000 people. Every statement of a search has an index that narrows it
 * (postgres.plans.test.ts), so this only takes the wrong choice away.
 */
async function withIndexedReads<T>(pool: Pool, fn: (db: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN READ ONLY; SET LOCAL enable_seqscan = off');
    const result = await fn(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (error) {
    // A connection whose transaction state is unknown is not given back to the pool.
    await client.query('ROLLBACK').then(
      () => client.release(),
      (rollbackError: Error) => client.release(rollbackError),
    );
    throw error;
  }
}

async function searchRegistrants(
  db: PoolClient,
  cursors: Cursors,
  query: RegistrantQuery,
): Promise<Page<RegistrantDocument>> {
  const after = query.cursor ? cursors.decode(REGISTRANTS, query, query.cursor, registrantPosition) : undefined;
  // A phone suffix, or a birth year within a region, narrows through its own index as
  // well as a name might: the planner chooses among them. A region alone (a desk's may
  // hold nearly everyone) or a birth year alone (a 90th of the country) does not: they
  // only filter the name's matches.
  const narrowed = query.phoneSuffix !== undefined || (query.birthYear !== undefined && query.region !== undefined);
  // Among the few people a narrowing criterion leaves (hundreds at a million), a name
  // typed far off still ranks its person first: the similarity a match needs is lowered
  // from 0.6 for this transaction.
  const folded = query.text
    ? (
        await db.query<{ k: string }>(
          `SELECT search.fold($1) AS k, set_config('pg_trgm.word_similarity_threshold', $2, true)`,
          [query.text, narrowed ? NARROWED_SIMILARITY : DEFAULT_SIMILARITY],
        )
      ).rows[0]!.k
    : '';

  /**
   * `prefixOnly`: exact and prefix matches alone, read through the B-tree prefix indexes
   * (tiers 0 and 1 of the ranking). The full query adds the trigram (fuzzy) matches.
   */
  const run = (prefixOnly: boolean) => {
    const params: unknown[] = [];
    const p = (value: unknown) => `$${params.push(value)}`;
    /** Conditions that choose the rows through an index; `where` only filters them. */
    const driving: string[] = [];
    const where: string[] = [];
    let tier = '0';
    let negScore = '0';
    if (query.text) {
      const keys = nameKeys(query.text);
      // Each parameter only once it is used: PostgreSQL cannot type an unused one.
      let kParam: string | undefined;
      let lParam: string | undefined;
      const k = () => (kParam ??= `${p(folded)}::text`);
      const l = () => (lParam ??= `${p(keys.latin)}::text`);
      const prefixes = [
        ...(folded ? [`r.name_key LIKE ${p(prefixPattern(folded))}`] : []),
        ...(keys.latin ? [`r.latin_key LIKE ${p(prefixPattern(keys.latin))}`] : []),
      ];
      const prefixMatch = prefixes.length ? `(${prefixes.join(' OR ')})` : 'false';
      // One trigram index scan per key that can add a match:
      // - a name typed in Latin letters folds to its Latin key, so the folded name adds no match
      //   (its similarity still ranks: the Latin key collapses letter runs, "tann" → "tan");
      // - skeletons are compared only across scripts (see keys.ts), a Latin query's only with the
      //   non-Latin names (their own partial index), and only when long enough to mean something:
      //   a skeleton of 3 consonants or fewer ("h ln", "ch") is shared by tens of thousands.
      // Scores are built only when ranking by relevance (a parameter is added on first use).
      const fuzzy: { match?: string; score: () => string }[] = [];
      fuzzy.push({ ...(keys.latinScript ? {} : { match: `${k()} <% r.name_key` }), score: () => `word_similarity(${k()}, r.name_key)` });
      if (keys.latin) fuzzy.push({ match: `${l()} <% r.latin_key`, score: () => `word_similarity(${l()}, r.latin_key)` });
      if (keys.skeleton.replace(/ /g, '').length >= MIN_SKELETON_LETTERS) {
        const s = `${p(keys.skeleton)}::text`;
        const similarity = `0.9 * word_similarity(${s}, r.skeleton_key)`;
        fuzzy.push(
          keys.latinScript
            ? { match: `(${s} <% r.skeleton_key AND NOT r.latin_script)`, score: () => `CASE WHEN r.latin_script THEN 0 ELSE ${similarity} END` }
            : { match: `${s} <% r.skeleton_key`, score: () => similarity },
        );
      }
      const matches = fuzzy.flatMap((f) => (f.match ? [f.match] : []));
      driving.push(prefixOnly ? prefixMatch : `(${[prefixMatch, ...matches].join(' OR ')})`);
      if (query.sort === 'relevance') {
        tier = `CASE WHEN r.name_key = ${k()} OR r.latin_key = ${l()} THEN 0 WHEN ${prefixMatch} THEN 1 ELSE 2 END`;
        negScore = `-round(1e6 * greatest(${fuzzy.map((f) => f.score()).join(', ')}))::int`;
      }
    }
    if (query.phoneSuffix) driving.push(`r.phone_suffix = ${p(query.phoneSuffix)}`);
    if (query.birthYear !== undefined) (narrowed ? driving : where).push(`r.birth_year = ${p(query.birthYear)}`);
    if (query.region) (narrowed ? driving : where).push(`r.region = ${p(query.region)}`);
    // OFFSET 0 keeps the planner from pushing the filters down into the scan, where they
    // would compete with the name indexes to choose the rows.
    const source = where.length && driving.length
      ? `(SELECT * FROM search.registrants r WHERE ${driving.join(' AND ')} OFFSET 0)`
      : 'search.registrants';
    if (source === 'search.registrants') where.push(...driving);
    const afterSql = after
      ? `WHERE (tier, neg_score, sort_name, id) > (${p(after[0])}::int, ${p(after[1])}::int, ${p(after[2])}::text COLLATE "C", ${p(after[3])}::uuid)`
      : '';
    return db.query<RegistrantRow>(
      `SELECT * FROM (
         SELECT r.id, r.full_name, r.birth_year, r.region, r.phone_suffix, r.version, r.source_event_at,
                ${tier} AS tier, ${negScore} AS neg_score, r.name_key COLLATE "C" AS sort_name
           FROM ${source} r
          ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ) hits ${afterSql}
       ORDER BY tier, neg_score, sort_name, id
       LIMIT ${p(query.limit + 1)}`,
      params,
    );
  };

  // Exact and prefix matches rank before every fuzzy one: when they fill the first page
  // on their own, that page is theirs and the trigram ranking of thousands is skipped.
  let rows: RegistrantRow[] | undefined;
  if (query.text && query.sort === 'relevance' && !after) {
    const prefix = (await run(true)).rows;
    if (prefix.length > query.limit) rows = prefix;
  }
  rows ??= (await run(false)).rows;
  return page(
    rows,
    query.limit,
    (last) => cursors.encode(REGISTRANTS, query, [last.tier, last.neg_score, last.sort_name, last.id]),
    (r) => ({
      id: r.id,
      fullName: r.full_name,
      birthYear: r.birth_year,
      region: r.region,
      ...(r.phone_suffix ? { phoneSuffix: r.phone_suffix } : {}),
      version: r.version,
      sourceEventAt: r.source_event_at.toISOString(),
    }),
  );
}

function page<R, T>(
  rows: R[],
  limit: number,
  cursorAfter: (row: R) => string,
  map: (row: R) => T,
): Page<T> {
  const more = rows.length > limit;
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(map),
    nextCursor: more && last ? cursorAfter(last) : null,
  };
}

// Names are stemmed with the configuration of their language; the query is parsed in
// every one of them (OR), as a citizen's query language is not known.
const CENTER_LANGUAGES: Record<Language, string> = {
  en: 'english',
  es: 'spanish',
  fr: 'french',
  hi: 'hindi',
  ar: 'arabic',
};

async function upsertCenter(
  db: Queryable,
  doc: CenterDocument,
): Promise<number> {
  const allNames = Object.values(doc.names).join(' ');
  const nameVectors = Object.entries(CENTER_LANGUAGES)
    .map(
      ([lang, config]) =>
        `setweight(to_tsvector('${config}', coalesce($2::jsonb->>'${lang}', '')), 'A')`,
    )
    .join(' || ');
  const result = await db.query(
    `INSERT INTO search.centers
       (id, names, locality, region, languages, vaccines, vaccine_ids, name_key, latin_key, locality_key, document, version)
     VALUES ($1, $2::jsonb, $3, $4, $5::text[], $6::jsonb, $7::uuid[], search.fold($8), $9, search.fold($3),
             ${nameVectors} || setweight(to_tsvector('simple', search.fold($3)), 'B')
               || setweight(to_tsvector('simple', search.fold($10)), 'C'),
             $11)
     ON CONFLICT (id) DO UPDATE
       SET names = EXCLUDED.names, locality = EXCLUDED.locality, region = EXCLUDED.region,
           languages = EXCLUDED.languages, vaccines = EXCLUDED.vaccines, vaccine_ids = EXCLUDED.vaccine_ids,
           name_key = EXCLUDED.name_key, latin_key = EXCLUDED.latin_key, locality_key = EXCLUDED.locality_key,
           document = EXCLUDED.document, version = EXCLUDED.version, indexed_at = now()
     WHERE search.centers.version < EXCLUDED.version`,
    [
      doc.id,
      JSON.stringify(doc.names),
      doc.locality,
      doc.region,
      doc.languages,
      JSON.stringify(doc.vaccines),
      doc.vaccines.map((v) => v.id),
      allNames,
      latinKey(allNames),
      doc.vaccines.map((v) => v.name).join(' '),
      doc.version,
    ],
  );
  return result.rowCount ?? 0;
}

interface CenterRow {
  id: string;
  names: CenterDocument['names'];
  locality: string;
  region: string;
  languages: Language[];
  vaccines: CenterDocument['vaccines'];
  version: number;
  neg_score: number;
  sort_name: string;
}

async function searchCenters(
  db: Queryable,
  cursors: Cursors,
  query: CenterQuery,
): Promise<Page<CenterDocument>> {
  const after = query.cursor ? cursors.decode(CENTERS, query, query.cursor, centerPosition) : undefined;
  const params: unknown[] = [];
  const p = (value: unknown) => `$${params.push(value)}`;
  const where: string[] = [];
  let negScore = '0';
  if (query.text) {
    const text = p(query.text);
    const k = `search.fold(${text})`;
    const l = `${p(latinKey(query.text))}::text`;
    const tsquery = [
      ...Object.values(CENTER_LANGUAGES).map(
        (config) => `websearch_to_tsquery('${config}', ${text})`,
      ),
      `websearch_to_tsquery('simple', ${k})`,
    ].join(' || ');
    where.push(
      `(c.document @@ (${tsquery}) OR ${k} <% c.name_key OR ${l} <% c.latin_key OR ${k} <% c.locality_key)`,
    );
    negScore = `-round(1e6 * (ts_rank(c.document, ${tsquery}) + greatest(word_similarity(${k}, c.name_key),
                  word_similarity(${l}, c.latin_key), word_similarity(${k}, c.locality_key))))::int`;
  }
  if (query.language) where.push(`${p(query.language)} = ANY (c.languages)`);
  if (query.vaccine)
    where.push(`${p(query.vaccine)}::uuid = ANY (c.vaccine_ids)`);
  if (query.region) where.push(`c.region = ${p(query.region)}`);
  const afterSql = after
    ? `WHERE (neg_score, sort_name, id) > (${p(after[0])}::int, ${p(after[1])}::text COLLATE "C", ${p(after[2])}::uuid)`
    : '';
  const { rows } = await db.query<CenterRow>(
    `SELECT * FROM (
       SELECT c.id, c.names, c.locality, c.region, c.languages, c.vaccines, c.version,
              ${negScore} AS neg_score, c.name_key COLLATE "C" AS sort_name
         FROM search.centers c
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ) hits ${afterSql}
     ORDER BY neg_score, sort_name, id
     LIMIT ${p(query.limit + 1)}`,
    params,
  );
  return page(
    rows,
    query.limit,
    (last) => cursors.encode(CENTERS, query, [last.neg_score, last.sort_name, last.id]),
    (r) => ({
      id: r.id,
      names: r.names,
      locality: r.locality,
      region: r.region,
      languages: r.languages,
      vaccines: r.vaccines,
      version: r.version,
    }),
  );
}
