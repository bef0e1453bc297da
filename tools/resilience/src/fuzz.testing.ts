/**
 * The fuzz suite's machinery: every operation of a service's published OpenAPI document,
 * fast-check arbitraries built from its JSON Schemas (valid-looking values, so requests
 * reach the handlers, and hostile ones), the transport cases no schema describes (broken
 * bodies and encodings, broken percent-escapes, wrong content types, oversize bodies),
 * and a sender that tells a 5xx, a hang and a dropped connection apart.
 *
 * Requests start from a baseline that would succeed: the security matrix's request for
 * the route where it has one (real ids, a valid body), else one generated from the
 * schemas with the world's real ids. A generated case changes up to three of its slots
 * (a path or query parameter, a body field at any depth, the access-reason header): a
 * value from the slot's schema, a hostile value, a boundary value of its kind (dates
 * PostgreSQL cannot store, ids of another kind, out-of-range numbers, junk cursors), or
 * nothing at all.
 */
import { QUEUES, REGISTRATION_EVENT_ROUTES, type EventEnvelope, type QueueName } from '@jab/contracts';
import { eventJobId } from '@jab/db';
import { createLogger } from '@jab/logger';
import { createQueue, createRedis, type JabQueue } from '@jab/queue';
import { redisUrl } from '@jab/testing';
import fc from 'fast-check';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { Built } from './matrix.testing.js';
import type { Platform } from './platform.testing.js';
import type { RouteKey } from './routes.testing.js';
import type { ServiceName } from './services.testing.js';

/** The subset of JSON Schema (draft 2020-12, as zod-openapi writes it) the generators read. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

interface OpenApiParameter {
  in: string;
  name: string;
  required?: boolean;
  schema?: JsonSchema;
}

interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface Param {
  name: string;
  required: boolean;
  schema: JsonSchema;
}

/** One documented operation: `POST /api/registration/v1/registrants/{id}/...`. */
export interface Operation {
  key: RouteKey;
  method: string;
  /** Full path from the service root, parameters as `{name}`. */
  template: string;
  path: Param[];
  query: Param[];
  body?: JsonSchema;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** The operations of `doc`, with `$ref`s to its components resolved. */
export function operationsOf(doc: OpenApiDocument, service: string): Operation[] {
  const resolve = (s: JsonSchema | undefined, depth = 0): JsonSchema | undefined => {
    if (!s || depth > 8) return s;
    if (s.$ref) return resolve(doc.components?.schemas?.[s.$ref.replace('#/components/schemas/', '')], depth + 1);
    const out: JsonSchema = { ...s };
    if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, resolve(v, depth + 1) ?? {}]));
    if (s.items) out.items = resolve(s.items, depth + 1);
    if (typeof s.additionalProperties === 'object') out.additionalProperties = resolve(s.additionalProperties, depth + 1);
    for (const k of ['anyOf', 'oneOf', 'allOf'] as const) if (s[k]) out[k] = s[k].map((a) => resolve(a, depth + 1) ?? {});
    return out;
  };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    METHODS.filter((m) => ops[m]).map((m) => {
      const op = ops[m];
      const params = (where: string) =>
        (op.parameters ?? []).filter((p) => p.in === where).map((p) => ({ name: p.name, required: p.required === true, schema: resolve(p.schema) ?? {} }));
      const template = `/api/${service}/v1${path}`;
      return {
        key: `${m.toUpperCase()} ${template}`,
        method: m.toUpperCase(),
        template,
        path: params('path'),
        query: params('query'),
        body: resolve(op.requestBody?.content?.['application/json']?.schema),
      };
    }),
  );
}

// ---------------------------------------------------------------------------------------
// Values

