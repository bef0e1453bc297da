import type { AnalyticsFilters, ReportKind } from '@jab/contracts';
import type { Pool } from 'pg';
import { coverageSql, where } from '../dashboards/dashboards.repo.js';

export interface ReportRow {
  id: string;
  kind: ReportKind;
  format: 'csv';
  filters: AnalyticsFilters;
  requestedBy: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  progress: number;
  rows: number | null;
  objectKey: string | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

const COLUMNS = `id, kind, format, filters, requested_by AS "requestedBy", status, progress, rows::float8 AS rows,
  object_key AS "objectKey", error, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
  to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "finishedAt"`;

export async function insertReport(
  db: Pick<Pool, 'query'>,
  r: { id: string; kind: ReportKind; filters: AnalyticsFilters; requestedBy: string },
): Promise<ReportRow> {
  const { rows } = await db.query<ReportRow>(
    `INSERT INTO analytics.reports (id, kind, format, filters, requested_by) VALUES ($1, $2, 'csv', $3, $4) RETURNING ${COLUMNS}`,
    [r.id, r.kind, JSON.stringify(r.filters), r.requestedBy],
  );
  return rows[0]!;
}

export async function findReport(db: Pick<Pool, 'query'>, id: string): Promise<ReportRow | undefined> {
  const { rows } = await db.query<ReportRow>(`SELECT ${COLUMNS} FROM analytics.reports WHERE id = $1`, [id]);
  return rows[0];
}

/** Takes a queued report for running; undefined when it is unknown or already taken. */
export async function startReport(db: Pick<Pool, 'query'>, id: string): Promise<ReportRow | undefined> {
  const { rows } = await db.query<ReportRow>(
    `UPDATE analytics.reports SET status = 'running', started_at = now() WHERE id = $1 AND status = 'queued' RETURNING ${COLUMNS}`,
    [id],
  );
  return rows[0];
}

export async function setProgress(db: Pick<Pool, 'query'>, id: string, progress: number): Promise<void> {
  await db.query(`UPDATE analytics.reports SET progress = $2 WHERE id = $1 AND status = 'running'`, [id, progress]);
}

export async function finishReport(db: Pick<Pool, 'query'>, id: string, objectKey: string, rows: number): Promise<void> {
  await db.query(
    `UPDATE analytics.reports SET status = 'done', progress = 100, rows = $3, object_key = $2, finished_at = now()
      WHERE id = $1 AND status = 'running'`,
    [id, objectKey, rows],
  );
}

/** Marks a report failed unless it already finished (the task may have recorded it). */
export async function failReport(db: Pick<Pool, 'query'>, id: string, error: string): Promise<void> {
  await db.query(
    `UPDATE analytics.reports SET status = 'failed', error = $2, finished_at = now() WHERE id = $1 AND status IN ('queued', 'running')`,
    [id, error],
  );
}

export interface ReportQuery {
  columns: string[];
  text: string;
  values: unknown[];
}

const isoTime = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The rows of each report kind, in a stable order; no names or contact data, only pseudonymous ids. */
export function reportQuery(kind: ReportKind, f: AnalyticsFilters): ReportQuery {
  const values: unknown[] = [];
  switch (kind) {
    case 'doses-line-list':
      return {
        columns: ['dose_id', 'administered_at', 'region', 'center_id', 'vaccine_id', 'vaccine_name', 'lot_number', 'dose_number',
          'series_doses', 'series_complete', 'age_band', 'sex', 'registrant_id', 'appointment_id'],
        text: `SELECT d.dose_id, ${isoTime('d.administered_at')}, d.region, d.center_id, d.vaccine_id, v.name, d.lot_number, d.dose_number,
                      d.series_doses, d.series_complete::text, d.age_band, d.sex, d.registrant_id, d.appointment_id
                 FROM analytics.doses d LEFT JOIN analytics.vaccines v ON v.vaccine_id = d.vaccine_id
                WHERE ${where(f, { day: `(d.administered_at AT TIME ZONE 'UTC')::date`, region: 'd.region', vaccine: 'd.vaccine_id' }, values)}
                ORDER BY d.administered_at, d.dose_id`,
        values,
      };
    case 'coverage':
      return {
        columns: ['region', 'age_band', 'population', 'at_least_one_dose', 'full_series', 'at_least_one_dose_rate', 'full_series_rate'],
        text: `SELECT c.region, c."ageBand", c.population, c."atLeastOneDose", c."fullSeries",
                      round((c."atLeastOneDose" / NULLIF(c.population, 0))::numeric, 6),
                      round((c."fullSeries" / NULLIF(c.population, 0))::numeric, 6)
                 FROM (${coverageSql(f, values)}) c`,
        values,
      };
    case 'aefi':
      return {
        columns: ['aefi_id', 'reported_at', 'onset_date', 'region', 'vaccine_id', 'vaccine_name', 'lot_number', 'severity',
          'reported_by', 'dose_id', 'lot_recalled'],
        text: `SELECT a.aefi_id, ${isoTime('a.reported_at')}, a.onset_date::text, a.region, a.vaccine_id, v.name, a.lot_number, a.severity,
                      a.reported_by, a.dose_id,
                      EXISTS (SELECT 1 FROM analytics.recalled_lots r WHERE r.vaccine_id = a.vaccine_id AND r.lot_number = a.lot_number)::text
                 FROM analytics.aefi_reports a LEFT JOIN analytics.vaccines v ON v.vaccine_id = a.vaccine_id
                WHERE ${where(f, { day: `(a.reported_at AT TIME ZONE 'UTC')::date`, region: 'a.region', vaccine: 'a.vaccine_id' }, values)}
                ORDER BY a.reported_at, a.aefi_id`,
        values,
      };
  }
}

/**
 * Streams a query's rows in batches through a server-side cursor, inside one
 * read-only snapshot so the count used for progress matches the rows written.
 * Memory holds one batch, whatever the number of rows.
 */
export async function* cursorBatches(pool: Pool, q: ReportQuery, batchSize: number): AsyncGenerator<{ rows: unknown[][]; total: number }> {
  const client = await pool.connect();
  let open = false;
  let broken: Error | undefined;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    open = true;
    const { rows: counted } = await client.query<{ n: number }>(`SELECT count(*)::float8 AS n FROM (${q.text}) q`, q.values);
    const total = counted[0]?.n ?? 0;
    await client.query(`DECLARE report_rows NO SCROLL CURSOR FOR ${q.text}`, q.values);
    for (;;) {
      const { rows } = await client.query<unknown[]>({ text: `FETCH ${batchSize} FROM report_rows`, rowMode: 'array' });
      if (rows.length === 0) break;
      yield { rows, total };
    }
    await client.query('COMMIT');
    open = false;
  } finally {
    if (open) await client.query('ROLLBACK').catch((err: Error) => (broken = err));
    client.release(broken);
  }
}
