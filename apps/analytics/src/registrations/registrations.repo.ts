import type { PoolClient } from 'pg';

/** Claims an event id; false when it was already processed. */
export async function claimEvent(db: PoolClient, eventId: string, eventType: string): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO analytics.processed_events (event_id, event_type) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
    [eventId, eventType],
  );
  return result.rowCount === 1;
}

export async function countRegistration(db: PoolClient, day: string, region: string, ageBand: string): Promise<void> {
  await db.query(
    `INSERT INTO analytics.daily_registrations (day, region, age_band, registrations) VALUES ($1, $2, $3, 1)
     ON CONFLICT (day, region, age_band)
     DO UPDATE SET registrations = analytics.daily_registrations.registrations + 1, updated_at = now()`,
    [day, region, ageBand],
  );
}

export async function dailyRegistrations(
  db: Pick<PoolClient, 'query'>,
  filter: { from?: string; to?: string; region?: string },
): Promise<{ day: string; count: number }[]> {
  const result = await db.query<{ day: string; count: number }>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, sum(registrations)::int AS count
       FROM analytics.daily_registrations
      WHERE ($1::date IS NULL OR day >= $1) AND ($2::date IS NULL OR day <= $2)
        AND ($3::text IS NULL OR region = $3)
      GROUP BY day ORDER BY day`,
    [filter.from ?? null, filter.to ?? null, filter.region ?? null],
  );
  return result.rows;
}