/** Dates at the edges of what a calendar, JavaScript and PostgreSQL agree on. */
export const BOUNDARY_DATES = ['0000-01-01', '0001-01-01', '1899-12-31', '1900-01-01', '1970-01-01', '2000-02-29', '2999-12-31', '9999-12-31'];
export const BOUNDARY_DATETIMES = [
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00.000Z',
  '1900-01-01T00:00:00+14:00',
  '1970-01-01T00:00:00.000000001Z',
  '2038-01-19T03:14:08Z',
  '9999-12-31T23:59:59.999Z',
  '9999-12-31T23:59:59-23:59',
];
/** Strings that broke something somewhere once: lengths, encodings, control characters, injections. */
export const EXTREME_STRINGS = [
  '',
  ' ',
  '\u0000',
  'nul\u0000byte',
  'x'.repeat(10_000),
  '𝕏🦠👩‍👩‍👧‍👦'.repeat(40),
  '\u202eevil\u202c',
  '\ud800',
  '\udfff\ud800',
  'e\u0301\u0301\u0301',
  '١٢٣٤',
  '\r\n\r\nX-Injected: 1',
  '%00',
  '%',
  '../../../etc/passwd',
  "' OR '1'='1",
  '"; DROP TABLE registrants; --',
  '${7*7}{{7*7}}',
  '<script>alert(1)</script>',
  'NaN',
  '-0',
  '1e309',
  'null',
  '__proto__',
];
/** Values of the wrong JSON type for any field (own `__proto__` keys through JSON.parse). */
export const WRONG_TYPES: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  2 ** 53 + 1,
  [],
  [null],
  {},
  { $gt: '' },
  JSON.parse('{"__proto__": {"isAdmin": true}}'),
  JSON.parse('{"constructor": {"prototype": {"isAdmin": true}}}'),
  [[[[[[[[]]]]]]]],
];
/** Ids that are not a uuid, or a uuid no record has. */
export const NOT_IDS = [
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
  '{6ba7b810-9dad-41d1-80b4-00c04fd430c8}',
  '1',
  '-1',
  '01ARZ3NDEKTSV4RRFFQ69G5FAV',
  'me',
];
/** Paging cursors nobody issued. */
export const JUNK_CURSORS = [
  'x',
  '====',
  '%',
  Buffer.from('{}').toString('base64url'),
  Buffer.from('[]').toString('base64url'),
  Buffer.from('null').toString('base64url'),
  Buffer.from('{"f":"x","p":[1]}').toString('base64url'),
  Buffer.from('{"offset":-1,"after":"\' OR 1=1 --"}').toString('base64url'),
  Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc0]).toString('base64url'),
  'A'.repeat(500),
  'A'.repeat(501),
];

export interface Hints {
  /** Every real id of the world, of every kind. */
  ids: string[];
  /** Values that mean something for a field or parameter of this name: the right kind of id (`centerId`), real time zones, the fixtures' regions. */
  known: Record<string, string[]>;
}

const alternatives = (s: JsonSchema) => s.anyOf ?? s.oneOf;
const withoutAlternatives = (s: JsonSchema): JsonSchema => {
  const { anyOf: _a, oneOf: _o, ...rest } = s;
  return rest;
};

function stringArb(s: JsonSchema, h: Hints, name?: string): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = s.maxLength ?? min + 40;
  const known = name ? h.known[name] : undefined;
  if (s.format === 'uuid') {
    return fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...(known ?? h.ids)) },
      { weight: 1, arbitrary: fc.constantFrom(...h.ids) },
      { weight: 1, arbitrary: fc.uuid({ version: [4, 7] }) },
    );
  }
  if (known) return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: stringArb(s, h) });
  if (s.format === 'date') {
    const day = fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 11, 31) }).map((t) => new Date(t).toISOString().slice(0, 10));
    return fc.oneof({ weight: 3, arbitrary: day }, { weight: 1, arbitrary: fc.constantFrom(...BOUNDARY_DATES) });
  }
  if (s.format === 'date-time') {
    const instant = fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 11, 31) }).map((t) => new Date(t).toISOString());
    return fc.oneof({ weight: 3, arbitrary: instant }, { weight: 1, arbitrary: fc.constantFrom(...BOUNDARY_DATETIMES) });
  }
  if (s.pattern) {
    try {
      const fits = (v: string) => v.length >= min && v.length <= max;
      return fc.stringMatching(new RegExp(s.pattern)).filter(fits);
    } catch {
      // A pattern fast-check cannot generate from (lookarounds): plain strings below.
    }
  }
  const length = { minLength: min, maxLength: Math.min(max, min + 40) };
  return fc.oneof(fc.string({ ...length, unit: 'grapheme-ascii' }), fc.string({ ...length, unit: 'grapheme' }));
}

function numberArb(s: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const step = integer ? 1 : Number.EPSILON;
  const min = s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + step : (s.minimum ?? -1e6);
  const max = s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - step : (s.maximum ?? 1e6);
  const edges = fc.constantFrom(min, max);
  if (integer) return fc.oneof({ weight: 3, arbitrary: fc.integer({ min: Math.ceil(min), max: Math.floor(max) }) }, { weight: 1, arbitrary: edges });
  return fc.oneof({ weight: 3, arbitrary: fc.double({ min, max, noNaN: true, noDefaultInfinity: true }) }, { weight: 1, arbitrary: edges });
}

