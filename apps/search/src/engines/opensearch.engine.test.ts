import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCursors } from './cursor.js';
import type { ReindexSource } from './engine.js';
import { createOpenSearchEngine } from './opensearch.engine.js';

/** A local HTTP server standing in for OpenSearch: records each request, answers canned responses. */
interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}
type Responder = (
  req: Recorded,
) => { status: number; body: unknown } | undefined;

let server: Server;
let url: string;
let recorded: Recorded[] = [];
let responders: Responder[] = [];

const read = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

function defaults(req: Recorded): { status: number; body: unknown } {
  if (req.method === 'HEAD') return { status: 200, body: '' };
  if (req.path.startsWith('/_alias/'))
    return {
      status: 200,
      body: { [`${req.path.split('/')[2]}-v1`]: { aliases: {} } },
    };
  if (req.path.endsWith('/_bulk') || req.path === '/_bulk') {
    const lines = req.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const items = lines
      .filter((l) => 'index' in l || 'delete' in l)
      .map(() => ({ index: { status: 201 } }));
    return { status: 200, body: { took: 1, errors: false, items } };
  }
  if (req.path.endsWith('/_search'))
    return {
      status: 200,
      body: { took: 1, timed_out: false, hits: { hits: [] } },
    };
  return { status: 200, body: { acknowledged: true } };
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://stub');
    const entry = {
      method: req.method ?? 'GET',
      path: u.pathname,
      query: u.searchParams,
      headers: req.headers,
      body: await read(req),
    };
    recorded.push(entry);
    const answer =
      responders.map((r) => r(entry)).find(Boolean) ?? defaults(entry);
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(
      typeof answer.body === 'string'
        ? answer.body
        : JSON.stringify(answer.body),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  recorded = [];
  responders = [];
});

const cursors = createCursors(randomBytes(32));
const engine = (options: { registrantShards?: number } = {}) =>
  createOpenSearchEngine({
    node: url,
    prefix: 't',
    cursors,
    newVersion: () => '2',
    bulk: { flushBytes: 300, concurrency: 1, retries: 2, waitMs: 10 },
    ...options,
  });
const doc = (i: number, version = 1) => ({
  id: `00000000-0000-4000-8000-00000000000${i}`,
  fullName: `Иван ${i}`,
  birthYear: 1980,
  region: 'RU-MOW',
  version,
  sourceEventAt: '2025-01-01T00:00:00.000Z',
});
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- canned JSON, navigated freely by assertions
type Json = Record<string, any>;
const bodyOf = (r: Recorded | undefined): Json => {
  if (!r) throw new Error('expected request was not made');
  return JSON.parse(r.body) as Json;
};
const ndjson = (r: Recorded) =>
  r.body
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Json);

