import { accessReasonOf, principalOf, requireRole } from '@jab/auth';
import { accessLog, registrantIdParams, staffAccessRecorded, staffAccessRequest } from '@jab/contracts';
import { parsed, validate, type ApiRoute } from '@jab/http';
import { Router, type RequestHandler } from 'express';
import type { Pools } from '../pools.js';
import { accessLogFor, recordStaffAccess } from './audit.service.js';

const schemas = { params: registrantIdParams };
const recordSchemas = { params: registrantIdParams, body: staffAccessRequest };

export function auditRouter(deps: Pools & { authenticate: RequestHandler }): Router {
  const router = Router();
  router.get('/registrants/:id/access-log', deps.authenticate, requireRole('citizen'), validate(schemas), async (req, res) => {
    const { params } = parsed(req, schemas);
    // The household's own history of staff reads: a second behind is still the history.
    res.json(await accessLogFor(deps.readPool, principalOf(req).sub, params.id));
  });
  router.post(
    '/registrants/:id/access-log',
    deps.authenticate,
    requireRole('staff', 'center-admin', 'national-admin'),
    validate(recordSchemas),
    async (req, res) => {
      const { params, body } = parsed(req, recordSchemas);
      res.status(201).json(await recordStaffAccess(deps.pool, principalOf(req), params.id, body, accessReasonOf(req)));
    },
  );
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
  {
    method: 'post',
    path: '/registrants/:id/access-log',
    summary:
      'Staff, through another service, are about to read this person’s data held there (their message history): allowed for staff of the person’s region and national admins, with a reason (X-Access-Reason); writes the access-log row the citizen sees',
    tags: ['audit'],
    request: recordSchemas,
    responses: {
      201: { description: 'Allowed and recorded', schema: staffAccessRecorded },
      400: { description: 'No reason, or an unknown action' },
      401: { description: 'Not signed in' },
      403: { description: 'A citizen, or a person outside the staff member’s region' },
      404: { description: 'No such person' },
    },
  },
];
