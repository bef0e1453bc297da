import type {
  CampaignView,
  CreateCampaignRequest,
  CreateLotRequest,
  CreateVaccineRequest,
  LotRecalledEvent,
  LotView,
  VaccineView,
} from '@jab/contracts';
import { appendEvent, withTransaction } from '@jab/db';
import { BadRequest, Conflict, NotFound } from '@jab/http';
import type { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from './sql.js';
import {
  findLot,
  findVaccine,
  insertCampaign,
  insertLot,
  insertVaccine,
  markLotRecalled,
  missingVaccines,
} from './catalogue.repo.js';

export const SCHEMA = 'registration';

export async function createVaccine(pool: Pool, input: CreateVaccineRequest): Promise<VaccineView> {
  const vaccine = await insertVaccine(pool, { id: uuidv7(), ...input });
  if (!vaccine)
    throw new Conflict('A vaccine with this name exists.', { errors: [{ path: 'body.name', message: 'is already in the catalogue' }] });
  return vaccine;
}

/** 400 naming each unknown vaccine id where it was in the body. */
export async function assertVaccinesExist(db: Db, ids: string[], field = 'body.vaccineIds'): Promise<void> {
  const missing = new Set(await missingVaccines(db, ids));
  if (missing.size === 0) return;
  throw new BadRequest('The request names unknown vaccines.', {
    errors: ids.flatMap((id, i) => (missing.has(id) ? [{ path: `${field}.${i}`, message: 'is not a known vaccine' }] : [])),
  });
}

export async function createCampaign(pool: Pool, input: CreateCampaignRequest): Promise<CampaignView> {
  await assertVaccinesExist(pool, input.vaccineIds);
  const campaign: CampaignView = {
    id: uuidv7(),
    ...input,
    vaccineIds: [...new Set(input.vaccineIds)].sort(),
    regions: [...new Set(input.regions)].sort(),
  };
  await withTransaction(pool, (db) => insertCampaign(db, campaign));
  return campaign;
}

export async function createLot(pool: Pool, input: CreateLotRequest): Promise<LotView> {
  if (!(await findVaccine(pool, input.vaccineId)))
    throw new BadRequest('The vaccine is unknown.', { errors: [{ path: 'body.vaccineId', message: 'is not a known vaccine' }] });
  const lot = await insertLot(pool, { id: uuidv7(), ...input });
  if (!lot)
    throw new Conflict('This vaccine already has a lot with this number.', {
      errors: [{ path: 'body.lotNumber', message: 'is already registered for this vaccine' }],
    });
  return lot;
}

/**
 * Recalls a lot and records `lot.recalled` in the same transaction; from then on no
 * dose of it can be recorded.
 */
export async function recallLot(pool: Pool, lotId: string, reason: string, now = new Date()): Promise<LotView> {
  return withTransaction(pool, async (db) => {
    const lot = await markLotRecalled(db, lotId, reason, now);
    if (!lot) {
      if (await findLot(db, lotId)) throw new Conflict('This lot is already recalled.');
      throw new NotFound('No such lot.');
    }
    const vaccine = await findVaccine(db, lot.vaccineId);
    const event: LotRecalledEvent = {
      id: uuidv7(),
      type: 'lot.recalled',
      v: 1,
      occurredAt: now.toISOString(),
      source: 'registration',
      data: {
        lotNumber: lot.lotNumber,
        vaccineId: lot.vaccineId,
        vaccineName: vaccine?.name ?? '',
        reason,
        recalledAt: now.toISOString(),
      },
    };
    await appendEvent(db, SCHEMA, event);
    return lot;
  });
}
