import type {
  AefiByLotResponse,
  AnalyticsSummary,
  BreakdownDimension,
  BreakdownResponse,
  CoverageCell,
  CoverageResponse,
  DailyRegistrations,
  TimeSeriesResponse,
  TopCentersResponse,
  UtilizationResponse,
} from '@jab/contracts';
import type { Cache } from '@jab/cache';
import type { Pool } from 'pg';
import type { DataVersion } from './data-version.js';
import * as repo from './dashboards.repo.js';
import type { Filters, Interval } from './dashboards.repo.js';
import { scoped, type Viewer } from './scope.js';

export interface DashboardDeps {
  /** Dashboards only read, and may be a second behind: the Aurora reader (decision 0006). */
  readPool: Pool;
  cache: Cache;
  version: DataVersion;
  ttlSeconds: number;
}

export type Dashboards = ReturnType<typeof createDashboards>;

const rate = (n: number, population: number | null) => (population ? n / population : null);

function coverageCell(row: repo.CoverageRow): CoverageCell {
  return {
    ...row,
    atLeastOneDoseRate: rate(row.atLeastOneDose, row.population),
    fullSeriesRate: rate(row.fullSeries, row.population),
  };
}

function coverageTotals(items: CoverageCell[]): CoverageResponse['totals'] {
  const withPopulation = items.filter((i) => i.population !== null);
  const population = withPopulation.length > 0 ? withPopulation.reduce((s, i) => s + (i.population ?? 0), 0) : null;
  const atLeastOneDose = items.reduce((s, i) => s + i.atLeastOneDose, 0);
  const fullSeries = items.reduce((s, i) => s + i.fullSeries, 0);
  // Rates only over cells that have a population, so missing cells do not inflate them.
  const covered = (pick: (i: CoverageCell) => number) => withPopulation.reduce((s, i) => s + pick(i), 0);
  return {
    population,
    atLeastOneDose,
    fullSeries,
    atLeastOneDoseRate: rate(covered((i) => i.atLeastOneDose), population),
    fullSeriesRate: rate(covered((i) => i.fullSeries), population),
  };
}

const sum = (rows: { n: number }[]) => rows.reduce((s, r) => s + r.n, 0);

/**
 * Dashboard reads: scoped to the viewer, answered from Redis when the same question
 * was asked since the last change (the data version is part of every key).
 */
export function createDashboards({ readPool: pool, cache, version, ttlSeconds }: DashboardDeps) {
  async function cached<T>(name: string, f: Filters, extra: (string | number)[], load: () => Promise<T>): Promise<T> {
    const key = [await version.current(), name, f.from ?? '', f.to ?? '', f.region ?? '*', f.vaccine ?? '*', ...extra].join('|');
    return cache.getOrLoad(key, ttlSeconds, load);
  }

  async function coverage(f: Filters): Promise<CoverageResponse> {
    const items = (await repo.coverage(pool, f)).map(coverageCell);
    return { items, totals: coverageTotals(items) };
  }

  async function timeSeries(f: Filters, interval: Interval): Promise<TimeSeriesResponse> {
    const [registrations, appointments, doses, noShows] = await Promise.all([
      repo.registrationSeries(pool, f, interval),
      repo.appointmentSeries(pool, f, interval),
      repo.doseSeries(pool, f, interval),
      repo.noShowSeries(pool, f, interval),
    ]);
    const points = new Map<string, TimeSeriesResponse['items'][number]>();
    const at = (period: string) => {
      let p = points.get(period);
      if (!p) points.set(period, (p = { period, registrations: 0, bookings: 0, cancellations: 0, noShows: 0, doses: 0 }));
      return p;
    };
    for (const r of registrations) at(r.period).registrations = r.n;
    for (const r of appointments) Object.assign(at(r.period), { bookings: r.booked, cancellations: r.cancelled });
    for (const r of doses) at(r.period).doses = r.n;
    for (const r of noShows) at(r.period).noShows = r.n;
    return { interval, items: [...points.values()].sort((a, b) => a.period.localeCompare(b.period)) };
  }

  return {
    summary: (viewer: Viewer, filters: Filters): Promise<AnalyticsSummary> => {
      const f = scoped(viewer, filters);
      return cached('summary', f, [], async () => {
        const [series, aefiReports, cov] = await Promise.all([timeSeries(f, 'day'), repo.aefiCount(pool, f), coverage(f)]);
        const total = (k: 'registrations' | 'bookings' | 'cancellations' | 'noShows' | 'doses') =>
          series.items.reduce((s, p) => s + p[k], 0);
        return {
          registrations: total('registrations'),
          bookings: total('bookings'),
          cancellations: total('cancellations'),
          noShows: total('noShows'),
          doses: total('doses'),
          aefiReports,
          coverage: cov.totals,
        };
      });
    },

    timeSeries: (viewer: Viewer, filters: Filters, interval: Interval) => {
      const f = scoped(viewer, filters);
      return cached('series', f, [interval], () => timeSeries(f, interval));
    },

    breakdown: (viewer: Viewer, filters: Filters, dimension: BreakdownDimension): Promise<BreakdownResponse> => {
      const f = scoped(viewer, filters);
      return cached('breakdown', f, [dimension], async () => ({ dimension, items: await repo.dosesBy(pool, f, dimension) }));
    },

    topCenters: (viewer: Viewer, filters: Filters, limit: number): Promise<TopCentersResponse> => {
      const f = scoped(viewer, filters);
      return cached('top-centers', f, [limit], async () => ({ items: await repo.topCenters(pool, f, limit) }));
    },

    utilization: (viewer: Viewer, filters: Filters, limit: number): Promise<UtilizationResponse> => {
      const f = scoped(viewer, filters);
      return cached('utilization', f, [limit], async () => ({
        items: (await repo.utilization(pool, f, limit)).map((r) => ({
          ...r,
          attendanceRate: r.scheduled > 0 ? r.administered / r.scheduled : null,
          bookedRate: r.capacity ? r.scheduled / r.capacity : null,
        })),
      }));
    },

    coverage: (viewer: Viewer, filters: Filters): Promise<CoverageResponse> => {
      const f = scoped(viewer, filters);
      return cached('coverage', f, [], () => coverage(f));
    },

    aefiByLot: (viewer: Viewer, filters: Filters, limit: number): Promise<AefiByLotResponse> => {
      const f = scoped(viewer, filters);
      return cached('aefi-lots', f, [limit], async () => ({
        items: (await repo.aefiByLot(pool, f, limit)).map((r) => ({
          ...r,
          reportsPer100k: r.doses > 0 ? (r.reports / r.doses) * 100_000 : null,
        })),
      }));
    },

    registrationsPerDay: (viewer: Viewer, filters: Omit<Filters, 'vaccine'>): Promise<DailyRegistrations> => {
      const f = scoped(viewer, filters);
      return cached('registrations-daily', f, [], async () => {
        const items = (await repo.registrationSeries(pool, f, 'day')).map((r) => ({ day: r.period, count: r.n }));
        return { items, total: sum(items.map((i) => ({ n: i.count }))) };
      });
    },
  };
}
