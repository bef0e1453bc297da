import { Client, errors } from '@opensearch-project/opensearch';
import {
  AwsSigv4Signer,
  type AwsSigv4SignerOptions,
} from '@opensearch-project/opensearch/aws-v3';
import { z } from 'zod';
import { sortKey, type Cursors, type Position } from './cursor.js';
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
import { centersTemplate, registrantsTemplate } from './opensearch.template.js';

export interface OpenSearchEngineOptions {
  node: string;
  /** Signs and checks paging cursors (the service's `SEARCH_CURSOR_KEY`). */
  cursors: Cursors;
  /** Alias prefix; indices are `<prefix>-registrants-v<n>` behind alias `<prefix>-registrants`. */
  prefix?: string;
  /**
   * Primary shards of a new registrant index version (1 by default). It goes into the
   * index template, so it applies to the next index created: `-v1` on first start, or
   * the new version a reindex builds. A live index keeps the count it was created with.
   */
  registrantShards?: number;
  /** Bulk backpressure: bytes per request, requests in flight, retries of a 429 and the wait between. */
  bulk?: {
    flushBytes?: number;
    concurrency?: number;
    retries?: number;
    waitMs?: number;
  };
  /** Suffix of a new index version; a timestamp by default. */
  newVersion?: () => string;
  /**
   * Sign every request with AWS SigV4 (service `es`), as an Amazon OpenSearch Service
   * domain that admits IAM principals only requires. The credentials come from the caller
   * (the task role through the AWS SDK's default provider in ECS; fixed keys in tests),
   * so the engine itself never reads the environment. Unset: unsigned requests.
   */
  awsSigv4?: {
    region: string;
    getCredentials: NonNullable<AwsSigv4SignerOptions['getCredentials']>;
  };
  client?: Client;
}

/** `search_after` values as a cursor must hold them: [_score,] sortName, id (see the `sort` of each query body). */
const byScore = z.tuple([z.number(), sortKey, z.guid()]);
const byName = z.tuple([sortKey, z.guid()]);
const REGISTRANTS = 'opensearch:registrants';
const CENTERS = 'opensearch:centers';

interface Hit<T> {
  _source: T;
  sort: Position;
}

const isStatus = (error: unknown, status: number) =>
  error instanceof errors.ResponseError && error.statusCode === status;

/**
 * The scale engine. Each collection is an alias over a versioned index, so a reindex
 * builds a new index beside the live one and swaps the alias atomically. Documents
 * carry the source version as an external version: OpenSearch itself refuses a stale
 * write (409), which makes replays and out-of-order events harmless.
 */
