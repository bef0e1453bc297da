import type { PoolClient } from 'pg';

export interface PopulationRow {
  region: string;
  ageBand: string;
  population: number;
}

export async function upsertPopulation(db: PoolClient, rows: PopulationRow[]): Promise<void> {
  await db.query(
    `INSERT INTO analytics.target_population (region, age_band, population)
     SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
     ON CONFLICT (region, age_band) DO UPDATE SET population = EXCLUDED.population, updated_at = now()`,
    [rows.map((r) => r.region), rows.map((r) => r.ageBand), rows.map((r) => r.population)],
  );
}
