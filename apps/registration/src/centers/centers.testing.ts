import type { Pool } from 'pg';

/** A minimal real center for tests that need one to exist (staff scoped to it, say). */
export async function insertTestCenter(pool: Pool, id: string, region: string): Promise<void> {
  await pool.query(
    `INSERT INTO registration.centers (id, names, address, region, latitude, longitude, languages, time_zone, opening_hours)
     VALUES ($1, '{"en": "Test center"}', '1 Test Street', $2, 0, 0, ARRAY['en'], 'UTC', '[]')
     ON CONFLICT (id) DO NOTHING`,
    [id, region],
  );
}
