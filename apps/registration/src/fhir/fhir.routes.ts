import { authenticate, principalOf, type Verifier } from '@jab/auth';
import { accessReasonQuery, fhirBundle, registrantIdParams } from '@jab/contracts';
import { parsed, validate, type ApiRoute } from '@jab/http';
import { Router } from 'express';
import { accessReasonOf } from '../audit/audit.js';
import type { Pools } from '../pools.js';
import { exportRegistrant } from './fhir.service.js';

const schemas = { params: registrantIdParams, query: accessReasonQuery };

export function fhirRouter(deps: Pools & { verifier: Verifier }): Router {
  const router = Router();
  router.get('/registrants/:id/fhir', authenticate(deps.verifier), validate(schemas), async (req, res) => {
    const principal = principalOf(req);
    const reason = principal.role === 'citizen' ? undefined : accessReasonOf(req);
    const bundle = await exportRegistrant(deps, principal, parsed(req, schemas).params.id, reason);
    res.type('application/fhir+json').send(JSON.stringify(bundle));
  });
  return router;
}

export const fhirRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/registrants/:id/fhir',
    summary:
      'A person’s record as a FHIR R4 Bundle (collection): Patient, the Locations that vaccinated them, one Immunization per dose. Citizen of the household; staff of the person’s region or a national admin with a reason (X-Access-Reason or ?reason=), audited',
    tags: ['records'],
    request: schemas,
    responses: {
      200: { description: 'FHIR R4 Bundle (application/fhir+json)', schema: fhirBundle },
      400: { description: 'Staff gave no reason' },
      403: { description: 'Outside the staff member’s region' },
      404: { description: 'No such person (or not in the caller’s household)' },
    },
  },
];
