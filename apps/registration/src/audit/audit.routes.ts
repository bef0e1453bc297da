import { principalOf, requireRole } from '@jab/auth';
import { accessLog, registrantIdParams } from '@jab/contracts';
import { parsed, validate, type ApiRoute } from '@jab/http';
import { Router, type RequestHandler } from 'express';
import type { Pool } from 'pg';
import { accessLogFor } from './audit.service.js';

const schemas = { params: registrantIdParams };

export function auditRouter(deps: { pool: Pool; authenticate: RequestHandler }): Router {
  const router = Router();
  router.get('/registrants/:id/access-log', deps.authenticate, requireRole('citizen'), validate(schemas), async (req, res) => {
    const { params } = parsed(req, schemas);
    res.json(await accessLogFor(deps.pool, principalOf(req).sub, params.id));
  });
  return router;
}

export const auditRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/registrants/:id/access-log',
    summary: 'Who (role, center, region) read or changed this person’s record, newest first (citizen, own household)',
    tags: ['audit'],
    request: schemas,
    responses: {
      200: { description: 'Access log', schema: accessLog },
      401: { description: 'Not signed in' },
      403: { description: 'Not a citizen' },
      404: { description: 'Not a person of your household' },
    },
  },
];