/** Values the schema accepts (as far as JSON Schema says: refinements in zod may still refuse them). */
export function validArb(s: JsonSchema | undefined, h: Hints, name?: string, depth = 0): fc.Arbitrary<unknown> {
  if (!s || depth > 5) return fc.jsonValue({ maxDepth: 1 });
  if ('const' in s) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alts = alternatives(s);
  if (alts) return fc.oneof(...alts.map((a) => validArb({ ...withoutAlternatives(s), ...a }, h, name, depth + 1)));
  if (s.allOf) return validArb(Object.assign({}, ...s.allOf) as JsonSchema, h, name, depth + 1);
  const type = Array.isArray(s.type) ? s.type : [s.type];
  if (type.length > 1) return fc.oneof(...type.map((t) => validArb({ ...s, type: t }, h, name, depth + 1)));
  switch (type[0]) {
    case 'string':
      return stringArb(s, h, name);
    case 'integer':
      return numberArb(s, true);
    case 'number':
      return numberArb(s, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = s.minItems ?? 0;
      return fc.array(validArb(s.items, h, name, depth + 1), { minLength, maxLength: Math.min(s.maxItems ?? minLength + 3, minLength + 3) });
    }
    case 'object':
    case undefined: {
      if (!s.properties && !s.propertyNames && typeof s.additionalProperties !== 'object' && type[0] === undefined) return fc.jsonValue({ maxDepth: 1 });
      const props = s.properties ?? {};
      const record = fc.record(
        Object.fromEntries(Object.entries(props).map(([k, v]) => [k, validArb(v, h, k, depth + 1)])),
        { requiredKeys: (s.required ?? []).filter((k) => k in props) },
      );
      if (!s.propertyNames && typeof s.additionalProperties !== 'object') return record;
      const keys = validArb(s.propertyNames ?? { type: 'string', minLength: 1, maxLength: 10 }, h, undefined, depth + 1).map(String);
      const values = validArb(typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined, h, undefined, depth + 1);
      return fc.tuple(record, fc.dictionary(keys, values, { minKeys: 1, maxKeys: 3 })).map(([r, d]) => ({ ...d, ...r }));
    }
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

/** Anything a careless or malicious client might put in any field. */
export function hostileArb(h: Hints): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...EXTREME_STRINGS) },
    { weight: 3, arbitrary: fc.constantFrom(...WRONG_TYPES) },
    { weight: 1, arbitrary: fc.constantFrom(...BOUNDARY_DATES, ...BOUNDARY_DATETIMES) },
    { weight: 1, arbitrary: fc.constantFrom(...h.ids, ...NOT_IDS) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double()) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );
}

/**
 * Values just past what a slot of this schema and name accepts, or at its edges:
 * boundary dates, ids of another kind, out-of-range numbers, over-long strings, junk cursors.
 */
export function boundaryValues(s: JsonSchema | undefined, h: Hints, name?: string): unknown[] {
  if (name === 'cursor') return JUNK_CURSORS;
  if (!s) return [];
  const alts = alternatives(s);
  if (alts) return alts.flatMap((a) => boundaryValues({ ...withoutAlternatives(s), ...a }, h, name));
  if (s.format === 'date') return BOUNDARY_DATES;
  if (s.format === 'date-time') return BOUNDARY_DATETIMES;
  if (s.format === 'uuid') {
    const right = (name && h.known[name]) || [];
    return [...h.ids.filter((id) => !right.includes(id)), ...NOT_IDS];
  }
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if (type === 'integer' || type === 'number') {
    const min = s.minimum ?? s.exclusiveMinimum;
    const max = s.maximum ?? s.exclusiveMaximum;
    return [...(min === undefined ? [] : [min - 1, min - 0.5]), ...(max === undefined ? [] : [max + 1, max + 0.5]), 2 ** 31, -(2 ** 63), 1e308, '1', 'NaN'];
  }
  // A NUL (PostgreSQL's text refuses it), a lone surrogate, one character too many.
  if (type === 'string') return ['nul\u0000byte', '\ud800', s.maxLength === undefined ? 'y'.repeat(100_000) : 'y'.repeat(s.maxLength + 1)];
  if (type === 'array') return [[], Array.from({ length: (s.maxItems ?? 1000) + 1 }, () => null)];
  return [];
}

// ---------------------------------------------------------------------------------------
// Requests

/** A request with every part in the form mutations work on. */
export interface Shape {
  method: string;
  /** Path parameters as raw (already percent-encoded) segments. */
  params: Record<string, string>;
  query: [string, string][];
  /** A JSON value, sent as JSON. */
  body?: unknown;
  headers: Record<string, string>;
}

/** What goes on the wire. */
export interface Wire {
  method: string;
  /** From the service root, query string included, sent as is. */
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array;
}

