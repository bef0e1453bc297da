import { actsInRegion, missingScope, type Principal } from '@jab/auth';
import { Forbidden } from '@jab/http';

/** What authorization needs to know about a center. */
export interface CenterScope {
  id: string;
  region: string;
}

const STAFF_ROLES = new Set(['staff', 'center-admin', 'national-admin']);

/**
 * Center admins are scoped either to one center (token claim `centerId`) or, without
 * one, to a region, and always carry the region; national admins reach every center.
 */
export function canManageCenter(p: Principal, center: CenterScope): boolean {
  if (p.role === 'national-admin') return true;
  if (p.role !== 'center-admin' || missingScope(p).length > 0) return false;
  return p.centerId ? p.centerId === center.id : p.region === center.region;
}

/** Staff (vaccinators) work at exactly the center their token names, in its region; admins as above. */
export function canWorkAtCenter(p: Principal, center: CenterScope): boolean {
  if (!STAFF_ROLES.has(p.role)) return false;
  if (p.role === 'staff') return missingScope(p).length === 0 && p.centerId === center.id && p.region === center.region;
  return canManageCenter(p, center);
}

/**
 * Acting on a person without an appointment they booked at the staff member's center
 * (a walk-in, a dose without appointment): people of the staff member's own region, and
 * anyone for national admins. A person of another region (a traveller) only with a
 * stated reason, which the access log keeps and the person sees as an act from another
 * region. Returns the stated reason, if any, for the caller to audit.
 */
export function reasonToActOn(p: Principal, personRegion: string, stated: string | undefined): string | undefined {
  if (stated !== undefined || actsInRegion(p, personRegion)) return stated;
  throw new Forbidden(
    `This person is registered outside your region (${personRegion}). Without an appointment they booked at your center, state why you act (X-Access-Reason): it is written to their access log.`,
  );
}

export function assertWorksAtCenter(p: Principal, center: CenterScope): void {
  if (!canWorkAtCenter(p, center)) throw new Forbidden('You do not work at this center.');
}

export function assertManagesCenter(p: Principal, center: CenterScope): void {
  if (!canManageCenter(p, center)) throw new Forbidden('You do not manage this center.');
}
