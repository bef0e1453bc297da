import {
  centerSearchQuery,
  type CenterSearchResponse,
  type CenterSearchResult,
} from '@jab/contracts';
import { parsed, validate } from '@jab/http';
import { Router } from 'express';
import {
  InvalidCursorError,
  type CenterDocument,
  type Page,
  type SearchEngine,
} from '../engines/engine.js';
import { cursorProblem } from '../registrants/registrants.routes.js';
import type { AvailabilityClient } from './availability.client.js';

/**
 * The public center search is the same for everyone: shared caches keep a page a minute,
 * or 2 s (then 5 s while refetching) when it carries the day's seats; browsers revalidate.
 */
const CENTERS_CACHE_CONTROL = 'public, max-age=0, s-maxage=60, stale-while-revalidate=60';
const CENTERS_WITH_SEATS_CACHE_CONTROL = 'public, max-age=0, s-maxage=2, stale-while-revalidate=5';

/** Public: centers carry no personal data, so no token is needed. */
export function centersRouter(deps: {
  engine: SearchEngine;
  availability: AvailabilityClient;
}): Router {
  const router = Router();
  const schemas = { query: centerSearchQuery };
  router.get('/centers', validate(schemas), async (req, res) => {
    const { query } = parsed(req, schemas);
    let page: Page<CenterDocument>;
    try {
      page = await deps.engine.searchCenters({
        text: query.q,
        language: query.language,
        vaccine: query.vaccine,
        region: query.region,
        cursor: query.cursor,
        limit: query.limit,
      });
    } catch (error) {
      if (error instanceof InvalidCursorError) throw cursorProblem(error);
      throw error;
    }
    let items: CenterSearchResult[] = page.items.map((c) => ({
      id: c.id,
      names: c.names,
      locality: c.locality,
      region: c.region,
      languages: c.languages,
      vaccines: c.vaccines,
    }));
    // Availability only when a day was asked for: without one, the field is left out.
    if (query.date) {
      const days = await deps.availability.forCenters(
        items.map((c) => c.id),
        query.date,
        { vaccineId: query.vaccine },
      );
      items = items.map((c, i) => ({ ...c, availability: days[i] }));
    }
    const body: CenterSearchResponse = { items, nextCursor: page.nextCursor };
    // The edge may keep a page (CloudFront, EDGE_CACHED_READS in infra) unless a center's seats were unknown: that must not spread.
    const known = !query.date || items.every((c) => c.availability !== null);
    res.set('Cache-Control', !known ? 'no-store' : query.date ? CENTERS_WITH_SEATS_CACHE_CONTROL : CENTERS_CACHE_CONTROL);
    res.json(body);
  });
  return router;
}