/** `encodeURIComponent`, and for strings it refuses (lone surrogates) their UTF-8 bytes (U+FFFD) encoded. */
export function encodeComponent(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return [...Buffer.from(value, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
}

const asText = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

/** A baseline shape from a matrix request: its path split back into the template's parameters. */
export function shapeOf(op: Operation, built: Built): Shape {
  const url = new URL(built.req.path, 'http://fuzz.invalid');
  const tpl = op.template.split('/');
  const got = built.req.path.split('?')[0].split('/');
  const params: Record<string, string> = {};
  tpl.forEach((seg, i) => {
    const m = /^\{(.+)\}$/.exec(seg);
    if (m) params[m[1]] = got[i] ?? '';
  });
  let body = built.req.body;
  if (body === undefined && built.req.rawBody !== undefined) {
    try {
      body = JSON.parse(built.req.rawBody);
    } catch {
      body = built.req.rawBody;
    }
  }
  return { method: built.req.method, params, query: [...url.searchParams.entries()], body, headers: { ...built.req.headers } };
}

/** A baseline shape from the schemas alone, for an operation the matrix does not know (yet). */
export function generatedShape(op: Operation, h: Hints, seed: number): Shape {
  const sample = <T>(arb: fc.Arbitrary<T>) => fc.sample(arb, { seed, numRuns: 1 })[0];
  const params = Object.fromEntries(op.path.map((p) => [p.name, encodeComponent(asText(h.known[p.name]?.[0] ?? sample(validArb(p.schema, h, p.name))))]));
  const query = op.query.filter((q) => q.required).map((q): [string, string] => [q.name, asText(sample(validArb(q.schema, h, q.name)))]);
  return { method: op.method, params, query, body: op.body ? sample(validArb(op.body, h)) : undefined, headers: {} };
}

export function render(op: Operation, shape: Shape): Wire {
  const path = op.template.replace(/\{([^}]+)\}/g, (_m, name: string) => shape.params[name] ?? '');
  const qs = shape.query.map(([k, v]) => `${encodeComponent(k)}=${encodeComponent(v)}`);
  const headers = { ...shape.headers };
  let body: Uint8Array | undefined;
  if (shape.body !== undefined && shape.method !== 'GET') {
    body = Buffer.from(typeof shape.body === 'string' && headers['content-type'] ? shape.body : JSON.stringify(shape.body));
    headers['content-type'] ??= 'application/json';
  }
  return { method: shape.method, path: qs.length ? `${path}?${qs.join('&')}` : path, headers, body };
}

/** Where a mutation lands. */
export type Slot =
  | { where: 'path'; name: string; schema?: JsonSchema }
  | { where: 'query'; name: string; schema?: JsonSchema }
  | { where: 'body'; path: string[]; schema?: JsonSchema }
  | { where: 'header'; name: string; schema?: JsonSchema };

/** The name a slot's value goes by (a body field's last key): what `Hints.known` and cursors are matched on. */
const leafName = (s: Slot) => (s.where === 'body' ? s.path.at(-1) : s.name);

export const slotName = (s: Slot) => (s.where === 'body' ? `body.${s.path.join('.') || '(whole)'}` : `${s.where}.${s.name}`);

/** The property schemas of an object schema, its alternatives' merged. */
function propertiesOf(s: JsonSchema | undefined): Record<string, JsonSchema> {
  if (!s) return {};
  const alts = alternatives(s) ?? [];
  return Object.assign({}, ...alts.map(propertiesOf), s.properties ?? {}) as Record<string, JsonSchema>;
}

/** Every place of a request a mutation can reach, with its schema where one is known. */
export function slotsOf(op: Operation, baseline: Shape): Slot[] {
  const slots: Slot[] = [
    ...op.path.map((p): Slot => ({ where: 'path', name: p.name, schema: p.schema })),
    ...op.query.map((q): Slot => ({ where: 'query', name: q.name, schema: q.schema })),
    ...baseline.query.filter(([k]) => !op.query.some((q) => q.name === k)).map(([k]): Slot => ({ where: 'query', name: k })),
    { where: 'query', name: 'unexpected' },
    // The headers the services read besides the token (neither is in the OpenAPI documents).
    { where: 'header', name: 'x-access-reason', schema: { type: 'string', minLength: 3, maxLength: 200 } },
    { where: 'header', name: 'idempotency-key', schema: { type: 'string', pattern: '^[\\x21-\\x7e]{8,40}$' } },
  ];
  if (op.body || baseline.body !== undefined) {
    const seen = new Set<string>();
    const walk = (schema: JsonSchema | undefined, value: unknown, path: string[]) => {
      const key = path.join('.');
      if (seen.has(key) || path.length > 4) return;
      seen.add(key);
      slots.push({ where: 'body', path, schema });
      const props = propertiesOf(schema);
      const own = value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
      for (const k of new Set([...Object.keys(props), ...own])) walk(props[k], (value as Record<string, unknown> | undefined)?.[k], [...path, k]);
      if (Array.isArray(value) && value.length > 0) walk(schema?.items, value[0], [...path, '0']);
    };
    walk(op.body, baseline.body, []);
    slots.push({ where: 'body', path: ['unexpected'] });
  }
  return slots;
}

export type MutationKind = 'schema' | 'hostile' | 'boundary' | 'drop';
export interface Mutation {
  slot: Slot;
  kind: MutationKind;
  value?: unknown;
}

const DROP = Symbol('drop');

function setAt(value: unknown, path: string[], leaf: unknown): unknown {
  if (path.length === 0) return leaf === DROP ? undefined : leaf;
  const copy = (Array.isArray(value) ? [...value] : value && typeof value === 'object' ? { ...value } : {}) as Record<string, unknown>;
  const [head, ...rest] = path;
  const next = setAt(copy[head], rest, leaf);
  if (rest.length === 0 && leaf === DROP) delete copy[head];
  else copy[head] = next;
  return copy;
}

const headerSafe = (v: string) => v.replace(/[^\t\x20-\x7e\x80-\xff]/g, '');

export function mutate(shape: Shape, mutations: Mutation[]): Shape {
  const out: Shape = { ...shape, params: { ...shape.params }, query: [...shape.query], headers: { ...shape.headers } };
  for (const { slot, kind, value } of mutations) {
    const drop = kind === 'drop';
    if (slot.where === 'path') out.params[slot.name] = drop ? '' : encodeComponent(asText(value));
    else if (slot.where === 'query') {
      out.query = out.query.filter(([k]) => k !== slot.name);
      if (!drop) for (const v of Array.isArray(value) && value.length > 0 ? value : [value]) out.query.push([slot.name, asText(v)]);
    } else if (slot.where === 'header') {
      if (drop) delete out.headers[slot.name];
      else out.headers[slot.name] = headerSafe(asText(value)).slice(0, 4000);
    } else out.body = setAt(out.body, slot.path, drop ? DROP : value);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Cases

export interface FuzzCase<R extends string> {
  /** What the case tries, for the report. */
  what: string;
  role: R;
  wire: Wire;
}

/** Generated cases: the baseline with up to three slots changed, as a role drawn with a bias to `allowed`. */
export function generatedArb<R extends string>(op: Operation, baseline: Shape, h: Hints, roles: readonly R[], allowed: R): fc.Arbitrary<FuzzCase<R>> {
  const slots = slotsOf(op, baseline);
  const hostile = hostileArb(h);
  const mutation = fc.constantFrom(...slots).chain((slot): fc.Arbitrary<Mutation> => {
    const edges = boundaryValues(slot.schema, h, leafName(slot));
    return fc.oneof(
      { weight: 3, arbitrary: validArb(slot.schema, h, leafName(slot)).map((value) => ({ slot, kind: 'schema' as const, value })) },
      { weight: 2, arbitrary: hostile.map((value) => ({ slot, kind: 'hostile' as const, value })) },
      ...(edges.length ? [{ weight: 2, arbitrary: fc.constantFrom(...edges).map((value) => ({ slot, kind: 'boundary' as const, value })) }] : []),
      { weight: 1, arbitrary: fc.constant({ slot, kind: 'drop' as const }) },
    );
  });
  const role = fc.oneof({ weight: 2, arbitrary: fc.constant(allowed) }, { weight: 1, arbitrary: fc.constantFrom(...roles) });
  return fc.record({ role, mutations: fc.array(mutation, { minLength: 0, maxLength: 3 }) }).map(({ role: r, mutations }) => ({
    what: mutations.length ? mutations.map((m) => `${slotName(m.slot)} ${m.kind}`).join(', ') : 'the baseline',
    role: r,
    wire: render(op, mutate(baseline, mutations)),
  }));
}

/** Every boundary value of every slot, once: boundary dates and wrong-kind ids must reach the handler every run. */
export function boundaryCases<R extends string>(op: Operation, baseline: Shape, h: Hints, allowed: R): FuzzCase<R>[] {
  return slotsOf(op, baseline).flatMap((slot) => {
    const name = leafName(slot);
    const schema = slot.schema;
    const dated = schema?.format === 'date' || schema?.format === 'date-time' || name === 'cursor';
    const values = boundaryValues(schema, h, name);
    // Every date and cursor; for ids and numbers a few of each (the rest come up in generated cases).
    return (dated ? values : values.slice(0, 3)).map((value) => ({
      what: `${slotName(slot)} = ${JSON.stringify(value)?.slice(0, 60)}`,
      role: allowed,
      wire: render(op, mutate(baseline, [{ slot, kind: 'boundary', value }])),
    }));
  });
}

/**
 * The baseline three times at once, then three times at once under one idempotency key:
 * two requests racing for the same unique row must not end in a 5xx.
 */
export function raceCases<R extends string>(op: Operation, baseline: Shape, allowed: R, key: string): FuzzCase<R>[] {
  const plain = render(op, baseline);
  const keyed = render(op, { ...baseline, headers: { ...baseline.headers, 'idempotency-key': key } });
  return [
    ...[1, 2, 3].map((n) => ({ what: `the baseline three times at once (${n})`, role: allowed, wire: plain })),
    ...[1, 2, 3].map((n) => ({ what: `the baseline three times at once under one idempotency key (${n})`, role: allowed, wire: keyed })),
  ];
}

/** Forged variants of a real cursor: base64url JSON with each leaf of another type, arrays longer or empty. */
export function forgedCursors(cursor: string): string[] {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return [`${cursor}x`, cursor.slice(1), cursor.split('').reverse().join('')];
  }
  const variants: unknown[] = [];
  const walk = (value: unknown, path: string[]) => {
    for (const leaf of [null, 'x', -1, 1e308, 'y'.repeat(300), {}, [[1]], true, '1970-01-01T00:00:00Z', "' OR 1=1 --"]) variants.push(setAt(decoded, path, leaf));
    if (Array.isArray(value)) {
      variants.push(setAt(decoded, path, []), setAt(decoded, path, [...value, ...value, ...value]), setAt(decoded, path, value.slice(0, 1)));
      value.forEach((v, i) => walk(v, [...path, String(i)]));
    } else if (value && typeof value === 'object') Object.entries(value).forEach(([k, v]) => walk(v, [...path, k]));
  };
  walk(decoded, []);
  return variants.map((v) => Buffer.from(JSON.stringify(v) ?? 'null').toString('base64url'));
}

const GZIP_BOMB = gzipSync(Buffer.alloc(16 * 1024 * 1024, 0x20));
const BROKEN_ESCAPES = ['%', '%%', '%zz', '%E0%A4%A', '%C0%AF', '%FF%FE', '%00', '%ED%A0%80', '..%2F..%2F', '%u0041'];

/**
 * The transport cases every route gets, the same every run: request bodies the JSON
 * parser must refuse (invalid or truncated gzip/deflate/br, unknown encodings, a gzip
 * bomb, wrong content types and charsets, invalid UTF-8, oversize bodies), broken
 * percent-escapes in each path segment and in the query, an oversize query, other methods.
 * Roles rotate over `roles`.
 */
export function transportCases<R extends string>(op: Operation, baseline: Shape, roles: readonly R[]): FuzzCase<R>[] {
  const cases: Omit<FuzzCase<R>, 'role'>[] = [];
  const wire = render(op, baseline);
  // The JSON parser runs before routing: routes without a body get the payload on POST.
  const method = ['POST', 'PUT', 'PATCH'].includes(op.method) ? op.method : 'POST';
  const json = Buffer.from(JSON.stringify(baseline.body ?? {}));
  const { 'content-type': _type, ...headers } = wire.headers;
  const withBody = (what: string, body: Uint8Array, extra: Record<string, string>) =>
    cases.push({ what, wire: { method, path: wire.path, headers: { ...headers, ...extra }, body } });
  const ct = { 'content-type': 'application/json' };

  const junk = Buffer.from('this is not compressed at all');
  withBody('invalid gzip body', junk, { ...ct, 'content-encoding': 'gzip' });
  withBody('invalid deflate body', junk, { ...ct, 'content-encoding': 'deflate' });
  withBody('invalid br body', junk, { ...ct, 'content-encoding': 'br' });
  withBody('truncated gzip body', gzipSync(json).subarray(0, -6), { ...ct, 'content-encoding': 'gzip' });
  withBody('gzip body', gzipSync(json), { ...ct, 'content-encoding': 'gzip' });
  withBody('deflate body', deflateSync(json), { ...ct, 'content-encoding': 'deflate' });
  withBody('br body', brotliCompressSync(json), { ...ct, 'content-encoding': 'br' });
  withBody('gzip twice, declared once', gzipSync(gzipSync(json)), { ...ct, 'content-encoding': 'gzip' });
  withBody('gzip, br declared on a gzip body', gzipSync(json), { ...ct, 'content-encoding': 'gzip, br' });
  withBody('unknown encoding', json, { ...ct, 'content-encoding': 'zstd' });
  withBody('a gzip bomb (16 MB inflated)', GZIP_BOMB, { ...ct, 'content-encoding': 'gzip' });
  for (const type of [
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=----fuzz',
    'application/xml',
    'application/json; charset=utf-16',
    'application/json; charset=koi8-r',
    'application/json; charset=nonsense',
    'application/vnd.api+json',
    'application/json;;;',
    'json',
  ])
    withBody(`content-type ${type}`, json, { 'content-type': type });
  withBody('no content-type', json, {});
  withBody('a byte-order mark before the JSON', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json]), ct);
  withBody('invalid UTF-8 in a JSON string', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0x22, 0x7d]), ct);
  withBody('a 150 KB JSON body', Buffer.from(JSON.stringify({ pad: 'x'.repeat(150 * 1024) })), ct);

  const pathOnly = (what: string, path: string, m = op.method) => cases.push({ what, wire: { method: m, path, headers, body: undefined } });
  const [bare, query = ''] = wire.path.split('?');
  const segments = bare.split('/');
  // Each parameter's segment, or the last segment where the route has none.
  const targets = op.path.length
    ? op.template.split('/').flatMap((seg, i) => (seg.startsWith('{') ? [i] : []))
    : [segments.length - 1];
  for (const index of targets)
    for (const escape of BROKEN_ESCAPES) {
      const broken = [...segments];
      broken[index] = op.path.length ? escape : `${broken[index]}${escape}`;
      pathOnly(`broken percent-escape ${escape} in path segment ${index}`, `${broken.join('/')}${query ? `?${query}` : ''}`);
    }
  for (const escape of ['%', '%E0%A4%A', '%zz']) {
    pathOnly(`broken percent-escape ${escape} in a query value`, `${bare}?${query ? `${query}&` : ''}${(op.query[0]?.name ?? 'q')}=${escape}`);
    pathOnly(`broken percent-escape ${escape} in a query name`, `${bare}?${escape}=1${query ? `&${query}` : ''}`);
  }
  pathOnly('a 12 KB query string', `${bare}?${op.query[0]?.name ?? 'q'}=${'z'.repeat(12 * 1024)}`);
  for (const other of ['PUT', 'DELETE', 'OPTIONS']) if (other !== op.method) pathOnly(`method ${other}`, wire.path, other);
  return cases.map((c, i) => ({ ...c, role: roles[i % roles.length] }));
}

