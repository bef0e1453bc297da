export const ROLES = ['citizen', 'staff', 'center-admin', 'national-admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as proven by a verified token. */
export interface Principal {
  sub: string;
  role: Role;
  centerId?: string;
  region?: string;
}

/**
 * What a staff token must name for its role (docs/decisions/0005): a vaccinator works at
 * one center of one region, a center admin in one region (at one of its centers or across
 * it), a national admin everywhere. Empty when nothing is missing, and for citizens.
 */
export function missingScope(p: Principal): ('region' | 'center')[] {
  const missing: ('region' | 'center')[] = [];
  if (p.role !== 'staff' && p.role !== 'center-admin') return missing;
  if (!p.region) missing.push('region');
  if (p.role === 'staff' && !p.centerId) missing.push('center');
  return missing;
}

/** What a staff member without their scope is told, or undefined when nothing is missing. */
export function missingScopeProblem(p: Principal): string | undefined {
  const missing = missingScope(p);
  if (missing.length === 0) return undefined;
  return `Your staff account has ${missing.map((m) => `no ${m}`).join(' and ')}; ask an administrator to set ${missing.length > 1 ? 'them' : 'it'}.`;
}

/** Whether staff may act on a person or a record of `region`: national admins anywhere, scoped staff and center admins in theirs. */
export function actsInRegion(p: Principal, region: string): boolean {
  if (p.role === 'national-admin') return true;
  if (p.role === 'citizen' || missingScope(p).length > 0) return false;
  return p.region === region;
}
