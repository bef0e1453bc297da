import { hash, verify } from '@node-rs/argon2';
import { missingScopeProblem, type Signer } from '@jab/auth';
import { Forbidden, Unauthorized } from '@jab/http';
import type { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { findCenterRegion, findStaffByEmail, upsertStaff, type StaffRole } from './staff.repo.js';

export const STAFF_TOKEN_TTL_SECONDS = 15 * 60;

// Verifying against a real hash when the email is unknown keeps the response time
// the same for known and unknown accounts (no account enumeration by timing).
let decoyHash: Promise<string> | undefined;
const decoy = () => (decoyHash ??= hash('decoy-password-for-timing'));

export async function signInStaff(
  deps: { pool: Pool; signer: Signer; audience: string },
  email: string,
  password: string,
): Promise<{ accessToken: string; role: StaffRole }> {
  const staff = await findStaffByEmail(deps.pool, email);
  const ok = await verify(staff?.passwordHash ?? (await decoy()), password);
  if (!staff || !ok) throw new Unauthorized('Email or password is wrong.');
  // Accounts made before every role needed its scope: no token that would reach every region.
  const problem = missingScopeProblem({ sub: staff.id, role: staff.role, region: staff.region ?? undefined, centerId: staff.centerId ?? undefined });
  if (problem) throw new Forbidden(problem);
  const accessToken = await deps.signer.issue({
    sub: staff.id,
    role: staff.role,
    region: staff.region ?? undefined,
    centerId: staff.centerId ?? undefined,
    audience: deps.audience,
    ttlSeconds: STAFF_TOKEN_TTL_SECONDS,
  });
  return { accessToken, role: staff.role };
}

/**
 * Creates or updates a staff account with the scope its role needs (docs/decisions/0005):
 * a vaccinator a center (and its region), a center admin a region (or a center, whose
 * region it takes). A region other than the center's is refused.
 */
export async function createStaff(
  pool: Pool,
  input: { email: string; password: string; role: StaffRole; region?: string; centerId?: string },
): Promise<void> {
  if (input.password.length < 12) throw new Error('A staff password needs at least 12 characters.');
  let region = input.region;
  if (input.centerId !== undefined) {
    const center = await findCenterRegion(pool, input.centerId);
    if (center === undefined) throw new Error(`No center ${input.centerId}.`);
    if (region !== undefined && region !== center) throw new Error(`Center ${input.centerId} is in ${center}, not ${region}: give --region ${center} or none.`);
    region = center;
  }
  if (input.role === 'staff' && input.centerId === undefined) throw new Error('A vaccinator (staff) works at one center: give --center CENTER-UUID.');
  if (input.role === 'center-admin' && region === undefined) throw new Error('A center admin works in one region: give --region XX-YY or --center CENTER-UUID.');
  await upsertStaff(pool, {
    id: uuidv7(),
    email: input.email,
    passwordHash: await hash(input.password),
    role: input.role,
    region: region ?? null,
    centerId: input.centerId ?? null,
  });
}