// ---------------------------------------------------------------------------------------
// Sending

export interface Outcome {
  status?: number;
  text: string;
  ms: number;
  /** `hang` past the timeout, `dropped` when the connection closed without an answer, `unsendable` for a request the client refused to send. */
  failure?: 'hang' | 'dropped' | 'unsendable';
}

/** Sends `wire` under request id `requestId` (the services log errors by it) with a client address of its own. */
export async function fire(base: string, wire: Wire, options: { timeoutMs: number; requestId: string; token?: string }): Promise<Outcome> {
  const { timeoutMs, requestId, token } = options;
  const started = performance.now();
  const headers: Record<string, string> = {
    'x-forwarded-for': `198.51.100.${Math.floor(Math.random() * 254) + 1}`,
    'x-request-id': requestId,
    ...wire.headers,
  };
  if (token) headers['authorization'] = `Bearer ${token}`;
  const ms = () => Math.round(performance.now() - started);
  try {
    const res = await fetch(`${base}${wire.path}`, {
      method: wire.method,
      headers,
      body: wire.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // An event stream lasts while the client stays: its answer is the status and the first chunk (its current state).
    if (res.headers.get('content-type')?.startsWith('text/event-stream') && res.body) {
      const reader = res.body.getReader();
      const first = await reader.read();
      await reader.cancel();
      return { status: res.status, text: new TextDecoder().decode(first.value), ms: ms() };
    }
    return { status: res.status, text: await res.text(), ms: ms() };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return { text: `no answer within ${timeoutMs} ms`, ms: ms(), failure: 'hang' };
    if (e.cause) return { text: `${e.message}: ${e.cause.code ?? String(e.cause)}`, ms: ms(), failure: 'dropped' };
    return { text: e.message, ms: ms(), failure: 'unsendable' };
  }
}

/** Runs `tasks` with at most `width` at a time. */
export async function inPool<T>(items: T[], width: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await task(items[next++]);
    }),
  );
}

