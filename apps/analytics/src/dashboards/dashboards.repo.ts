import type { BreakdownDimension } from '@jab/contracts';
import type { Pool } from 'pg';

type Db = Pick<Pool, 'query'>;

/** Filters after scoping: `region` is the caller's own when they are regional. */
export interface Filters {
  from?: string;
  to?: string;
  region?: string;
  vaccine?: string;
}
export type Interval = 'day' | 'week';

/** SQL conditions over the named columns (constants of this file, never input). */
export function where(f: Filters, cols: { day: string; region: string; vaccine?: string }, values: unknown[]): string {
  const parts: string[] = ['TRUE'];
  const param = (v: unknown) => `$${values.push(v)}`;
  if (f.from) parts.push(`${cols.day} >= ${param(f.from)}::date`);
  if (f.to) parts.push(`${cols.day} <= ${param(f.to)}::date`);
  if (f.region) parts.push(`${cols.region} = ${param(f.region)}`);
  if (f.vaccine && cols.vaccine) parts.push(`${cols.vaccine} = ${param(f.vaccine)}::uuid`);
  return parts.join(' AND ');
}

const period = (day: string, interval: Interval) =>
  `to_char(${interval === 'week' ? `date_trunc('week', ${day})::date` : day}, 'YYYY-MM-DD')`;

export interface SeriesRow {
  period: string;
  n: number;
}

/** Registrations carry no vaccine: the vaccine filter does not apply to them. */
export async function registrationSeries(db: Db, f: Filters, interval: Interval): Promise<SeriesRow[]> {
  const values: unknown[] = [];
  const { rows } = await db.query<SeriesRow>(
    `SELECT ${period('day', interval)} AS period, sum(registrations)::int AS n
       FROM analytics.registrations_daily WHERE ${where(f, { day: 'day', region: 'region' }, values)}
      GROUP BY 1 HAVING sum(registrations) > 0 ORDER BY 1`,
    values,
  );
  return rows;
}

export async function appointmentSeries(db: Db, f: Filters, interval: Interval): Promise<{ period: string; booked: number; cancelled: number }[]> {
  const values: unknown[] = [];
  const { rows } = await db.query<{ period: string; booked: number; cancelled: number }>(
    `SELECT ${period('day', interval)} AS period, sum(booked)::int AS booked, sum(cancelled)::int AS cancelled
       FROM analytics.center_daily WHERE ${where(f, { day: 'day', region: 'region', vaccine: 'vaccine_id' }, values)}
      GROUP BY 1 HAVING sum(booked) > 0 OR sum(cancelled) > 0 ORDER BY 1`,
    values,
  );
  return rows;
}

export async function doseSeries(db: Db, f: Filters, interval: Interval): Promise<SeriesRow[]> {
  const values: unknown[] = [];
  const { rows } = await db.query<SeriesRow>(
    `SELECT ${period('day', interval)} AS period, sum(doses)::int AS n
       FROM analytics.doses_daily WHERE ${where(f, { day: 'day', region: 'region', vaccine: 'vaccine_id' }, values)}
      GROUP BY 1 HAVING sum(doses) > 0 ORDER BY 1`,
    values,
  );
  return rows;
}

/**
 * No-shows depend on the clock, so they are computed from the appointment facts at
 * read time: an active appointment whose slot has ended without a dose recorded for
 * it, or one registration cancelled as a no-show. Dated by the slot's start.
 */
export async function noShowSeries(db: Db, f: Filters, interval: Interval): Promise<SeriesRow[]> {
  const values: unknown[] = [];
  const day = `(a.starts_at AT TIME ZONE 'UTC')::date`;
  const { rows } = await db.query<SeriesRow>(
    `SELECT ${period(day, interval)} AS period, count(*)::int AS n
       FROM analytics.appointments a
      WHERE ((a.cancelled_at IS NULL AND a.ends_at < now()
              AND NOT EXISTS (SELECT 1 FROM analytics.doses d WHERE d.appointment_id = a.appointment_id))
             OR a.cancel_reason = 'no-show')
        AND ${where(f, { day, region: 'a.region', vaccine: 'a.vaccine_id' }, values)}
      GROUP BY 1 ORDER BY 1`,
    values,
  );
  return rows;
}

