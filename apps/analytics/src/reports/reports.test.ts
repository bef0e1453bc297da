import type { ReportView } from '@jab/contracts';
import { createLogger } from '@jab/logger';
import { startTestIssuer, startTestService, type TestIssuer, type TestService } from '@jab/runtime/testing';
import { waitFor } from '@jab/testing';
import { parse } from 'csv-parse/sync';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsService } from '../service.js';
import { LocalReportStore } from './report-store.js';
import { createReports, runReport } from './reports.service.js';
import { insertReport } from './reports.repo.js';
import { LocalTaskRunner } from './task-runner.js';

const logger = createLogger({ service: 'test', level: 'silent' });
const ROWS = 100_000;
const VACCINE = '00000000-0000-4000-8000-00000000000a';

let issuer: TestIssuer;
let svc: TestService;
let reportDir: string;
let national: string;
let seAdmin: string;
let lineList: ReportView;
let regionalAefi: ReportView;
const SMALL_VACCINE = '00000000-0000-4000-8000-00000000000b';

beforeAll(async () => {
  issuer = await startTestIssuer();
  reportDir = await mkdtemp(join(tmpdir(), 'jab-reports-'));
  svc = await startTestService(analyticsService, { JWKS_URL: issuer.jwksUrl, REPORT_RUNNER: 'local', REPORT_STORE: 'local', REPORT_DIR: reportDir });
  national = await issuer.token('admin-1', 'national-admin');
  seAdmin = await issuer.token('ca-se', 'center-admin', { region: 'SE-AB' });
  // Facts straight in SQL (the rollup triggers follow): fast, and the report reads facts.
  await svc.pool.query(`INSERT INTO analytics.vaccines (vaccine_id, name) VALUES ($1, 'Comirnaty')`, [VACCINE]);
  await svc.pool.query(
    `INSERT INTO analytics.doses (dose_id, registrant_id, appointment_id, center_id, region, vaccine_id, lot_number, dose_number,
        series_doses, series_complete, administered_at, age_band, sex)
     SELECT gen_random_uuid(), gen_random_uuid(), NULL, gen_random_uuid(), (ARRAY['SE-AB', 'FR-IDF', 'IN-MH'])[1 + i % 3], $2,
            'LOT-' || (i % 7), 1 + i % 2, 2, i % 2 = 1, timestamptz '2026-03-01T00:00:00Z' + i * interval '17 seconds',
            (ARRAY['18-27', '28-37', '80+'])[1 + i % 3], (ARRAY['female', 'male', 'other', 'unknown'])[1 + i % 4]
       FROM generate_series(1, $1) i`,
    [ROWS, VACCINE],
  );
  await svc.pool.query(
    `INSERT INTO analytics.aefi_reports (aefi_id, dose_id, registrant_id, vaccine_id, lot_number, region, severity, onset_date, reported_by, reported_at)
     SELECT gen_random_uuid(), dose_id, registrant_id, vaccine_id, lot_number, region, 'mild', '2026-03-05', 'staff', administered_at + interval '1 day'
       FROM analytics.doses ORDER BY administered_at LIMIT 30`,
  );
  await svc.pool.query(
    `INSERT INTO analytics.doses (dose_id, registrant_id, appointment_id, center_id, region, vaccine_id, lot_number, dose_number,
        series_doses, series_complete, administered_at, age_band, sex)
     SELECT gen_random_uuid(), gen_random_uuid(), NULL, gen_random_uuid(), 'SE-AB', $1, 'S-1', 1, 1, true,
            timestamptz '2026-02-01T00:00:00Z' + i * interval '1 hour', '18-27', 'female'
       FROM generate_series(1, 40) i`,
    [SMALL_VACCINE],
  );
  // Both tasks start now and run side by side (each is a child process).
  const [a, b] = await Promise.all([
    svc.http.post<ReportView>('/reports', { kind: 'doses-line-list', filters: { vaccine: VACCINE } }, { token: national }),
    svc.http.post<ReportView>('/reports', { kind: 'aefi' }, { token: seAdmin }),
  ]);
  expect(a.status).toBe(202);
  expect(a.headers.get('location')).toBe(`/api/analytics/v1/reports/${a.body.id}`);
  expect(a.body).toMatchObject({ status: 'queued', progress: 0, downloadUrl: null });
  lineList = a.body;
  regionalAefi = b.body;
}, 60_000);

afterAll(async () => {
  await svc?.stop();
  await issuer?.close();
});

const finished = async (id: string, token: string): Promise<ReportView> =>
  (await waitFor(
    async () => {
      const res = await svc.http.get<ReportView>(`/reports/${id}`, { token });
      return res.body.status === 'done' || res.body.status === 'failed' ? res.body : undefined;
    },
    // A bound, not a speed claim: a child process streams 100,000 rows, on a shared machine.
    { timeoutMs: 110_000, intervalMs: 100 },
  ))!;

async function download(path: string, token: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${svc.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, text: await res.text() };
}