/** The request as a reader can replay it: method, path, the headers that matter, the body (cut). */
export function describeWire(wire: Wire): string {
  const shown = Object.entries(wire.headers)
    .filter(([k]) => k !== 'x-forwarded-for' && k !== 'x-request-id')
    .map(([k, v]) => `${k}: ${v.slice(0, 80)}`);
  let body = '';
  if (wire.body) {
    const text = Buffer.from(wire.body).toString('utf8');
    const binary = [...text].some((ch) => ch === '\ufffd' || ch.charCodeAt(0) < 9 || (ch.charCodeAt(0) > 13 && ch.charCodeAt(0) < 32));
    body = binary ? ` <${wire.body.length} bytes>` : ` ${text.slice(0, 300)}${text.length > 300 ? `… (${wire.body.length} bytes)` : ''}`;
  }
  return `${wire.method} ${wire.path.length > 300 ? `${wire.path.slice(0, 300)}… (${wire.path.length} chars)` : wire.path}${shown.length ? ` [${shown.join('; ')}]` : ''}${body}`;
}

/** A stable 32-bit seed per route, so adding a route changes no other route's cases. */
export function seedFor(seed: number, key: string): number {
  let h = seed | 0;
  for (const c of key) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

// ---------------------------------------------------------------------------------------
// The services' own error lines

export interface ServerError {
  message: string;
  type?: string;
  code?: string;
  /** The first lines of the stack inside the workspace. */
  at?: string;
}

/**
 * Collects the error lines the in-process services log (pino writes through
 * `process.stdout.write` once that is replaced, as here, before the services start), by
 * request id, so a 5xx can be reported with its cause. Other output passes through.
 */
export function captureServiceErrors() {
  const byRequest = new Map<string, ServerError>();
  const other: string[] = [];
  const original = process.stdout.write;
  const write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    const passed: string[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      let entry: { level?: string; service?: string; reqId?: string; req?: { id?: string }; err?: { message?: string; type?: string; code?: string; stack?: string }; msg?: string } | undefined;
      try {
        entry = JSON.parse(line);
      } catch {
        entry = undefined;
      }
      if (!entry?.service || !entry.level) {
        passed.push(line);
        continue;
      }
      const err = entry.err;
      const at = err?.stack
        ?.split('\n')
        .filter((l) => l.includes('/apps/') || l.includes('/libs/'))
        .slice(0, 3)
        .map((l) => l.trim())
        .join(' ← ');
      const summary = { message: err?.message ?? entry.msg ?? '', type: err?.type === 'Object' ? undefined : err?.type, code: err?.code, at };
      const id = entry.reqId ?? entry.req?.id;
      if (id) byRequest.set(String(id), summary);
      else other.push(`${entry.service}: ${entry.msg ?? ''} ${err ? `${err.type}: ${err.message}` : ''}`.trim());
    }
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    if (passed.length) return original.call(this, `${passed.join('\n')}\n`, ...(rest as [BufferEncoding]));
    callback?.();
    return true;
  };
  process.stdout.write = write as typeof process.stdout.write;
  return {
    errorOf: (requestId: string | undefined) => (requestId ? byRequest.get(requestId) : undefined),
    /** Error lines not tied to a request (workers, the outbox relay). */
    other,
    restore: () => {
      process.stdout.write = original;
    },
  };
}

