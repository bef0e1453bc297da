import { createRequestTracker, setRoutePattern } from '@jab/http';
import type { Logger } from '@jab/logger';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Counter, type Registry } from 'prom-client';
import { availabilityKey, type CenterDay } from './availability.cache.js';

/** A center-day's availability as sent: the body bytes, their ETag and the headers express set. */
export interface HotAnswer {
  body: Buffer;
  etag: string;
  headers: OutgoingHttpHeaders;
}

/**
 * The in-process layer in front of the Redis cache: each center-day's answer as bytes,
 * for at most `maxAgeMs`, dropped at once when a booking in this process invalidates it
 * and, through Redis pub/sub, within moments when one in another task does. A message
 * lost while the subscriber reconnects costs at most `maxAgeMs` of staleness.
 */
export interface AvailabilityHotLayer {
  get(day: CenterDay): HotAnswer | undefined;
  /** Take before reading the answer; `store` drops the answer if its day was invalidated since. */
  generation(): number;
  store(day: CenterDay, generation: number, answer: HotAnswer): void;
  /** After the Redis cache forgot the days: drops them here and tells every other task. */
  invalidate(days: CenterDay[]): Promise<void>;
  /** Calls `listener` with the keys of the days dropped, by this task or (through pub/sub) any other. */
  onDropped(listener: (keys: string[]) => void): void;
  close(): Promise<void>;
}

export interface HotLayerOptions {
  redis: Redis;
  prefix: string;
  logger: Logger;
  maxAgeMs?: number;
  maxEntries?: number;
}

export function createAvailabilityHotLayer({ redis, prefix, logger, maxAgeMs = 1_000, maxEntries = 10_000 }: HotLayerOptions): AvailabilityHotLayer {
  const log = logger.child({ component: 'availability-hot-layer' });
  const channel = `${prefix}:registration:availability:invalidated`;
  const entries = new Map<string, { answer: HotAnswer; until: number }>();
  // A fill may store its answer only if its day was not dropped since the fill began: `tick`
  // counts drops, `dropped` says when each day last was. Forgetting days (a bounded map)
  // raises `floor`, which then counts as the drop time of every day forgotten.
  let tick = 0;
  let floor = 0;
  const dropped = new Map<string, number>();
  const listeners: ((keys: string[]) => void)[] = [];
  const drop = (keys: string[]) => {
    for (const listener of listeners) listener(keys);
    tick++;
    for (const key of keys) {
      entries.delete(key);
      dropped.set(key, tick);
    }
    if (dropped.size > maxEntries * 4) {
      dropped.clear();
      floor = tick;
    }
  };

  const subscriber = redis.duplicate({ lazyConnect: false });
  subscriber.on('ready', () => {
    // Until subscribed, other tasks' invalidations are not heard: serve nothing from memory.
    entries.clear();
    subscriber.subscribe(channel).catch((err: unknown) => log.warn({ err }, 'could not subscribe to invalidations'));
  });
  subscriber.on('error', (err: unknown) => log.debug({ err }, 'invalidation subscriber error'));
  subscriber.on('message', (_channel: string, message: string) => {
    try {
      drop(JSON.parse(message) as string[]);
    } catch (err) {
      log.warn({ err }, 'unreadable invalidation message');
    }
  });

  return {
    get(day) {
      const key = availabilityKey(day);
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.until <= Date.now() || subscriber.status !== 'ready') {
        entries.delete(key);
        return undefined;
      }
      return entry.answer;
    },
    generation: () => tick,
    store(day, generation, answer) {
      if (maxAgeMs === 0) return;
      const key = availabilityKey(day);
      if ((dropped.get(key) ?? floor) > generation || subscriber.status !== 'ready') return;
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(key, { answer, until: Date.now() + maxAgeMs });
    },
    async invalidate(days) {
      const keys = [...new Set(days.map(availabilityKey))];
      if (keys.length === 0) return;
      drop(keys);
      try {
        await redis.publish(channel, JSON.stringify(keys));
      } catch (err) {
        log.warn({ err }, `could not tell other tasks; their copies expire within ${maxAgeMs} ms`);
      }
    },
    onDropped(listener) {
      listeners.push(listener);
    },
    async close() {
      subscriber.disconnect();
    },
  };
}

/**
 * A strong ETag: the center-day's version, then a digest of the bytes sent (so a change of
 * the answer's shape by a release never answers 304 to bytes of the old one).
 */
export const etagOf = (version: number, body: Buffer) => `"${version}-${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;

/** Headers of an express answer that are the same for every request of the route (not the id, length, ETag or date). */
export function reusableHeaders(res: ServerResponse): OutgoingHttpHeaders {
  const headers = { ...res.getHeaders() };
  for (const name of ['x-request-id', 'content-length', 'etag', 'date', 'connection', 'keep-alive']) delete headers[name];
  return headers;
}

/** An answer's headers as writeHead takes them, built once per answer. */
const prepared = new WeakMap<HotAnswer, { common: string[]; length: string }>();
function rawHeaders(answer: HotAnswer): { common: string[]; length: string } {
  let raw = prepared.get(answer);
  if (!raw) {
    const common: string[] = [];
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) common.push(name, String(one));
    }
    common.push('ETag', answer.etag);
    raw = { common, length: String(answer.body.length) };
    prepared.set(answer, raw);
  }
  return raw;
}

const ROUTE = '/api/registration/v1/centers/:centerId/availability';
const HOT_URL = /^\/api\/registration\/v1\/centers\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/availability\?date=(\d{4}-\d{2}-\d{2})$/;

/**
 * Whether the client's If-None-Match names this ETag. The origin answers 304 to a
 * revalidation even with `Cache-Control: no-cache` (what fetch sends with its own
 * conditional requests): the same answer from memory and from express.
 */
export function notModified(req: IncomingMessage, etag: string): boolean {
  const given = req.headers['if-none-match'];
  return given !== undefined && (given.trim() === '*' || given.split(',').some((t) => t.trim().replace(/^W\//, '') === etag));
}

/**
 * `GET /centers/:id/availability?date=` answered before express when the center-day is
 * in the hot layer: the same status, headers and bytes express sent when it filled it,
 * with the request's own id, log line and metrics; 304 when the client has these bytes.
 * Anything else (another shape of URL, a miss) goes to express, which validates it.
 */
export function availabilityHotPath(hot: AvailabilityHotLayer, o: { logger: Logger; registry: Registry }) {
  const track = createRequestTracker(o);
  const answered = new Counter({
    name: 'jab_availability_hot_answers_total',
    help: 'Availability reads answered from process memory before express',
    registers: [o.registry],
  });
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET' || req.url === undefined) return false;
    const match = HOT_URL.exec(req.url);
    if (!match) return false;
    const answer = hot.get({ centerId: match[1] as string, date: match[2] as string });
    if (!answer) return false;
    const id = track(req, res, { echoId: false });
    setRoutePattern(req, ROUTE);
    answered.inc();
    // Every header in one writeHead of a prepared list: no per-header setHeader (it validates each twice).
    const raw = rawHeaders(answer);
    if (notModified(req, answer.etag)) {
      res.writeHead(304, [...raw.common, 'X-Request-Id', id]);
      res.end();
      return true;
    }
    res.writeHead(200, [...raw.common, 'Content-Length', raw.length, 'X-Request-Id', id]);
    res.end(answer.body);
    return true;
  };
}