describe('reports', () => {
  it('exports a 100,000-row doses line list through a real child process, equal to the database', { timeout: 150_000 }, async () => {
    const done = await finished(lineList.id, national);
    expect(done).toMatchObject({ status: 'done', progress: 100, rows: ROWS, error: null });
    expect(done.downloadUrl).toBe(`/api/analytics/v1/reports/${lineList.id}/download`);

    const file = await download(done.downloadUrl!, national);
    expect(file.status).toBe(200);
    const rows = parse(file.text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(ROWS);
    const { rows: db } = await svc.pool.query<{ dose_id: string; region: string; lot_number: string; dose_number: number; series_complete: boolean; administered_at: Date; sex: string }>(
      `SELECT dose_id, region, lot_number, dose_number, series_complete, administered_at, sex FROM analytics.doses WHERE vaccine_id = $1 ORDER BY administered_at, dose_id`,
      [VACCINE],
    );
    expect(rows.map((r) => r['dose_id'])).toEqual(db.map((d) => d.dose_id));
    db.forEach((d, i) => {
      const r = rows[i]!;
      if (
        r['region'] !== d.region ||
        r['lot_number'] !== d.lot_number ||
        Number(r['dose_number']) !== d.dose_number ||
        r['series_complete'] !== String(d.series_complete) ||
        r['administered_at'] !== d.administered_at.toISOString() ||
        r['sex'] !== d.sex ||
        r['vaccine_name'] !== 'Comirnaty'
      ) {
        expect.fail(`row ${i} differs from the database: ${JSON.stringify(r)}`);
      }
    });
  });

  it('keeps a regional admin’s report to their region, and their reports to themselves', { timeout: 150_000 }, async () => {
    expect((await svc.http.post('/reports', { kind: 'aefi', filters: { region: 'FR-IDF' } }, { token: seAdmin })).status).toBe(403);
    const created = { body: regionalAefi };
    expect(created.body.filters).toEqual({ region: 'SE-AB' });

    const other = await issuer.token('ca-se-2', 'center-admin', { region: 'SE-AB' });
    expect((await svc.http.get(`/reports/${created.body.id}`, { token: other })).status).toBe(404);
    expect((await svc.http.get(`/reports/${created.body.id}`, { token: national })).status).toBe(200);

    const done = await finished(created.body.id, seAdmin);
    expect(done.status).toBe('done');
    const file = await download(done.downloadUrl!, seAdmin);
    const rows = parse(file.text, { columns: true }) as Record<string, string>[];
    const { rows: expected } = await svc.pool.query(`SELECT aefi_id FROM analytics.aefi_reports WHERE region = 'SE-AB'`);
    expect(rows.length).toBe(expected.length);
    expect(new Set(rows.map((r) => r['region']))).toEqual(new Set(['SE-AB']));
    expect((await download(done.downloadUrl!, other)).status).toBe(404);
  });

  it('refuses bad report requests field by field and records nothing', async () => {
    const res = await svc.http.post<{ errors: { path: string }[] }>('/reports', { kind: 'everything', format: 'xlsx' }, { token: national });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e) => e.path).sort()).toEqual(['body.format', 'body.kind']);
    expect((await svc.http.post('/reports', { kind: 'aefi' }, { token: await issuer.token('s', 'staff') })).status).toBe(403);
    expect((await svc.http.get('/reports/not-a-uuid', { token: national })).status).toBe(400);
  });

  it('writes a coverage table with the task’s own code, streaming from a cursor in small batches', async () => {
    await svc.pool.query(`INSERT INTO analytics.target_population VALUES ('SE-AB', '18-27', 50000)`);
    const id = '00000000-0000-4000-8000-0000000000c1';
    await insertReport(svc.pool, { id, kind: 'coverage', filters: { region: 'SE-AB', vaccine: SMALL_VACCINE }, requestedBy: 'admin-1' });
    const dir = await mkdtemp(join(tmpdir(), 'jab-reports-'));
    await runReport({ pool: svc.pool, readPool: svc.pool, store: new LocalReportStore(dir), logger, batchSize: 1 }, id);
    const rows = parse(await readFile(join(dir, `reports/${id}.csv`), 'utf8'), { columns: true }) as Record<string, string>[];
    const people = 40;
    expect(rows).toContainEqual({
      region: 'SE-AB',
      age_band: '18-27',
      population: '50000',
      at_least_one_dose: String(people),
      full_series: String(people),
      at_least_one_dose_rate: (people / 50000).toFixed(6),
      full_series_rate: (people / 50000).toFixed(6),
    });
    const view = await svc.http.get<ReportView>(`/reports/${id}`, { token: national });
    expect(view.body).toMatchObject({ status: 'done', progress: 100, rows: rows.length });
  });

  it('marks a report failed when its task exits non-zero', async () => {
    const runner = new LocalTaskRunner({ entry: ['-e', 'process.exit(3)'], env: {}, cwd: tmpdir(), timeoutMs: 10_000, logger });
    await expect(runner.run('run-report', ['x'])).resolves.toEqual({ exitCode: 3 });

    const reports = createReports({ pool: svc.pool, store: new LocalReportStore(reportDir), runner, logger });
    const view = await reports.request({ sub: 'admin-1', role: 'national-admin' }, { kind: 'coverage', filters: {} });
    await reports.settled();
    const failed = (await svc.http.get<ReportView>(`/reports/${view.id}`, { token: national })).body;
    expect(failed).toMatchObject({ status: 'failed', downloadUrl: null, error: 'The report task stopped with exit code 3.' });
  });
});
