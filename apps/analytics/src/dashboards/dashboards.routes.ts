import { authenticate, principalOf, requireRole, type Verifier } from '@jab/auth';
import {
  aefiByLotResponse,
  analyticsFilters,
  analyticsSummary,
  breakdownParams,
  breakdownResponse,
  coverageResponse,
  dailyRegistrations,
  dailyRegistrationsQuery,
  limitedQuery,
  timeSeriesQuery,
  timeSeriesResponse,
  topCentersResponse,
  utilizationResponse,
} from '@jab/contracts';
import { parsed, validate, type ApiRoute } from '@jab/http';
import { Router, type RequestHandler } from 'express';
import type { Dashboards } from './dashboards.service.js';

const filtersOnly = { query: analyticsFilters };
const series = { query: timeSeriesQuery };
const breakdown = { query: analyticsFilters, params: breakdownParams };
const limited = { query: limitedQuery };
const registrations = { query: dailyRegistrationsQuery };

export function dashboardsRouter(deps: { dashboards: Dashboards; verifier: Verifier }): Router {
  const router = Router();
  const d = deps.dashboards;
  // Admins only; the service narrows regional admins to their region.
  const guard: RequestHandler[] = [authenticate(deps.verifier), requireRole('center-admin', 'national-admin')];

  router.get('/summary', ...guard, validate(filtersOnly), async (req, res) => {
    res.json(await d.summary(principalOf(req), parsed(req, filtersOnly).query));
  });
  router.get('/timeseries', ...guard, validate(series), async (req, res) => {
    const { interval, ...filters } = parsed(req, series).query;
    res.json(await d.timeSeries(principalOf(req), filters, interval));
  });
  router.get('/breakdowns/:dimension', ...guard, validate(breakdown), async (req, res) => {
    const { query, params } = parsed(req, breakdown);
    res.json(await d.breakdown(principalOf(req), query, params.dimension));
  });
  router.get('/centers/top', ...guard, validate(limited), async (req, res) => {
    const { limit, ...filters } = parsed(req, limited).query;
    res.json(await d.topCenters(principalOf(req), filters, limit));
  });
  router.get('/utilization', ...guard, validate(limited), async (req, res) => {
    const { limit, ...filters } = parsed(req, limited).query;
    res.json(await d.utilization(principalOf(req), filters, limit));
  });
  router.get('/coverage', ...guard, validate(filtersOnly), async (req, res) => {
    res.json(await d.coverage(principalOf(req), parsed(req, filtersOnly).query));
  });
  router.get('/aefi/lots', ...guard, validate(limited), async (req, res) => {
    const { limit, ...filters } = parsed(req, limited).query;
    res.json(await d.aefiByLot(principalOf(req), filters, limit));
  });
  router.get('/registrations/daily', ...guard, validate(registrations), async (req, res) => {
    res.json(await d.registrationsPerDay(principalOf(req), parsed(req, registrations).query));
  });
  return router;
}

const scopeNote = 'national admins see every region; center admins only the region of their token (another region is 403)';

export const dashboardsRoutes: ApiRoute[] = [
  { method: 'get', path: '/summary', summary: `Totals over the filters; ${scopeNote}`, request: filtersOnly, responses: { 200: { description: 'Totals', schema: analyticsSummary } } },
  { method: 'get', path: '/timeseries', summary: 'Registrations, bookings, cancellations, no-shows and doses per day or ISO week', request: series, responses: { 200: { description: 'One point per period with data', schema: timeSeriesResponse } } },
  { method: 'get', path: '/breakdowns/:dimension', summary: 'Doses by region, vaccine, age band, sex or dose number', request: breakdown, responses: { 200: { description: 'Doses per value', schema: breakdownResponse } } },
  { method: 'get', path: '/centers/top', summary: 'Centers with the most doses administered', request: limited, responses: { 200: { description: 'Centers', schema: topCentersResponse } } },
  { method: 'get', path: '/utilization', summary: 'Scheduled appointments and doses per center and day (capacity is not known to analytics)', request: limited, responses: { 200: { description: 'Rows, newest day first', schema: utilizationResponse } } },
  { method: 'get', path: '/coverage', summary: 'People with at least one dose and with the full series against the target population', request: filtersOnly, responses: { 200: { description: 'Cells per region and age band', schema: coverageResponse } } },
  { method: 'get', path: '/aefi/lots', summary: 'Adverse events following immunization by vaccine lot', request: limited, responses: { 200: { description: 'Lots with reports', schema: aefiByLotResponse } } },
  { method: 'get', path: '/registrations/daily', summary: `Registrations per day; ${scopeNote}`, request: registrations, responses: { 200: { description: 'Counts per day and the total', schema: dailyRegistrations } } },
];
