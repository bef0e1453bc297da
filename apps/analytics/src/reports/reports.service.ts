import type { AnalyticsFilters, ReportKind, ReportView } from '@jab/contracts';
import { Conflict, NotFound } from '@jab/http';
import type { Logger } from '@jab/logger';
import { stringify } from 'csv-stringify';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool } from 'pg';
import { scoped, type Viewer } from '../dashboards/scope.js';
import type { ReportStore } from './report-store.js';
import * as repo from './reports.repo.js';
import type { TaskRunner } from './task-runner.js';

export const RUN_REPORT_COMMAND = 'run-report';

export interface ReportsDeps {
  pool: Pool;
  store: ReportStore;
  runner: TaskRunner;
  logger: Logger;
}

async function toView(store: ReportStore, r: repo.ReportRow): Promise<ReportView> {
  return {
    id: r.id,
    kind: r.kind,
    format: r.format,
    filters: r.filters,
    status: r.status,
    progress: r.progress,
    rows: r.rows,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
    downloadUrl: r.status === 'done' && r.objectKey ? await store.link(r.objectKey, r.id) : null,
    error: r.error,
  };
}

/** Reports are private to whoever asked for them; national admins see all of them. */
async function visibleReport(pool: Pool, viewer: Viewer & { sub: string }, id: string): Promise<repo.ReportRow> {
  const report = await repo.findReport(pool, id);
  // Someone else's report answers like a missing one: ids are not an oracle.
  if (!report || (report.requestedBy !== viewer.sub && viewer.role !== 'national-admin')) throw new NotFound('No such report.');
  return report;
}

export function createReports(deps: ReportsDeps) {
  const { pool, store, runner, logger } = deps;
  const running = new Set<Promise<void>>();

  /** Starts the task and records its failure if it ends badly without saying so itself. */
  function launch(id: string): void {
    const task = runner
      .run(RUN_REPORT_COMMAND, [id])
      .then(async (outcome) => {
        if (outcome.exitCode !== 0) {
          logger.warn({ reportId: id, exitCode: outcome.exitCode, reason: outcome.reason }, 'report task failed');
          await repo.failReport(pool, id, `The report task stopped with exit code ${outcome.exitCode}.`);
        }
      })
      .catch(async (err: unknown) => {
        logger.error({ err, reportId: id }, 'report task could not be started');
        await repo.failReport(pool, id, 'The report task could not be started.').catch(() => undefined);
      })
      .finally(() => running.delete(task));
    running.add(task);
  }

  return {
    async request(viewer: Viewer & { sub: string }, input: { kind: ReportKind; filters: AnalyticsFilters }): Promise<ReportView> {
      const filters = scoped(viewer, input.filters);
      const report = await repo.insertReport(pool, { id: randomUUID(), kind: input.kind, filters, requestedBy: viewer.sub });
      launch(report.id);
      return toView(store, report);
    },

    async view(viewer: Viewer & { sub: string }, id: string): Promise<ReportView> {
      return toView(store, await visibleReport(pool, viewer, id));
    },

    async download(viewer: Viewer & { sub: string }, id: string): Promise<{ stream: Readable; filename: string }> {
      const report = await visibleReport(pool, viewer, id);
      if (report.status !== 'done' || !report.objectKey) throw new Conflict('The report is not ready yet.');
      return { stream: await store.read(report.objectKey), filename: `${report.kind}-${report.id}.csv` };
    },

    /** Waits for the tasks this process started (graceful shutdown, tests). */
    settled: async () => void (await Promise.all([...running])),
  };
}
export type Reports = ReturnType<typeof createReports>;

/**
 * The task side (`run-report <id>`): streams the report's rows from a cursor through
 * csv-stringify into the store, recording progress, then the result. The rows come from
 * the reader (an export may be a second behind, and its long snapshot stays off the
 * writer); the report's own row (taken, progress, outcome) is written to the writer.
 */
export async function runReport(
  deps: { pool: Pool; readPool: Pool; store: ReportStore; logger: Logger; batchSize?: number },
  id: string,
): Promise<void> {
  const { pool, readPool, store, logger, batchSize = 5_000 } = deps;
  const report = await repo.startReport(pool, id);
  if (!report) throw new Error(`report ${id} is unknown or was already started`);
  const key = `reports/${id}.csv`;
  const query = repo.reportQuery(report.kind, report.filters);
  let written = 0;
  let shown = 0;

  async function* rows() {
    for await (const batch of repo.cursorBatches(readPool, query, batchSize)) {
      yield* batch.rows;
      written += batch.rows.length;
      // 100 only once the file is stored.
      const progress = Math.min(99, Math.floor((written / Math.max(batch.total, 1)) * 100));
      if (progress > shown) {
        shown = progress;
        await repo.setProgress(pool, id, progress);
      }
    }
  }

  try {
    const csv = stringify({ header: true, columns: query.columns });
    await Promise.all([
      pipeline(Readable.from(rows()), csv),
      // A store that gives up must stop the producer too, or the pipeline waits forever.
      store.put(key, csv).catch((err: unknown) => {
        csv.destroy(err instanceof Error ? err : new Error(String(err)));
        throw err;
      }),
    ]);
    await repo.finishReport(pool, id, key, written);
    logger.info({ reportId: id, kind: report.kind, rows: written }, 'report written');
  } catch (error) {
    await repo.failReport(pool, id, 'The report could not be written.');
    throw error;
  }
}
