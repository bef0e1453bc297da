import { authenticate, principalOf, requireScopedRole, type Verifier } from '@jab/auth';
import {
  availabilityBatch,
  availabilityBatchQuery,
  availabilityQuery,
  availabilitySummaryBatch,
  availabilitySummaryQuery,
  availabilityView,
  centerList,
  centerListQuery,
  centerParams,
  centerView,
  createCenterRequest,
  createSessionRequest,
  sessionView,
} from '@jab/contracts';
import { parsed, validate, type ApiRoute } from '@jab/http';
import { Router } from 'express';
import { etagOf, notModified, reusableHeaders } from './availability.hot.js';
import type { AvailabilityStreams } from './availability.stream.js';
import { availabilities, availability, availabilitySummaries, createCenter, createSession, findCenters, getCenter, type CentersDeps } from './centers.service.js';

/**
 * A center-day is a public read the edge may keep (CloudFront, `EDGE_CACHED_READS` in
 * infra): for 2 s, then 5 s more while it fetches the next (the stream and the booking's own
 * re-read see past it); browsers revalidate every time (`max-age=0`, 304 by ETag). The
 * centers list stays uncached: its path also takes the admins' `POST /centers`, which the
 * edge must forward with its token (citizens list centers through search's public search).
 */
const AVAILABILITY_CACHE_CONTROL = 'public, max-age=0, s-maxage=2, stale-while-revalidate=5';

export function centersRouter(deps: CentersDeps & { verifier: Verifier; streams: AvailabilityStreams }): Router {
  const router = Router();
  const auth = authenticate(deps.verifier);

  const list = { query: centerListQuery };
  router.get('/centers', validate(list), async (req, res) => {
    res.json({ items: await findCenters(deps, parsed(req, list).query) });
  });
  const create = { body: createCenterRequest };
  router.post('/centers', auth, requireScopedRole('national-admin', 'center-admin'), validate(create), async (req, res) => {
    const center = await createCenter(deps, principalOf(req), parsed(req, create).body);
    res.status(201).location(`centers/${center.id}`).json(center);
  });
  const one = { params: centerParams };
  // Public and on every citizen page; a center is created once and no screen reads it back by id.
  router.get('/centers/:centerId', validate(one), async (req, res) => {
    res.json(await getCenter(deps.readPool, parsed(req, one).params.centerId));
  });
  const day = { params: centerParams, query: availabilityQuery };
  router.get('/centers/:centerId/availability', validate(day), async (req, res) => {
    const { params, query } = parsed(req, day);
    const centerDay = { centerId: params.centerId, date: query.date };
    const generation = deps.caches.hot?.generation() ?? 0;
    const view = await availability(deps, params.centerId, query.date);
    const body = Buffer.from(JSON.stringify(view));
    const etag = etagOf(view.version, body);
    res.type('json').set('ETag', etag).set('Cache-Control', AVAILABILITY_CACHE_CONTROL);
    // The hot path answers the next requests for this day from these bytes and headers, until a booking changes it.
    deps.caches.hot?.store(centerDay, generation, { body, etag, headers: reusableHeaders(res) });
    if (notModified(req, etag)) res.status(304).end();
    else res.send(body);
  });
  // Each new version of the day as a Server-Sent Event, until the client goes (decision 0010).
  router.get('/centers/:centerId/availability/stream', validate(day), async (req, res) => {
    const { params, query } = parsed(req, day);
    await deps.streams.watch(req, res, { centerId: params.centerId, date: query.date });
  });
  const batch = { query: availabilityBatchQuery };
  // A search page's centers in one request: one Redis MGET, the database only for the misses.
  router.get('/availability', validate(batch), async (req, res) => {
    const { query } = parsed(req, batch);
    res.json(await availabilities(deps, query.centerIds, query.date));
  });
  const summary = { query: availabilitySummaryQuery };
  // The same page in brief: what the center search shows beside each center.
  router.get('/availability/summary', validate(summary), async (req, res) => {
    const { query } = parsed(req, summary);
    res.json(await availabilitySummaries(deps, query.centerIds, query.date, query.vaccineId));
  });
  const session = { params: centerParams, body: createSessionRequest };
  router.post('/centers/:centerId/sessions', auth, requireScopedRole('national-admin', 'center-admin'), validate(session), async (req, res) => {
    const { params, body } = parsed(req, session);
    res.status(201).json(await createSession(deps, principalOf(req), params.centerId, body));
  });
  return router;
}

