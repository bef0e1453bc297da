import { hash, verify } from '@node-rs/argon2';
import type { Signer } from '@jab/auth';
import { Unauthorized } from '@jab/http';
import type { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { findStaffByEmail, upsertStaff, type StaffRole } from './staff.repo.js';

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

export async function createStaff(
  pool: Pool,
  input: { email: string; password: string; role: StaffRole; region?: string; centerId?: string },
): Promise<void> {
  if (input.password.length < 12) throw new Error('A staff password needs at least 12 characters.');
  await upsertStaff(pool, {
    id: uuidv7(),
    email: input.email,
    passwordHash: await hash(input.password),
    role: input.role,
    region: input.region ?? null,
    centerId: input.centerId ?? null,
  });
}
