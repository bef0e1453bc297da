import type { Principal } from '@jab/auth';
import { Forbidden, NotFound } from '@jab/http';
import { recordAccess } from '../audit/audit.js';
import type { Pools } from '../pools.js';
import { findRegistrant } from '../registrants/registrants.repo.js';
import { staffMaySee } from '../registrants/registrants.service.js';
import { exportBundle, type FhirBundle } from './fhir.mapping.js';
import { findImmunizations } from './fhir.repo.js';

/**
 * A person's record as a FHIR R4 Bundle, read from the reader (an export may be a second
 * behind): their household reads it freely; staff of the person's region and national
 * admins with a stated reason, audited on the writer before the bundle is answered.
 */
export async function exportRegistrant(
  { pool, readPool }: Pools,
  p: Principal,
  registrantId: string,
  reason?: string,
  now = new Date(),
): Promise<FhirBundle> {
  const person = await findRegistrant(readPool, registrantId);
  if (p.role === 'citizen') {
    if (!person || person.accountId !== p.sub) throw new NotFound('No such person in your household.');
    return exportBundle(person, await findImmunizations(readPool, registrantId), now);
  }
  if (!person) throw new NotFound('No such person.');
  if (!staffMaySee(p, person.region)) throw new Forbidden('This person is outside your region.');
  // The route has made staff state a reason (400 otherwise); reaching here without one is a bug.
  if (!reason) throw new Error('a staff export needs a reason');
  const immunizations = await findImmunizations(readPool, registrantId);
  await recordAccess(pool, { actor: p, registrantId, action: 'fhir.export', reason });
  return exportBundle(person, immunizations, now);
}
