import { authenticate, requireRole, type Verifier } from '@jab/auth';
import { registrantSearchQuery } from '@jab/contracts';
import { parsed, validate } from '@jab/http';
import { Router } from 'express';
import type { SearchEngine } from './engine.js';

export function registrantsRouter(deps: { engine: SearchEngine; verifier: Verifier }): Router {
  const router = Router();
  const schemas = { query: registrantSearchQuery };
  router.get(
    '/registrants',
    authenticate(deps.verifier),
    requireRole('staff', 'center-admin', 'national-admin'),
    validate(schemas),
    async (req, res) => {
      const { query } = parsed(req, schemas);
      const items = await deps.engine.searchRegistrants({ text: query.q, limit: query.limit });
      res.json({ items });
    },
  );
  return router;
}