export const centersRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/centers',
    summary: 'Find vaccination centers (public)',
    tags: ['centers'],
    request: { query: centerListQuery },
    responses: { 200: { description: 'Centers', schema: centerList } },
  },
  {
    method: 'post',
    path: '/centers',
    summary: 'Create a center (national admin, or a center admin of that region)',
    tags: ['centers'],
    request: { body: createCenterRequest },
    responses: { 201: { description: 'Created', schema: centerView }, 403: { description: 'Outside your region' } },
  },
  {
    method: 'get',
    path: '/centers/:centerId',
    summary: 'One center (public)',
    tags: ['centers'],
    request: { params: centerParams },
    responses: { 200: { description: 'The center', schema: centerView }, 404: { description: 'No such center' } },
  },
  {
    method: 'get',
    path: '/centers/:centerId/availability',
    summary: "Slots of one day of a center with the seats left and the day's version (public, cached 30 s, invalidated on every change; ETag with the version, 304 to If-None-Match)",
    tags: ['centers'],
    request: { params: centerParams, query: availabilityQuery },
    responses: { 200: { description: 'Availability', schema: availabilityView }, 404: { description: 'No such center' } },
  },
  {
    method: 'get',
    path: '/centers/:centerId/availability/stream',
    summary:
      'The same day as Server-Sent Events (text/event-stream, public): the current state at once unless Last-Event-ID names its version, then an `availability` event per new version (id = version, data = the availability answer)',
    tags: ['centers'],
    request: { params: centerParams, query: availabilityQuery },
    responses: {
      200: { description: 'An event stream that lasts until the client or the task goes' },
      404: { description: 'No such center' },
      503: { description: 'This task is stopping or follows as many streams as it may; retry (another task answers)' },
    },
  },
  {
    method: 'get',
    path: '/availability',
    summary: 'Several centers on one day (a search page, at most 50): each as GET /centers/:id/availability answers it, null for an unknown center (public, cached)',
    tags: ['centers'],
    request: { query: availabilityBatchQuery },
    responses: { 200: { description: 'Availability of each center asked, in that order', schema: availabilityBatch }, 400: { description: 'Not 1–50 distinct center ids, or a bad date' } },
  },
  {
    method: 'get',
    path: '/availability/summary',
    summary:
      'The same centers in brief (public): seats left for booking in slots not yet started, and the earliest, optionally for one vaccine — what a search page shows',
    tags: ['centers'],
    request: { query: availabilitySummaryQuery },
    responses: { 200: { description: 'Each center asked, in that order, null for an unknown one', schema: availabilitySummaryBatch }, 400: { description: 'Not 1–50 distinct center ids, a bad date or vaccine id' } },
  },
  {
    method: 'post',
    path: '/centers/:centerId/sessions',
    summary: "Open a session: slots cut in the center's time zone (center admin of the center or region, national admin)",
    tags: ['centers'],
    request: { params: centerParams, body: createSessionRequest },
    responses: {
      201: { description: 'Created with its slots', schema: sessionView },
      400: { description: "A vaccine the center does not offer, a past day, a start or end the center's clock skips or shows twice that day, or no slot fitting" },
      403: { description: 'Not your center' },
      404: { description: 'No such center' },
      409: { description: 'A session already starts then' },
    },
  },
];