describe('OpenSearch engine against a stubbed OpenSearch HTTP server', () => {
  it('puts index templates with ICU folding, per-language analyzers and edge n-grams, then creates the first index behind the alias', async () => {
    responders.push((r) =>
      r.method === 'HEAD' ? { status: 404, body: '' } : undefined,
    );
    await engine().init();
    const template = recorded.find(
      (r) =>
        r.method === 'POST' &&
        r.path === '/_index_template/t-registrants-template',
    );
    expect(template).toBeDefined();
    const body = bodyOf(template);
    expect(body['index_patterns']).toEqual(['t-registrants-v*']);
    expect(body['template'].settings.analysis.analyzer.name_folded).toEqual({
      type: 'custom',
      tokenizer: 'icu_tokenizer',
      filter: ['icu_folding'],
    });
    expect(
      body['template'].settings.analysis.filter.name_edge_ngram,
    ).toMatchObject({ type: 'edge_ngram' });
    expect(
      body['template'].mappings.properties.fullName.fields.prefix.analyzer,
    ).toBe('name_prefix');
    const centers = bodyOf(
      recorded.find((r) => r.path === '/_index_template/t-centers-template'),
    );
    expect(
      centers['template'].mappings.properties.names.properties.fr.analyzer,
    ).toBe('french');
    expect(
      centers['template'].mappings.properties.names.properties.hi.analyzer,
    ).toBe('hindi');
    const created = recorded.find(
      (r) => r.method === 'PUT' && r.path === '/t-registrants-v1',
    );
    expect(bodyOf(created)).toEqual({ aliases: { 't-registrants': {} } });
  });

  it('puts the registrant template with the configured primary shard count, 1 by default; centers keep 1 shard', async () => {
    const settingsOf = (path: string) =>
      bodyOf(recorded.find((r) => r.method === 'POST' && r.path === path))[
        'template'
      ].settings as Json;
    await engine({ registrantShards: 12 }).init();
    expect(settingsOf('/_index_template/t-registrants-template')).toMatchObject(
      {
        number_of_shards: 12,
        number_of_replicas: 1,
      },
    );
    expect(settingsOf('/_index_template/t-centers-template')).toMatchObject({
      number_of_shards: 1,
      number_of_replicas: 1,
    });
    recorded = [];
    await engine().init();
    expect(settingsOf('/_index_template/t-registrants-template')).toMatchObject(
      {
        number_of_shards: 1,
        number_of_replicas: 1,
      },
    );
  });

  it('indexes with the source version as an external version, and reports a stale write as not applied', async () => {
    const e = engine();
    expect(await e.indexRegistrant(doc(1, 3))).toBe(true);
    const put = recorded.find(
      (r) => r.path === `/t-registrants/_doc/${doc(1).id}`,
    );
    expect(put?.method).toBe('PUT');
    expect(Object.fromEntries(put?.query ?? [])).toEqual({
      version: '3',
      version_type: 'external',
    });
    expect(bodyOf(put)).toMatchObject({
      fullName: 'Иван 1',
      latinKey: 'ivan 1',
      latinScript: false,
      version: 3,
    });
    responders.push((r) =>
      r.path.includes('/_doc/')
        ? {
            status: 409,
            body: {
              error: { type: 'version_conflict_engine_exception' },
              status: 409,
            },
          }
        : undefined,
    );
    expect(await e.indexRegistrant(doc(1, 2))).toBe(false);
  });

  it('bulk-indexes NDJSON with external versions in bounded requests, retrying documents refused with 429', async () => {
    let refusedOnce = false;
    responders.push((r) => {
      if (!r.path.endsWith('/_bulk') || refusedOnce) return undefined;
      refusedOnce = true;
      const lines = ndjson(r).filter((l) => 'index' in l);
      return {
        status: 200,
        body: {
          errors: true,
          items: lines.map((_, i) => ({
            index:
              i === 0
                ? {
                    status: 429,
                    error: { type: 'es_rejected_execution_exception' },
                  }
                : { status: 201 },
          })),
        },
      };
    });
    await engine().bulkIndexRegistrants([doc(1), doc(2, 5), doc(3)]);
    const bulks = recorded.filter((r) => r.path.endsWith('/_bulk'));
    // flushBytes 300 splits three documents over several requests; the refused one is sent again.
    expect(bulks.length).toBeGreaterThanOrEqual(3);
    const actions = bulks
      .flatMap(ndjson)
      .filter((l) => 'index' in l)
      .map((l) => l['index']);
    expect(actions).toContainEqual({
      _index: 't-registrants',
      _id: doc(2).id,
      version: 5,
      version_type: 'external',
    });
    expect(actions.filter((a) => a._id === doc(1).id)).toHaveLength(2);
  });

  it('fails a bulk when a document is dropped for another reason than a version conflict', async () => {
    responders.push((r) =>
      r.path.endsWith('/_bulk')
        ? {
            status: 200,
            body: {
              errors: true,
              items: [
                {
                  index: {
                    status: 400,
                    error: { type: 'mapper_parsing_exception' },
                  },
                },
              ],
            },
          }
        : undefined,
    );
    await expect(engine().bulkIndexRegistrants([doc(1)])).rejects.toThrow(
      /dropped 1/,
    );
  });

  it('reindexes into a new index, swaps the alias atomically, then deletes the old index', async () => {
    const source: ReindexSource = {
      async *registrants() {
        yield [doc(1), doc(2)];
      },
      async *centers() {
        yield* [];
      },
    };
    await engine({ registrantShards: 12 }).reindex(source);
    const paths = recorded.map((r) => `${r.method} ${r.path}`);
    const created = paths.indexOf('PUT /t-registrants-v2');
    // The new version takes its shard count from the template put just before: the
    // create itself names none, so it cannot override the configured 12.
    const template = paths.indexOf(
      'POST /_index_template/t-registrants-template',
    );
    expect(template).toBeGreaterThan(-1);
    expect(template).toBeLessThan(created);
    expect(
      bodyOf(recorded[template])['template'].settings.number_of_shards,
    ).toBe(12);
    expect(bodyOf(recorded[created])).toEqual({
      settings: { refresh_interval: '-1', number_of_replicas: 0 },
    });
    const swapped = paths.indexOf('POST /_aliases');
    const deleted = paths.indexOf('DELETE /t-registrants-v1');
    expect(created).toBeGreaterThan(-1);
    expect(swapped).toBeGreaterThan(created);
    expect(deleted).toBeGreaterThan(swapped);
    const copy = recorded
      .slice(created, swapped)
      .filter((r) => r.path.endsWith('/_bulk'))
      .flatMap(ndjson);
    expect(
      copy.filter((l) => 'index' in l).map((l) => l['index']._index),
    ).toEqual(['t-registrants-v2', 't-registrants-v2']);
    expect(bodyOf(recorded[swapped])).toEqual({
      actions: [
        { remove: { index: 't-registrants-v1', alias: 't-registrants' } },
        { add: { index: 't-registrants-v2', alias: 't-registrants' } },
      ],
    });
  });

  it('searches with exact, prefix and fuzzy clauses, filters, and search_after from the cursor', async () => {
    const hit = (i: number) => ({
      _source: {
        ...doc(i),
        latinKey: '',
        skeletonKey: '',
        latinScript: false,
        sortName: '',
        phoneSuffix: null,
      },
      sort: [1.5, `name ${i}`, doc(i).id],
    });
    responders.push((r) =>
      r.path.endsWith('/_search')
        ? { status: 200, body: { hits: { hits: [hit(1), hit(2)] } } }
        : undefined,
    );
    const e = engine();
    const first = await e.searchRegistrants({
      text: 'Ivan',
      region: 'RU-MOW',
      birthYear: 1980,
      sort: 'relevance',
      limit: 1,
    });
    expect(first.items.map((d) => d.id)).toEqual([doc(1).id]);
    expect(first.nextCursor).not.toBeNull();
    const query = bodyOf(
      recorded.find((r) => r.path === '/t-registrants/_search'),
    );
    expect(query['size']).toBe(2);
    expect(query['sort']).toEqual([
      { _score: 'desc' },
      { sortName: 'asc' },
      { id: 'asc' },
    ]);
    expect(query['query'].bool.filter).toEqual([
      { term: { region: 'RU-MOW' } },
      { term: { birthYear: 1980 } },
    ]);
    const should = query['query'].bool.must[0].bool.should;
    expect(should).toContainEqual({
      term: { 'fullName.exact': { value: 'Ivan', boost: 100 } },
    });
    expect(should).toContainEqual({
      match: {
        'fullName.prefix': { query: 'Ivan', operator: 'and', boost: 10 },
      },
    });
    expect(should).toContainEqual({
      match: {
        fullName: {
          query: 'Ivan',
          fuzziness: 'AUTO',
          operator: 'and',
          boost: 2,
        },
      },
    });
    recorded = [];
    await e.searchRegistrants({
      text: 'Ivan',
      region: 'RU-MOW',
      birthYear: 1980,
      sort: 'relevance',
      limit: 1,
      cursor: first.nextCursor ?? undefined,
    });
    expect(
      bodyOf(recorded.find((r) => r.path === '/t-registrants/_search'))[
        'search_after'
      ],
    ).toEqual([1.5, 'name 1', doc(1).id]);
  });
});

