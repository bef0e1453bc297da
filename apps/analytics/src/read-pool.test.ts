/**
 * Dashboards and report rows come from the Aurora reader; the report's own row is written
 * to the writer (docs/decisions/0006-read-replica.md). The reader here is a database that
 * nothing replicates into, behind a role that may only read: doses exist there alone, so
 * whatever counts them was answered by the reader.
 */
import type { AnalyticsSummary, BreakdownResponse, ReportView } from '@jab/contracts';
import { createLogger } from '@jab/logger';
import { createTestReader, startTestIssuer, startTestService, type TestIssuer, type TestReader, type TestService } from '@jab/runtime/testing';
import { parse } from 'csv-parse/sync';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalReportStore } from './reports/report-store.js';
import { insertReport } from './reports/reports.repo.js';
import { runReport } from './reports/reports.service.js';
import { analyticsService } from './service.js';

const VACCINE = '00000000-0000-4000-8000-0000000000d1';
const DOSES = 3;

let issuer: TestIssuer;
let reader: TestReader;
let svc: TestService;
let admin: string;

beforeAll(async () => {
  issuer = await startTestIssuer();
  reader = await createTestReader(analyticsService);
  svc = await startTestService(analyticsService, { JWKS_URL: issuer.jwksUrl, ROLE: 'api', DATABASE_READ_URL: reader.url });
  admin = await issuer.token('admin-1', 'national-admin');
  await reader.pool.query(`INSERT INTO analytics.vaccines (vaccine_id, name) VALUES ($1, 'Readervax')`, [VACCINE]);
  await reader.pool.query(
    `INSERT INTO analytics.doses (dose_id, registrant_id, appointment_id, center_id, region, vaccine_id, lot_number, dose_number,
        series_doses, series_complete, administered_at, age_band, sex)
     SELECT gen_random_uuid(), gen_random_uuid(), NULL, gen_random_uuid(), 'SE-AB', $2, 'R-1', 1, 2, false,
            timestamptz '2026-03-01T00:00:00Z' + i * interval '1 hour', '18-27', 'female'
       FROM generate_series(1, $1) i`,
    [DOSES, VACCINE],
  );
}, 60_000);

afterAll(async () => {
  await svc?.stop();
  await reader?.drop();
  await issuer?.close();
});

describe('the read pool', () => {
  it('answers dashboards from the reader', async () => {
    const summary = await svc.http.get<AnalyticsSummary>('/summary', { token: admin });
    expect(summary.body.doses).toBe(DOSES);
    const byVaccine = await svc.http.get<BreakdownResponse>('/breakdowns/vaccine', { token: admin });
    expect(byVaccine.body.items).toEqual([{ key: VACCINE, label: 'Readervax', doses: DOSES }]);
  });

  it("streams a report's rows from the reader and records the report on the writer", async () => {
    const id = '00000000-0000-4000-8000-0000000000d2';
    await insertReport(svc.pool, { id, kind: 'doses-line-list', filters: { vaccine: VACCINE }, requestedBy: 'admin-1' });
    const dir = await mkdtemp(join(tmpdir(), 'jab-reports-'));
    const readPool = new pg.Pool({ connectionString: reader.url, max: 1 });
    try {
      const logger = createLogger({ service: 'test', level: 'silent' });
      await runReport({ pool: svc.pool, readPool, store: new LocalReportStore(dir), logger }, id);
    } finally {
      await readPool.end();
    }
    const rows = parse(await readFile(join(dir, `reports/${id}.csv`), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r['lot_number'])).toEqual(Array(DOSES).fill('R-1'));
    expect((await svc.pool.query('SELECT 1 FROM analytics.doses')).rowCount).toBe(0);
    const view = await svc.http.get<ReportView>(`/reports/${id}`, { token: admin });
    expect(view.body).toMatchObject({ status: 'done', progress: 100, rows: DOSES });
  });
});
