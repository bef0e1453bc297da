import { authenticate, principalOf, requireRole, requireScopedRole, type Verifier } from '@jab/auth';
import { aefiView, correctDoseRequest, doseCorrected, doseParams, doseView, recordDoseRequest, reportAefiRequest } from '@jab/contracts';
import { parsed, validate, type ApiRoute } from '@jab/http';
import { Router } from 'express';
import { z } from 'zod';
import { optionalAccessReasonOf } from '../audit/audit.js';
import { correctDose, listDoses, recordDose, reportAefi, type DoseDeps } from './doses.service.js';

const doseListQuery = z.object({ registrantId: z.uuid() });
const doseList = z.object({ items: z.array(doseView) });

export function dosesRouter(deps: DoseDeps & { verifier: Verifier }): Router {
  const router = Router();
  const auth = authenticate(deps.verifier);

  const record = { body: recordDoseRequest };
  router.post('/doses', auth, requireScopedRole('staff', 'center-admin', 'national-admin'), validate(record), async (req, res) => {
    const dose = await recordDose(deps, principalOf(req), parsed(req, record).body, optionalAccessReasonOf(req));
    res.status(201).location(`doses/${dose.id}`).json(dose);
  });
  const list = { query: doseListQuery };
  // Doses are staff's writes, never the citizen's own: their list may come from the reader.
  router.get('/doses', auth, requireRole('citizen'), validate(list), async (req, res) => {
    res.json({ items: await listDoses(deps.readPool, principalOf(req), parsed(req, list).query.registrantId) });
  });
  const correct = { params: doseParams, body: correctDoseRequest };
  router.patch('/doses/:doseId', auth, requireScopedRole('staff', 'center-admin', 'national-admin'), validate(correct), async (req, res) => {
    const { params, body } = parsed(req, correct);
    res.json(await correctDose(deps, principalOf(req), params.doseId, body));
  });
  const aefi = { params: doseParams, body: reportAefiRequest };
  router.post('/doses/:doseId/adverse-events', auth, validate(aefi), async (req, res) => {
    const { params, body } = parsed(req, aefi);
    res.status(201).json(await reportAefi(deps.pool, principalOf(req), params.doseId, body));
  });
  return router;
}

export const dosesRoutes: ApiRoute[] = [
  {
    method: 'post',
    path: '/doses',
    summary: 'Record an administered dose (staff of the center); refuses expired or recalled lots',
    tags: ['at the center'],
    request: { body: recordDoseRequest },
    responses: {
      201: { description: 'Recorded, with the next dose earliest day', schema: doseView },
      403: { description: 'Not your center' },
      409: { description: 'Already recorded, or the appointment is not open' },
      422: { description: 'Lot unknown, recalled or expired; dose beyond the series' },
    },
  },
  {
    method: 'get',
    path: '/doses',
    summary: 'Doses of a person of your household (citizen)',
    tags: ['at the center'],
    request: { query: doseListQuery },
    responses: { 200: { description: 'Doses', schema: doseList }, 404: { description: 'Not a person you manage' } },
  },
  {
    method: 'patch',
    path: '/doses/:doseId',
    summary:
      "Correct a recorded dose's lot, site or time, with a reason (staff of the dose's center); audited; revokes the dose's certificate and issues a new one",
    tags: ['at the center'],
    request: { params: doseParams, body: correctDoseRequest },
    responses: {
      200: { description: 'Corrected, with the new certificate', schema: doseCorrected },
      403: { description: 'Not your center' },
      404: { description: 'No such dose' },
      422: { description: 'Lot unknown, expired or recalled before the dose; time out of the series order; nothing changes' },
    },
  },
  {
    method: 'post',
    path: '/doses/:doseId/adverse-events',
    summary: 'Report an adverse event following immunization (the citizen, or staff of the center)',
    tags: ['at the center'],
    request: { params: doseParams, body: reportAefiRequest },
    responses: { 201: { description: 'Reported', schema: aefiView }, 403: { description: 'Not your center' }, 404: { description: 'No such dose' } },
  },
];
