import type { AvailabilityView } from '@jab/contracts';
import { HttpError } from '@jab/http';
import type { Logger } from '@jab/logger';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Gauge, type Registry } from 'prom-client';
import { availabilityKey, type CenterDay } from './availability.cache.js';

/**
 * Server-Sent Events of center-days' availability (decision 0010). Each API task keeps
 * its watchers per center-day; when a day changes anywhere (the invalidation every task
 * hears through Redis pub/sub) each task reads the day once, through the cache, and
 * writes the new version's bytes to all of its watchers of that day. A client that
 * reconnects (a restart, a lost network) sends `Last-Event-ID` and gets the day at once
 * unless that is still its version.
 */
export interface AvailabilityStreams {
  /** Answers one watcher (404 for an unknown center before anything is sent) and keeps it until it goes. */
  watch(req: IncomingMessage, res: ServerResponse, day: CenterDay): Promise<void>;
  /** These center-days (cache keys) changed: push their new versions to their watchers. */
  changed(keys: Iterable<string>): void;
  /** Ends every stream: their clients reconnect, to another task when this one is stopping. */
  close(): void;
}

export interface StreamOptions {
  load(day: CenterDay): Promise<AvailabilityView>;
  logger: Logger;
  registry: Registry;
  /** Most watchers on this task; beyond, 503 with Retry-After (the ALB sends the retry elsewhere). */
  maxWatchers?: number;
  /** A comment line this often keeps idle connections open through the ALB (idle timeout 60 s). */
  heartbeatMs?: number;
  /** Each watched day is read again this often, whatever was heard: a lost pub/sub message costs at most this. */
  recheckMs?: number;
  /**
   * At most one read (and one write to each watcher) of a day per this many ms, however many
   * changes arrive, for up to 1,000 watchers of the day; more watchers stretch it in
   * proportion, to 1 s at most (the promise to a watcher): 10,000 watchers of a launch's hot
   * day get one event a second, not ten.
   */
  minGapMs?: number;
  /** How long the client waits before reconnecting (the `retry:` field). */
  retryMs?: number;
}

/** An SSE comment: keeps the connection busy enough for every proxy on the way. */
const HEARTBEAT = Buffer.from(':\n\n');

/** A watcher that has not taken this many bytes is too slow to follow: it is dropped and reconnects. */
const MAX_BUFFERED_BYTES = 256 * 1024;

interface Watched {
  day: CenterDay;
  watchers: Set<ServerResponse>;
  /** The newest version written to the watchers, and its frame. */
  version: number;
  frame: Buffer | undefined;
  reading: boolean;
  again: boolean;
  timer: NodeJS.Timeout | undefined;
  lastRead: number;
}

/** One SSE event: the version is its id, so a reconnecting client says which it has. */
export const frameOf = (view: AvailabilityView) =>
  Buffer.from(`id: ${view.version}\nevent: availability\ndata: ${JSON.stringify(view)}\n\n`);

/** `Last-Event-ID` as a version; anything else counts as none. */
function lastVersionOf(req: IncomingMessage): number | undefined {
  const given = req.headers['last-event-id'];
  return typeof given === 'string' && /^\d{1,15}$/.test(given) ? Number(given) : undefined;
}

export function createAvailabilityStreams(o: StreamOptions): AvailabilityStreams {
  const { load, maxWatchers = 20_000, heartbeatMs = 15_000, recheckMs = 10_000, minGapMs = 100, retryMs = 1_000 } = o;
  const log = o.logger.child({ component: 'availability-streams' });
  const days = new Map<string, Watched>();
  let total = 0;
  let closed = false;
  const watchersGauge = new Gauge({ name: 'jab_availability_watchers', help: 'Open availability streams on this task', registers: [o.registry] });
  const pushed = new Counter({
    name: 'jab_availability_stream_events_total',
    help: 'New center-day versions written to availability streams (one per watcher)',
    registers: [o.registry],
  });

  const write = (res: ServerResponse, frame: Buffer) => {
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      log.warn('an availability watcher fell behind; dropping it (it reconnects)');
      res.destroy();
      return;
    }
    res.write(frame);
  };

  /** Writes `view` to every watcher of its day unless they already have it (or a newer one). */
  const publish = (entry: Watched, view: AvailabilityView) => {
    if (view.version <= entry.version && entry.frame) return;
    entry.version = view.version;
    entry.frame = frameOf(view);
    for (const res of entry.watchers) write(res, entry.frame);
    pushed.inc(entry.watchers.size);
  };

  const read = async (entry: Watched) => {
    entry.timer = undefined;
    entry.reading = true;
    entry.lastRead = Date.now();
    try {
      publish(entry, await load(entry.day));
    } catch (err) {
      log.warn({ err }, 'could not read a watched center-day; trying again on the next change or recheck');
    } finally {
      entry.reading = false;
      if (entry.again) {
        entry.again = false;
        schedule(entry);
      }
    }
  };

  function schedule(entry: Watched) {
    if (entry.watchers.size === 0 || closed) return;
    if (entry.reading) {
      entry.again = true;
      return;
    }
    if (entry.timer) return;
    const gap = Math.min(Math.max(minGapMs, 1_000), minGapMs * Math.max(1, entry.watchers.size / 1_000));
    entry.timer = setTimeout(() => void read(entry), Math.max(0, entry.lastRead + gap - Date.now()));
  }

  const heartbeat = setInterval(() => {
    for (const entry of days.values()) for (const res of entry.watchers) write(res, HEARTBEAT);
  }, heartbeatMs);
  const recheck = setInterval(() => {
    for (const entry of days.values()) schedule(entry);
  }, recheckMs);
  heartbeat.unref();
  recheck.unref();

  return {
    async watch(req, res, day) {
      if (closed) throw unavailable('This task is stopping.');
      if (total >= maxWatchers) throw unavailable('This task follows as many days as it can.');
      const view = await load(day);
      // The client left while the day was read: its 'close' has fired already, so it must not be kept.
      if (res.destroyed || req.destroyed) return;
      const key = availabilityKey(day);
      let entry = days.get(key);
      const first = !entry;
      if (!entry) {
        entry = { day, watchers: new Set(), version: -1, frame: undefined, reading: false, again: false, timer: undefined, lastRead: 0 };
        days.set(key, entry);
      }
      publish(entry, view);
      res.statusCode = 200;
      res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('X-Accel-Buffering', 'no');
      const current = lastVersionOf(req) === entry.version ? '' : (entry.frame as Buffer).toString();
      res.write(`retry: ${retryMs}\n\n${current}`);
      const watched = entry;
      watched.watchers.add(res);
      // A change heard while the first watcher's read was on its way had no one to wake: look once more.
      if (first) schedule(watched);
      total++;
      watchersGauge.set(total);
      res.once('close', () => {
        if (!watched.watchers.delete(res)) return;
        total--;
        watchersGauge.set(total);
        if (watched.watchers.size === 0 && days.get(key) === watched) {
          clearTimeout(watched.timer);
          days.delete(key);
        }
      });
    },
    changed(keys) {
      for (const key of keys) {
        const entry = days.get(key);
        if (entry) schedule(entry);
      }
    },
    close() {
      closed = true;
      clearInterval(heartbeat);
      clearInterval(recheck);
      for (const entry of days.values()) {
        clearTimeout(entry.timer);
        for (const res of entry.watchers) res.end();
      }
    },
  };
}

const unavailable = (detail: string) => new HttpError(503, detail, { headers: { 'Retry-After': '2' } });
