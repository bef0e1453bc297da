import type { Principal } from '@jab/auth';
import { Forbidden } from '@jab/http';

/** What authorization needs to know about a center. */
export interface CenterScope {
  id: string;
  region: string;
}

const STAFF_ROLES = new Set(['staff', 'center-admin', 'national-admin']);

/**
 * Center admins are scoped either to one center (token claim `centerId`) or, without
 * one, to a region; national admins reach every center.
 */
export function canManageCenter(p: Principal, center: CenterScope): boolean {
  if (p.role === 'national-admin') return true;
  if (p.role !== 'center-admin') return false;
  return p.centerId ? p.centerId === center.id : p.region === center.region;
}

/** Staff (vaccinators) work at exactly the center their token names; admins as above. */
export function canWorkAtCenter(p: Principal, center: CenterScope): boolean {
  if (!STAFF_ROLES.has(p.role)) return false;
  if (p.role === 'staff') return p.centerId === center.id;
  return canManageCenter(p, center);
}

export function assertWorksAtCenter(p: Principal, center: CenterScope): void {
  if (!canWorkAtCenter(p, center)) throw new Forbidden('You do not work at this center.');
}

export function assertManagesCenter(p: Principal, center: CenterScope): void {
  if (!canManageCenter(p, center)) throw new Forbidden('You do not manage this center.');
}
