import { authenticate, requireRole, requireScopedRole, type Verifier } from '@jab/auth';
import {
  campaignList,
  campaignView,
  createCampaignRequest,
  createLotRequest,
  createVaccineRequest,
  lotList,
  lotListQuery,
  lotView,
  recallLotRequest,
  vaccineList,
  vaccineView,
} from '@jab/contracts';
import { parsed, validate, type ApiRoute } from '@jab/http';
import { Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { listCampaigns, listLots, listVaccines } from './catalogue.repo.js';
import { createCampaign, createLot, createVaccine, recallLot } from './catalogue.service.js';

const lotParams = z.object({ lotId: z.uuid() });
const STAFF = ['staff', 'center-admin', 'national-admin'] as const;

export function catalogueRouter(deps: { pool: Pool; readPool: Pool; verifier: Verifier }): Router {
  const router = Router();
  const auth = authenticate(deps.verifier);
  const admin = [auth, requireRole('national-admin')];

  // The vaccine catalogue is public: the citizen portal names what each center offers. It
  // changes a few times a campaign, so the reader's second of lag is harmless.
  router.get('/vaccines', async (_req, res) => {
    res.json({ items: await listVaccines(deps.readPool) });
  });
  const vaccine = { body: createVaccineRequest };
  router.post('/vaccines', ...admin, validate(vaccine), async (req, res) => {
    const created = await createVaccine(deps.pool, parsed(req, vaccine).body);
    res.status(201).location(`vaccines/${created.id}`).json(created);
  });

  router.get('/campaigns', auth, requireScopedRole(...STAFF), async (_req, res) => {
    res.json({ items: await listCampaigns(deps.readPool) });
  });
  const campaign = { body: createCampaignRequest };
  router.post('/campaigns', ...admin, validate(campaign), async (req, res) => {
    const created = await createCampaign(deps.pool, parsed(req, campaign).body);
    res.status(201).location(`campaigns/${created.id}`).json(created);
  });

  const lots = { query: lotListQuery };
  // The writer: the admin's lot page reloads right after a recall, and vaccinators pick from it.
  router.get('/lots', auth, requireScopedRole(...STAFF), validate(lots), async (req, res) => {
    res.json({ items: await listLots(deps.pool, parsed(req, lots).query.vaccineId) });
  });
  const lot = { body: createLotRequest };
  router.post('/lots', ...admin, validate(lot), async (req, res) => {
    const created = await createLot(deps.pool, parsed(req, lot).body);
    res.status(201).location(`lots/${created.id}`).json(created);
  });
  const recall = { params: lotParams, body: recallLotRequest };
  router.post('/lots/:lotId/recall', ...admin, validate(recall), async (req, res) => {
    const { params, body } = parsed(req, recall);
    res.json(await recallLot(deps.pool, params.lotId, body.reason));
  });
  return router;
}

export const catalogueRoutes: ApiRoute[] = [
  { method: 'get', path: '/vaccines', summary: 'List vaccines (public)', tags: ['catalogue'], responses: { 200: { description: 'Vaccines', schema: vaccineList } } },
  {
    method: 'post',
    path: '/vaccines',
    summary: 'Add a vaccine (national admin)',
    tags: ['catalogue'],
    request: { body: createVaccineRequest },
    responses: { 201: { description: 'Created', schema: vaccineView }, 409: { description: 'Name taken' } },
  },
  { method: 'get', path: '/campaigns', summary: 'List campaigns (staff)', tags: ['catalogue'], responses: { 200: { description: 'Campaigns', schema: campaignList } } },
  {
    method: 'post',
    path: '/campaigns',
    summary: 'Create a campaign (national admin)',
    tags: ['catalogue'],
    request: { body: createCampaignRequest },
    responses: { 201: { description: 'Created', schema: campaignView } },
  },
  {
    method: 'get',
    path: '/lots',
    summary: 'List vaccine lots (staff)',
    tags: ['catalogue'],
    request: { query: lotListQuery },
    responses: { 200: { description: 'Lots', schema: lotList } },
  },
  {
    method: 'post',
    path: '/lots',
    summary: 'Register a vaccine lot (national admin)',
    tags: ['catalogue'],
    request: { body: createLotRequest },
    responses: { 201: { description: 'Created', schema: lotView }, 409: { description: 'Lot number taken for this vaccine' } },
  },
  {
    method: 'post',
    path: '/lots/:lotId/recall',
    summary: 'Recall a lot (national admin); emits lot.recalled',
    tags: ['catalogue'],
    request: { params: lotParams, body: recallLotRequest },
    responses: { 200: { description: 'Recalled', schema: lotView }, 404: { description: 'No such lot' }, 409: { description: 'Already recalled' } },
  },
];
