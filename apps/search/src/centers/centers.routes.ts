import { centerSearchQuery, type CenterSearchResponse } from '@jab/contracts';
import { parsed, validate } from '@jab/http';
import { Router } from 'express';
import { InvalidCursorError, type SearchEngine } from '../engines/engine.js';
import { cursorProblem } from '../registrants/registrants.routes.js';

/** Public: centers carry no personal data, so no token is needed. */
export function centersRouter(deps: { engine: SearchEngine }): Router {
  const router = Router();
  const schemas = { query: centerSearchQuery };
  router.get('/centers', validate(schemas), async (req, res) => {
    const { query } = parsed(req, schemas);
    try {
      const page = await deps.engine.searchCenters({
        text: query.q,
        language: query.language,
        vaccine: query.vaccine,
        region: query.region,
        cursor: query.cursor,
        limit: query.limit,
      });
      const body: CenterSearchResponse = {
        items: page.items.map((c) => ({
          id: c.id,
          names: c.names,
          locality: c.locality,
          region: c.region,
          languages: c.languages,
          vaccines: c.vaccines,
        })),
        nextCursor: page.nextCursor,
      };
      res.json(body);
    } catch (error) {
      if (error instanceof InvalidCursorError) throw cursorProblem(error);
      throw error;
    }
  });
  return router;
}
