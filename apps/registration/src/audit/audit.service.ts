import type { Principal } from '@jab/auth';
import type { AccessLog, StaffAccessRecorded, StaffAccessRequest } from '@jab/contracts';
import { withTransaction } from '@jab/db';
import { Forbidden, NotFound } from '@jab/http';
import type { Pool } from 'pg';
import { staffMaySee } from '../registrants/registrants.service.js';
import { recordAccess } from './audit.js';
import { isRegistrantOf, listAccess, registrantRegion } from './audit.repo.js';

const MAX_ENTRIES = 200;

/** A household's own view of who opened one of its people's records; 404 for anyone else's. */
export async function accessLogFor(pool: Pool, accountId: string, registrantId: string): Promise<AccessLog> {
  if (!(await isRegistrantOf(pool, registrantId, accountId))) throw new NotFound('No such person in your household.');
  return { items: await listAccess(pool, registrantId, MAX_ENTRIES) };
}

/**
 * A staff read that another service is about to answer (a person's message history): the same
 * rule as registration's own reads — staff of the person's region, national admins everywhere —
 * and the row in the person's access log, written before the caller may show anything.
 */
export async function recordStaffAccess(
  pool: Pool,
  staff: Principal,
  registrantId: string,
  request: StaffAccessRequest,
  reason: string,
): Promise<StaffAccessRecorded> {
  return withTransaction(pool, async (db) => {
    const region = await registrantRegion(db, registrantId);
    if (region === undefined) throw new NotFound('No such person.');
    if (!staffMaySee(staff, region)) throw new Forbidden('This person is outside your region.');
    await recordAccess(db, { actor: staff, registrantId, action: request.action, reason });
    return { registrantId, region, action: request.action };
  });
}