// Keys made for this run: the signer needs a key pair, not an account (AWS cannot be reached here).
const testKeys = () => ({
  accessKeyId: `TEST${randomBytes(8).toString('hex').toUpperCase()}`,
  secretAccessKey: randomBytes(30).toString('base64'),
});
const TEST_KEYS = testKeys();
const TEST_ROTATED_KEYS = { ...testKeys(), sessionToken: 'test-session-token' };
const sha256 = (data: string) =>
  createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string) =>
  createHmac('sha256', key).update(data, 'utf8').digest();
const rfc3986 = (value: string) =>
  encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
const authorization =
  /^AWS4-HMAC-SHA256 Credential=(\w+)\/(\d{8})\/([a-z0-9-]+)\/es\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

/**
 * Checks a request as received the way the service does, written from the SigV4
 * specification (not with the signer under test): the scope, the signed headers, the
 * payload hash against the bytes that arrived, and the signature recomputed with the key.
 */
function expectSignedWith(
  r: Recorded,
  keys: { accessKeyId: string; secretAccessKey: string },
  region: string,
) {
  const label = `${r.method} ${r.path}`;
  const match = authorization.exec(String(r.headers.authorization));
  expect(match, `${label}: ${r.headers.authorization}`).not.toBeNull();
  const [, keyId, date, scopeRegion, signedHeaders, signature] = match ?? [];
  const amzDate = String(r.headers['x-amz-date']);
  expect(amzDate, label).toMatch(/^\d{8}T\d{6}Z$/);
  expect({ keyId, date, scopeRegion }, label).toEqual({
    keyId: keys.accessKeyId,
    date: amzDate.slice(0, 8),
    scopeRegion: region,
  });
  const signed = signedHeaders?.split(';') ?? [];
  expect(signed, label).toEqual(
    expect.arrayContaining(['host', 'x-amz-date', 'x-amz-content-sha256']),
  );
  expect(r.headers['x-amz-content-sha256'], label).toBe(sha256(r.body));
  const canonicalRequest = [
    r.method,
    r.path,
    [...r.query]
      .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
      .sort()
      .join('&'),
    signed
      .map((h) => `${h}:${String(r.headers[h]).trim().replace(/\s+/g, ' ')}\n`)
      .join(''),
    signedHeaders,
    sha256(r.body),
  ].join('\n');
  const scope = `${date}/${region}/es/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    sha256(canonicalRequest),
  ].join('\n');
  let key = hmac(`AWS4${keys.secretAccessKey}`, date ?? '');
  for (const part of [region, 'es', 'aws4_request']) key = hmac(key, part);
  expect(signature, label).toBe(
    createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex'),
  );
}

/** One of each kind of request the engine makes in service: setup, writes, bulk, search, delete. */
async function exercise(e: ReturnType<typeof createOpenSearchEngine>) {
  responders.push((r) =>
    r.method === 'HEAD' ? { status: 404, body: '' } : undefined,
  );
  await e.init();
  await e.indexRegistrant(doc(1, 3));
  await e.bulkIndexRegistrants([doc(2), doc(3)]);
  await e.searchRegistrants({
    text: 'Ivan',
    region: 'RU-MOW',
    sort: 'relevance',
    limit: 5,
  });
  await e.deleteRegistrant(doc(1).id, 4);
  const kinds = new Set(recorded.map((r) => r.method));
  expect([...kinds].sort()).toEqual(['DELETE', 'HEAD', 'POST', 'PUT']);
}

describe('OpenSearch engine authentication (AWS SigV4 signing checked against a local server; the OpenSearch domain itself cannot be reached here)', () => {
  const signingEngine = (
    getCredentials: () => Promise<{
      accessKeyId: string;
      secretAccessKey: string;
    }>,
  ) =>
    createOpenSearchEngine({
      node: url,
      prefix: 't',
      cursors,
      awsSigv4: { region: 'eu-central-1', getCredentials },
    });

  it('with aws-sigv4, signs every request for service es in the region with the injected credentials (keys made for the test)', async () => {
    let asked = 0;
    await exercise(
      signingEngine(() => {
        asked += 1;
        return Promise.resolve(TEST_KEYS);
      }),
    );
    expect(asked).toBeGreaterThan(0);
    expect(recorded.length).toBeGreaterThanOrEqual(7);
    for (const r of recorded)
      expectSignedWith(r, TEST_KEYS, 'eu-central-1');
  });

  it('signs with credentials fetched again as they near expiry (the task role rotates them), with their session token', async () => {
    const expiring = {
      ...TEST_KEYS,
      // Inside the 30 s request timeout the signer keeps as a margin: fetched again next time.
      expiration: new Date(Date.now() + 5_000),
    };
    const answers = [expiring, TEST_ROTATED_KEYS];
    const e = signingEngine(() =>
      Promise.resolve(answers.shift() ?? TEST_ROTATED_KEYS),
    );
    await e.indexRegistrant(doc(1));
    const [first, ...later] = recorded;
    expect(first).toBeDefined();
    expect(later.length).toBeGreaterThan(0);
    expectSignedWith(first!, TEST_KEYS, 'eu-central-1');
    expect(first!.headers['x-amz-security-token']).toBeUndefined();
    for (const r of later) {
      expectSignedWith(r, TEST_ROTATED_KEYS, 'eu-central-1');
      expect(r.headers['x-amz-security-token']).toBe(TEST_ROTATED_KEYS.sessionToken);
    }
  });

  it('with none, sends no Authorization or SigV4 header at all', async () => {
    await exercise(engine());
    expect(recorded.length).toBeGreaterThanOrEqual(7);
    for (const r of recorded) {
      expect(r.headers.authorization, `${r.method} ${r.path}`).toBeUndefined();
      expect(r.headers['x-amz-date'], `${r.method} ${r.path}`).toBeUndefined();
      expect(
        r.headers['x-amz-content-sha256'],
        `${r.method} ${r.path}`,
      ).toBeUndefined();
    }
  });

  it('fails the request, unsent, when the credentials cannot be had', async () => {
    const e = signingEngine(() =>
      Promise.reject(new Error('no credentials in this environment')),
    );
    await expect(e.indexRegistrant(doc(1))).rejects.toThrow(
      /no credentials in this environment/,
    );
    expect(recorded.filter((r) => r.path.includes('/_doc/'))).toHaveLength(0);
  });
});