export function createOpenSearchEngine(
  options: OpenSearchEngineOptions,
): SearchEngine {
  const client =
    options.client ??
    new Client({
      ...(options.awsSigv4 &&
        AwsSigv4Signer({
          region: options.awsSigv4.region,
          service: 'es',
          getCredentials: options.awsSigv4.getCredentials,
        })),
      node: options.node,
      maxRetries: 3,
      requestTimeout: 30_000,
    });
  const prefix = options.prefix ?? 'jab';
  const aliases = {
    registrants: `${prefix}-registrants`,
    centers: `${prefix}-centers`,
  };
  const bulkOptions = {
    flushBytes: 5_000_000,
    concurrency: 2,
    retries: 5,
    waitMs: 1_000,
    ...options.bulk,
  };
  const newVersion = options.newVersion ?? (() => String(Date.now()));
  let ready: Promise<void> | undefined;

  async function ensureAlias(alias: string, template: object) {
    await client.indices.putIndexTemplate({
      name: `${alias}-template`,
      body: template as never,
    });
    const exists = await client.indices.existsAlias({ name: alias });
    if (exists.body) return;
    try {
      await client.indices.create({
        index: `${alias}-v1`,
        body: { aliases: { [alias]: {} } },
      });
    } catch (error) {
      // Another replica created it first.
      if (!isStatus(error, 400)) throw error;
    }
  }

  const init = () =>
    (ready ??= (async () => {
      await ensureAlias(
        aliases.registrants,
        registrantsTemplate(aliases.registrants, {
          shards: options.registrantShards,
        }),
      );
      await ensureAlias(aliases.centers, centersTemplate(aliases.centers));
    })().catch((error: unknown) => {
      ready = undefined;
      throw error;
    }));

  async function write(
    index: string,
    id: string,
    version: number,
    body: object,
  ): Promise<boolean> {
    await init();
    try {
      await client.index({
        index,
        id,
        version,
        version_type: 'external',
        body,
      });
      return true;
    } catch (error) {
      if (isStatus(error, 409)) return false;
      throw error;
    }
  }

  async function remove(
    index: string,
    id: string,
    version: number,
  ): Promise<void> {
    await init();
    try {
      await client.delete({ index, id, version, version_type: 'external' });
    } catch (error) {
      if (!isStatus(error, 404) && !isStatus(error, 409)) throw error;
    }
  }

  /** Bulk index with bounded request size and concurrency; 429s are retried by the helper. */
  async function bulk<T extends { id: string; version: number }>(
    index: string,
    docs: Iterable<T> | AsyncIterable<T>,
    toSource: (doc: T) => object,
  ) {
    const dropped: string[] = [];
    const stats = await client.helpers.bulk<T>({
      datasource: (async function* () {
        yield* docs;
      })(),
      onDocument: (doc) => [
        {
          index: {
            _index: index,
            _id: doc.id,
            version: doc.version,
            version_type: 'external',
          },
        },
        toSource(doc),
      ],
      flushBytes: bulkOptions.flushBytes,
      concurrency: bulkOptions.concurrency,
      retries: bulkOptions.retries,
      wait: bulkOptions.waitMs,
      // A version conflict means a newer document is already there: that is the goal.
      onDrop: (dropped_) => {
        if (dropped_.status !== 409)
          dropped.push(`${dropped_.status} ${dropped_.error?.type ?? ''}`);
      },
    });
    if (dropped.length > 0)
      throw new Error(
        `bulk indexing dropped ${dropped.length} documents: ${dropped.slice(0, 3).join(', ')}`,
      );
    return stats.successful;
  }

  async function liveIndices(alias: string): Promise<string[]> {
    const { body } = await client.indices.getAlias({ name: alias });
    return Object.keys(body as Record<string, unknown>);
  }

  /** New index beside the live one, bulk copy, atomic alias swap, catch-up pass, old index deleted. */
  async function rebuild<T extends { id: string; version: number }>(
    alias: string,
    read: (since?: Date) => AsyncIterable<T[]>,
    toSource: (doc: T) => object,
  ): Promise<number> {
    const started = new Date();
    const index = `${alias}-v${newVersion()}`;
    const old = await liveIndices(alias);
    // No shard count here: the template (put by init() just before) decides it.
    await client.indices.create({
      index,
      body: { settings: { refresh_interval: '-1', number_of_replicas: 0 } },
    });
    const flatten = async function* (since?: Date) {
      for await (const batch of read(since)) yield* batch;
    };
    const copied = await bulk(index, flatten(), toSource);
    await client.indices.putSettings({
      index,
      body: { index: { refresh_interval: '1s', number_of_replicas: 1 } },
    });
    await client.indices.refresh({ index });
    await client.indices.updateAliases({
      body: {
        actions: [
          ...old.map((o) => ({ remove: { index: o, alias } })),
          { add: { index, alias } },
        ],
      },
    });
    // Events indexed into the old index while copying: external versions keep the newest.
    await bulk(index, flatten(started), toSource);
    if (old.length > 0) await client.indices.delete({ index: old.join(',') });
    return copied;
  }

  /** The `search_after` a cursor holds: led by `_score` when the query body sorts by relevance. */
  const afterOf = (scope: string, query: RegistrantQuery | CenterQuery, byRelevance: boolean): Position | undefined => {
    if (query.cursor === undefined) return undefined;
    return byRelevance
      ? options.cursors.decode(scope, query, query.cursor, byScore)
      : options.cursors.decode(scope, query, query.cursor, byName);
  };

  return {
    name: 'opensearch',
    init,
    close: () => client.close(),

    async refresh() {
      await init();
      await client.indices.refresh({
        index: `${aliases.registrants},${aliases.centers}`,
      });
    },

    indexRegistrant: (doc) =>
      write(aliases.registrants, doc.id, doc.version, registrantSource(doc)),
    deleteRegistrant: (id, version) => remove(aliases.registrants, id, version),
    async bulkIndexRegistrants(docs) {
      await init();
      await bulk(aliases.registrants, docs, registrantSource);
    },

    async searchRegistrants(query) {
      await init();
      const body = registrantQueryBody(
        query,
        afterOf(REGISTRANTS, query, Boolean(query.text) && query.sort === 'relevance'),
      );
      const { body: response } = await client.search({
        index: aliases.registrants,
        body: body as never,
      });
      const hits = (
        response.hits.hits as unknown as Hit<RegistrantSource>[]
      ).map((h) => ({ doc: fromRegistrantSource(h._source), sort: h.sort }));
      return pageOf(hits, query.limit, (sort) => options.cursors.encode(REGISTRANTS, query, sort));
    },

    indexCenter: (doc) =>
      write(aliases.centers, doc.id, doc.version, centerSource(doc)),
    deleteCenter: (id, version) => remove(aliases.centers, id, version),

    async searchCenters(query) {
      await init();
      const body = centerQueryBody(query, afterOf(CENTERS, query, Boolean(query.text)));
      const { body: response } = await client.search({
        index: aliases.centers,
        body: body as never,
      });
      const hits = (response.hits.hits as unknown as Hit<CenterSource>[]).map(
        (h) => ({ doc: fromCenterSource(h._source), sort: h.sort }),
      );
      return pageOf(hits, query.limit, (sort) => options.cursors.encode(CENTERS, query, sort));
    },

    async reindex(source: ReindexSource) {
      await init();
      const registrants = await rebuild(
        aliases.registrants,
        (since) => source.registrants(since),
        registrantSource,
      );
      const centers = await rebuild(
        aliases.centers,
        (since) => source.centers(since),
        centerSource,
      );
      return { registrants, centers };
    },
  };
}

