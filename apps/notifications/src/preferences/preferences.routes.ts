import { authenticate, principalOf, requireRole, type Verifier } from '@jab/auth';
import { channelPreferences } from '@jab/contracts';
import { parsed, validate, type ApiRoute } from '@jab/http';
import { Router } from 'express';
import type { Pool } from 'pg';
import { getPreferences, savePreferences } from '../projections/projections.repo.js';

const schemas = { body: channelPreferences };

/** A citizen's choice of channels for their household account. */
export function preferencesRouter(deps: { pool: Pool; verifier: Verifier }): Router {
  const router = Router();
  router.use('/preferences', authenticate(deps.verifier), requireRole('citizen'));
  router.get('/preferences', async (req, res) => {
    res.json(await getPreferences(deps.pool, principalOf(req).sub));
  });
  router.put('/preferences', validate(schemas), async (req, res) => {
    res.json(await savePreferences(deps.pool, principalOf(req).sub, parsed(req, schemas).body));
  });
  return router;
}

export const preferencesRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/preferences',
    summary: 'The channels the signed-in citizen accepts messages on',
    responses: { 200: { description: 'Preferences', schema: channelPreferences } },
  },
  {
    method: 'put',
    path: '/preferences',
    summary: 'Accept or refuse email and SMS (one-time sign-in codes are always sent)',
    request: schemas,
    responses: { 200: { description: 'Saved preferences', schema: channelPreferences } },
  },
];
