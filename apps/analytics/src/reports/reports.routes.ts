import { authenticate, principalOf, requireRole, type Verifier } from '@jab/auth';
import { createReportRequest, reportParams, reportView } from '@jab/contracts';
import { parsed, validate, type ApiRoute } from '@jab/http';
import { Router, type RequestHandler } from 'express';
import { pipeline } from 'node:stream/promises';
import type { Reports } from './reports.service.js';

const create = { body: createReportRequest };
const byId = { params: reportParams };

export function reportsRouter(deps: { reports: Reports; verifier: Verifier }): Router {
  const router = Router();
  const guard: RequestHandler[] = [authenticate(deps.verifier), requireRole('center-admin', 'national-admin')];

  router.post('/reports', ...guard, validate(create), async (req, res) => {
    const { body } = parsed(req, create);
    const view = await deps.reports.request(principalOf(req), body);
    res.status(202).location(`/api/analytics/v1/reports/${view.id}`).json(view);
  });
  router.get('/reports/:reportId', ...guard, validate(byId), async (req, res) => {
    res.json(await deps.reports.view(principalOf(req), parsed(req, byId).params.reportId));
  });
  router.get('/reports/:reportId/download', ...guard, validate(byId), async (req, res) => {
    const { stream, filename } = await deps.reports.download(principalOf(req), parsed(req, byId).params.reportId);
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="${filename}"`);
    res.setHeader('cache-control', 'no-store');
    await pipeline(stream, res);
  });
  return router;
}

export const reportsRoutes: ApiRoute[] = [
  {
    method: 'post',
    path: '/reports',
    summary: 'Start a CSV export (doses line list, coverage table, AEFI list) as a long task; regional admins get their region only',
    request: create,
    responses: { 202: { description: 'Accepted: poll the report for progress', schema: reportView } },
  },
  {
    method: 'get',
    path: '/reports/:reportId',
    summary: 'Status and progress of a report; a download link once done (the requester or a national admin)',
    request: byId,
    responses: { 200: { description: 'The report', schema: reportView }, 404: { description: 'Unknown, or someone else’s' } },
  },
  {
    method: 'get',
    path: '/reports/:reportId/download',
    summary: 'The report file, streamed (text/csv)',
    request: byId,
    responses: { 200: { description: 'CSV' }, 409: { description: 'Not finished yet' } },
  },
];
