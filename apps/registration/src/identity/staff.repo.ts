import type { Pool } from 'pg';

export type StaffRole = 'staff' | 'center-admin' | 'national-admin';

export interface StaffRow {
  id: string;
  email: string;
  passwordHash: string;
  role: StaffRole;
  region: string | null;
  centerId: string | null;
}

export async function findStaffByEmail(pool: Pool, email: string): Promise<StaffRow | undefined> {
  const result = await pool.query<StaffRow>(
    `SELECT id, email, password_hash AS "passwordHash", role, region, center_id AS "centerId"
       FROM registration.staff_accounts WHERE email = $1`,
    [email.toLowerCase()],
  );
  return result.rows[0];
}

/** The region of a center, to scope a staff account to it; undefined when there is no such center. */
export async function findCenterRegion(pool: Pool, centerId: string): Promise<string | undefined> {
  const result = await pool.query<{ region: string }>(`SELECT region FROM registration.centers WHERE id = $1`, [centerId]);
  return result.rows[0]?.region;
}

/** Creates the account, or replaces the password and role of an existing one. */
export async function upsertStaff(pool: Pool, row: StaffRow): Promise<void> {
  await pool.query(
    `INSERT INTO registration.staff_accounts (id, email, password_hash, role, region, center_id)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT ON CONSTRAINT staff_accounts_email_unique
     DO UPDATE SET password_hash = EXCLUDED.password_hash, role = EXCLUDED.role,
                   region = EXCLUDED.region, center_id = EXCLUDED.center_id, updated_at = now()`,
    [row.id, row.email.toLowerCase(), row.passwordHash, row.role, row.region, row.centerId],
  );
}
