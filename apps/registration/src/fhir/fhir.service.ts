import type { Principal } from '@jab/auth';
import { withTransaction } from '@jab/db';
import { Forbidden, NotFound } from '@jab/http';
import type { Pool } from 'pg';
import { recordAccess } from '../audit/audit.js';
import { findRegistrant } from '../registrants/registrants.repo.js';
import { staffMaySee } from '../registrants/registrants.service.js';
import { exportBundle, type FhirBundle } from './fhir.mapping.js';
import { findImmunizations } from './fhir.repo.js';

/**
 * A person's record as a FHIR R4 Bundle: their household reads it freely; staff of
 * the person's region and national admins with a stated reason, audited in the same
 * transaction as the read.
 */
export async function exportRegistrant(pool: Pool, p: Principal, registrantId: string, reason?: string, now = new Date()): Promise<FhirBundle> {
  return withTransaction(pool, async (db) => {
    const person = await findRegistrant(db, registrantId);
    if (p.role === 'citizen') {
      if (!person || person.accountId !== p.sub) throw new NotFound('No such person in your household.');
    } else {
      if (!person) throw new NotFound('No such person.');
      if (!staffMaySee(p, person.region)) throw new Forbidden('This person is outside your region.');
      // The route has made staff state a reason (400 otherwise); reaching here without one is a bug.
      if (!reason) throw new Error('a staff export needs a reason');
      await recordAccess(db, { actor: p, registrantId, action: 'fhir.export', reason });
    }
    return exportBundle(person, await findImmunizations(db, registrantId), now);
  });
}
