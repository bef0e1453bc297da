import { authenticate, principalOf, requireRole, type Verifier } from '@jab/auth';
import { dailyRegistrationsQuery } from '@jab/contracts';
import { parsed, validate } from '@jab/http';
import { Router } from 'express';
import type { Pool } from 'pg';
import { registrationsPerDay } from './registrations.service.js';

export function registrationsRouter(deps: { pool: Pool; verifier: Verifier }): Router {
  const router = Router();
  const schemas = { query: dailyRegistrationsQuery };
  router.get(
    '/registrations/daily',
    authenticate(deps.verifier),
    requireRole('center-admin', 'national-admin'),
    validate(schemas),
    async (req, res) => {
      const { query } = parsed(req, schemas);
      res.json(await registrationsPerDay(deps.pool, principalOf(req), query));
    },
  );
  return router;
}