function pageOf<T>(
  hits: { doc: T; sort: Position }[],
  limit: number,
  cursorAfter: (sort: Position) => string,
): Page<T> {
  const more = hits.length > limit;
  const items = hits.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map((h) => h.doc),
    nextCursor: more && last ? cursorAfter(last.sort) : null,
  };
}

type RegistrantSource = ReturnType<typeof registrantSource>;

export function registrantSource(doc: RegistrantDocument) {
  const keys = nameKeys(doc.fullName);
  return {
    id: doc.id,
    fullName: doc.fullName,
    latinKey: keys.latin,
    skeletonKey: keys.skeleton,
    latinScript: keys.latinScript,
    sortName: doc.fullName,
    birthYear: doc.birthYear,
    region: doc.region,
    phoneSuffix: doc.phoneSuffix ?? null,
    version: doc.version,
    sourceEventAt: doc.sourceEventAt,
  };
}

function fromRegistrantSource(s: RegistrantSource): RegistrantDocument {
  return {
    id: s.id,
    fullName: s.fullName,
    birthYear: s.birthYear,
    region: s.region,
    ...(s.phoneSuffix ? { phoneSuffix: s.phoneSuffix } : {}),
    version: s.version,
    sourceEventAt: s.sourceEventAt,
  };
}

/**
 * Exact (whole folded name or romanization) ≫ prefix (edge n-grams) ≫ fuzzy
 * (`fuzziness: AUTO` on words, romanization and, across scripts, the skeleton).
 */
