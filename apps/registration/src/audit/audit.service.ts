import type { AccessLog } from '@jab/contracts';
import { NotFound } from '@jab/http';
import type { Pool } from 'pg';
import { isRegistrantOf, listAccess } from './audit.repo.js';

const MAX_ENTRIES = 200;

/** A household's own view of who opened one of its people's records; 404 for anyone else's. */
export async function accessLogFor(pool: Pool, accountId: string, registrantId: string): Promise<AccessLog> {
  if (!(await isRegistrantOf(pool, registrantId, accountId))) throw new NotFound('No such person in your household.');
  return { items: await listAccess(pool, registrantId, MAX_ENTRIES) };
}
