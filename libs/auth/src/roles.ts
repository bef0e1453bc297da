export const ROLES = ['citizen', 'staff', 'center-admin', 'national-admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as proven by a verified token. */
export interface Principal {
  sub: string;
  role: Role;
  centerId?: string;
  region?: string;
}