export function registrantQueryBody(query: RegistrantQuery, after?: Position) {
  const filter: object[] = [];
  if (query.region) filter.push({ term: { region: query.region } });
  if (query.birthYear !== undefined)
    filter.push({ term: { birthYear: query.birthYear } });
  if (query.phoneSuffix)
    filter.push({ term: { phoneSuffix: query.phoneSuffix } });
  const must: object[] = [];
  if (query.text) {
    const keys = nameKeys(query.text);
    const should: object[] = [
      { term: { 'fullName.exact': { value: query.text, boost: 100 } } },
      { term: { 'latinKey.exact': { value: keys.latin, boost: 100 } } },
      {
        match: {
          'fullName.prefix': { query: query.text, operator: 'and', boost: 10 },
        },
      },
      {
        match: {
          'latinKey.prefix': { query: keys.latin, operator: 'and', boost: 10 },
        },
      },
      {
        match: {
          fullName: {
            query: query.text,
            fuzziness: 'AUTO',
            operator: 'and',
            boost: 2,
          },
        },
      },
      {
        match: {
          latinKey: {
            query: keys.latin,
            fuzziness: 'AUTO',
            operator: 'and',
            boost: 2,
          },
        },
      },
    ];
    if (keys.skeleton) {
      const skeleton = {
        match: {
          skeletonKey: {
            query: keys.skeleton,
            fuzziness: 'AUTO',
            operator: 'and',
          },
        },
      };
      // Skeletons only across scripts, as in the PostgreSQL engine (keys.ts).
      should.push(
        keys.latinScript
          ? {
              bool: {
                must: [skeleton],
                filter: [{ term: { latinScript: false } }],
              },
            }
          : skeleton,
      );
    }
    must.push({ bool: { should, minimum_should_match: 1 } });
  }
  const relevance = query.text && query.sort === 'relevance';
  return {
    size: query.limit + 1,
    track_total_hits: false,
    query: { bool: { must, filter } },
    sort: [
      ...(relevance ? [{ _score: 'desc' }] : []),
      { sortName: 'asc' },
      { id: 'asc' },
    ],
    ...(after ? { search_after: after } : {}),
  };
}

type CenterSource = ReturnType<typeof centerSource>;

export function centerSource(doc: CenterDocument) {
  return {
    id: doc.id,
    names: doc.names,
    latinKey: latinKey(Object.values(doc.names).join(' ')),
    locality: doc.locality,
    region: doc.region,
    languages: doc.languages,
    vaccines: doc.vaccines,
    sortName: doc.names.en,
    version: doc.version,
  };
}

function fromCenterSource(s: CenterSource): CenterDocument {
  return {
    id: s.id,
    names: s.names,
    locality: s.locality,
    region: s.region,
    languages: s.languages,
    vaccines: s.vaccines,
    version: s.version,
  };
}

export function centerQueryBody(query: CenterQuery, after?: Position) {
  const filter: object[] = [];
  if (query.language) filter.push({ term: { languages: query.language } });
  if (query.vaccine) filter.push({ term: { 'vaccines.id': query.vaccine } });
  if (query.region) filter.push({ term: { region: query.region } });
  const must: object[] = [];
  if (query.text) {
    must.push({
      bool: {
        should: [
          {
            multi_match: {
              query: query.text,
              fields: [
                'names.*^3',
                'names.*.folded^3',
                'locality^2',
                'vaccines.name',
              ],
              fuzziness: 'AUTO',
            },
          },
          {
            multi_match: {
              query: query.text,
              fields: ['names.*.prefix^2', 'locality.prefix'],
              operator: 'and',
            },
          },
          {
            match: {
              latinKey: { query: latinKey(query.text), fuzziness: 'AUTO' },
            },
          },
        ],
        minimum_should_match: 1,
      },
    });
  }
  return {
    size: query.limit + 1,
    track_total_hits: false,
    query: { bool: { must, filter } },
    sort: [
      ...(query.text ? [{ _score: 'desc' }] : []),
      { sortName: 'asc' },
      { id: 'asc' },
    ],
    ...(after ? { search_after: after } : {}),
  };
}