export async function aefiCount(db: Db, f: Filters): Promise<number> {
  const values: unknown[] = [];
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM analytics.aefi_reports
      WHERE ${where(f, { day: `(reported_at AT TIME ZONE 'UTC')::date`, region: 'region', vaccine: 'vaccine_id' }, values)}`,
    values,
  );
  return rows[0]?.n ?? 0;
}

const DIMENSION_COLUMNS: Record<BreakdownDimension, string> = {
  region: 'd.region',
  vaccine: 'd.vaccine_id',
  ageBand: 'd.age_band',
  sex: 'd.sex',
  doseNumber: 'd.dose_number',
};

export async function dosesBy(db: Db, f: Filters, dimension: BreakdownDimension): Promise<{ key: string; label: string | null; doses: number }[]> {
  const values: unknown[] = [];
  const col = DIMENSION_COLUMNS[dimension];
  const label = dimension === 'vaccine' ? 'v.name' : 'NULL::text';
  const { rows } = await db.query<{ key: string; label: string | null; doses: number }>(
    `SELECT ${col}::text AS key, ${label} AS label, sum(d.doses)::int AS doses
       FROM analytics.doses_daily d LEFT JOIN analytics.vaccines v ON v.vaccine_id = d.vaccine_id
      WHERE ${where(f, { day: 'd.day', region: 'd.region', vaccine: 'd.vaccine_id' }, values)}
      GROUP BY 1, 2 HAVING sum(d.doses) > 0 ORDER BY 3 DESC, 1`,
    values,
  );
  return rows;
}

export async function topCenters(db: Db, f: Filters, limit: number) {
  const values: unknown[] = [];
  const conditions = where(f, { day: 'c.day', region: 'c.region', vaccine: 'c.vaccine_id' }, values);
  const { rows } = await db.query<{ centerId: string; name: string | null; region: string; doses: number; bookings: number }>(
    `SELECT c.center_id AS "centerId", n.name, c.region, sum(c.administered)::int AS doses, sum(c.booked)::int AS bookings
       FROM analytics.center_daily c LEFT JOIN analytics.centers n ON n.center_id = c.center_id
      WHERE ${conditions}
      GROUP BY c.center_id, n.name, c.region HAVING sum(c.administered) > 0 OR sum(c.booked) > 0
      ORDER BY doses DESC, bookings DESC, c.center_id LIMIT $${values.push(limit)}`,
    values,
  );
  return rows;
}

export async function utilization(db: Db, f: Filters, limit: number) {
  const values: unknown[] = [];
  const conditions = where(f, { day: 'c.day', region: 'c.region', vaccine: 'c.vaccine_id' }, values);
  const vaccine = f.vaccine ? `AND s.vaccine_id = $${values.push(f.vaccine)}::uuid` : '';
  const { rows } = await db.query<{ day: string; centerId: string; name: string | null; region: string; scheduled: number; administered: number; capacity: number | null }>(
    `SELECT to_char(c.day, 'YYYY-MM-DD') AS day, c.center_id AS "centerId", n.name, c.region,
            sum(c.scheduled)::int AS scheduled, sum(c.administered)::int AS administered,
            (SELECT sum(s.capacity)::int FROM analytics.sessions s WHERE s.center_id = c.center_id AND s.day = c.day ${vaccine}) AS capacity
       FROM analytics.center_daily c LEFT JOIN analytics.centers n ON n.center_id = c.center_id
      WHERE ${conditions}
      GROUP BY c.day, c.center_id, n.name, c.region HAVING sum(c.scheduled) > 0 OR sum(c.administered) > 0
      ORDER BY c.day DESC, c.center_id LIMIT $${values.push(limit)}`,
    values,
  );
  return rows;
}

export interface CoverageRow {
  region: string;
  ageBand: string;
  population: number | null;
  atLeastOneDose: number;
  fullSeries: number;
}

/**
 * People with at least one dose and with a completed series (up to `to`), attributed
 * to the region and age band of their registration, or of their first dose when the
 * registration is unknown here; joined to the target population. `from` does not
 * apply: coverage is cumulative.
 */
export const coverageSql = (f: Filters, values: unknown[]): string => {
  const param = (v: unknown) => `$${values.push(v)}`;
  const doseConditions = ['TRUE'];
  if (f.to) doseConditions.push(`d.administered_at < ((${param(f.to)}::date + 1)::timestamp AT TIME ZONE 'UTC')`);
  if (f.vaccine) doseConditions.push(`d.vaccine_id = ${param(f.vaccine)}::uuid`);
  const regionCondition = f.region ? `COALESCE(c.region, p.region) = ${param(f.region)}` : 'TRUE';
  return `
    WITH people AS (
      SELECT d.registrant_id, bool_or(d.series_complete) AS complete,
             (array_agg(d.region ORDER BY d.administered_at, d.dose_id))[1] AS dose_region,
             (array_agg(d.age_band ORDER BY d.administered_at, d.dose_id))[1] AS dose_age_band
        FROM analytics.doses d WHERE ${doseConditions.join(' AND ')}
       GROUP BY d.registrant_id
    ), counted AS (
      SELECT COALESCE(r.region, p.dose_region) AS region, COALESCE(r.age_band, p.dose_age_band) AS age_band,
             count(*)::int AS at_least_one, (count(*) FILTER (WHERE p.complete))::int AS full_series
        FROM people p LEFT JOIN analytics.registrants r ON r.registrant_id = p.registrant_id AND NOT r.deleted
       GROUP BY 1, 2
    )
    SELECT COALESCE(c.region, p.region) AS region, COALESCE(c.age_band, p.age_band) AS "ageBand",
           p.population::float8 AS population,
           COALESCE(c.at_least_one, 0) AS "atLeastOneDose", COALESCE(c.full_series, 0) AS "fullSeries"
      FROM counted c FULL JOIN analytics.target_population p ON p.region = c.region AND p.age_band = c.age_band
     WHERE ${regionCondition}
     ORDER BY 1, 2`;
};

export async function coverage(db: Db, f: Filters): Promise<CoverageRow[]> {
  const values: unknown[] = [];
  const { rows } = await db.query<CoverageRow>(coverageSql(f, values), values);
  return rows;
}

export async function aefiByLot(db: Db, f: Filters, limit: number) {
  const values: unknown[] = [];
  const conditions = where(f, { day: `(a.reported_at AT TIME ZONE 'UTC')::date`, region: 'a.region', vaccine: 'a.vaccine_id' }, values);
  const doseRegion = f.region ? `AND d.region = ${`$${values.push(f.region)}`}` : '';
  const { rows } = await db.query<{
    lotNumber: string;
    vaccineId: string;
    vaccineName: string | null;
    reports: number;
    serious: number;
    doses: number;
    recalled: boolean;
  }>(
    `SELECT a.lot_number AS "lotNumber", a.vaccine_id AS "vaccineId", v.name AS "vaccineName", count(*)::int AS reports,
            (count(*) FILTER (WHERE a.severity IN ('severe', 'life-threatening', 'death')))::int AS serious,
            (SELECT count(*)::int FROM analytics.doses d
              WHERE d.lot_number = a.lot_number AND d.vaccine_id = a.vaccine_id ${doseRegion}) AS doses,
            EXISTS (SELECT 1 FROM analytics.recalled_lots r WHERE r.lot_number = a.lot_number AND r.vaccine_id = a.vaccine_id) AS recalled
       FROM analytics.aefi_reports a LEFT JOIN analytics.vaccines v ON v.vaccine_id = a.vaccine_id
      WHERE ${conditions}
      GROUP BY a.lot_number, a.vaccine_id, v.name
      ORDER BY reports DESC, a.lot_number LIMIT $${values.push(limit)}`,
    values,
  );
  return rows;
}