// ---------------------------------------------------------------------------------------
// Events

/** The queues search and analytics consume registration's events from. */
const CONSUMED: [ServiceName, QueueName][] = [
  ['search', QUEUES.searchFromRegistration],
  ['analytics', QUEUES.analyticsFromRegistration],
];

/**
 * Registration's outbox carried to search and analytics as its relay would: each service
 * of the platform has a Redis prefix of its own, so the relay's queues are not theirs.
 * With it the search index and the dashboards hold what the fuzzed writes made (and
 * search pages: real cursors to forge). Idempotent: job ids are the events' ids.
 */
export function eventForwarder(p: Platform) {
  const connection = createRedis(redisUrl(), { forWorker: true });
  const logger = createLogger({ service: 'fuzz-forwarder', level: 'silent' });
  const queues = CONSUMED.map(([service, name]) => ({ service, name, queue: createQueue<EventEnvelope>(name, { connection, logger, prefix: p.services[service].prefix }) }));
  let after = '0';
  return {
    /**
     * Forwards every event written since the last call and waits (10 s at most) until both
     * consumers have handled them; returns how many, and each job that failed or waits for a retry.
     */
    async forward(): Promise<{ events: number; failing: string[] }> {
      const { rows } = await p.services.registration.pool.query<{ seq: string; payload: EventEnvelope }>(
        'SELECT seq, payload FROM registration.outbox WHERE seq > $1 ORDER BY seq',
        [after],
      );
      if (rows.length === 0) return { events: 0, failing: [] };
      after = rows[rows.length - 1].seq;
      const routed = (q: { name: QueueName }) => rows.filter((r) => (REGISTRATION_EVENT_ROUTES as Record<string, readonly QueueName[]>)[r.payload.type]?.includes(q.name));
      await Promise.all(
        queues.map((q) => q.queue.addBulk(routed(q).map((r) => ({ name: r.payload.type, data: r.payload, opts: { jobId: eventJobId(r.payload) } })))),
      );
      await Promise.all(queues.map((q) => p.services[q.service].drained(q.name))).catch(() => undefined);
      const failing = await Promise.all(
        queues.map(async (q) =>
          (await q.queue.getJobs(['failed', 'delayed'])).map((j) => `${q.name} ${j.name} ${j.id}: ${j.failedReason}`),
        ),
      );
      return { events: rows.length, failing: failing.flat() };
    },
    async close(): Promise<void> {
      await Promise.all(queues.map((q: { queue: JabQueue<EventEnvelope> }) => q.queue.close()));
      await connection.quit();
    },
  };
}
