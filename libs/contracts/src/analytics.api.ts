import { z } from 'zod';
import { isoDate, regionSchema } from './common.js';

/**
 * HTTP payloads of the analytics service (`/api/analytics/v1`), shared with the web
 * app. Every dashboard read takes the same filters; days are UTC calendar days.
 */
const filterShape = {
  from: isoDate.optional(),
  to: isoDate.optional(),
  region: regionSchema.optional(),
  vaccine: z.uuid('must be a vaccine id').optional(),
};
const fromNotAfterTo = (q: { from?: string; to?: string }) => !q.from || !q.to || q.from <= q.to;
const rangeMessage = { message: 'from must not be after to', path: ['from'] };

export const analyticsFilters = z.object(filterShape).refine(fromNotAfterTo, rangeMessage);
export type AnalyticsFilters = z.infer<typeof analyticsFilters>;

export const INTERVALS = ['day', 'week'] as const;
export const timeSeriesQuery = z
  .object({ ...filterShape, interval: z.enum(INTERVALS).default('day') })
  .refine(fromNotAfterTo, rangeMessage);

export const BREAKDOWN_DIMENSIONS = ['region', 'vaccine', 'ageBand', 'sex', 'doseNumber'] as const;
export type BreakdownDimension = (typeof BREAKDOWN_DIMENSIONS)[number];
export const breakdownParams = z.object({ dimension: z.enum(BREAKDOWN_DIMENSIONS) });

export const limitedQuery = z
  .object({ ...filterShape, limit: z.coerce.number().int().min(1).max(500).default(20) })
  .refine(fromNotAfterTo, rangeMessage);

// ---- responses ----
export const coverageCell = z.object({
  region: z.string(),
  ageBand: z.string(),
  /** Target population from the loaded CSV; null when none was loaded for this cell. */
  population: z.number().int().nullable(),
  atLeastOneDose: z.number().int(),
  fullSeries: z.number().int(),
  /** Shares of the target population (0–1), null without a population. */
  atLeastOneDoseRate: z.number().nullable(),
  fullSeriesRate: z.number().nullable(),
});
export type CoverageCell = z.infer<typeof coverageCell>;
export const coverageResponse = z.object({
  items: z.array(coverageCell),
  totals: coverageCell.omit({ region: true, ageBand: true }),
});
export type CoverageResponse = z.infer<typeof coverageResponse>;

export const analyticsSummary = z.object({
  registrations: z.number().int(),
  bookings: z.number().int(),
  cancellations: z.number().int(),
  noShows: z.number().int(),
  doses: z.number().int(),
  aefiReports: z.number().int(),
  coverage: coverageResponse.shape.totals,
});
export type AnalyticsSummary = z.infer<typeof analyticsSummary>;

export const timeSeriesPoint = z.object({
  /** First day of the period (a Monday for weeks). */
  period: isoDate,
  registrations: z.number().int(),
  bookings: z.number().int(),
  cancellations: z.number().int(),
  noShows: z.number().int(),
  doses: z.number().int(),
});
export type TimeSeriesPoint = z.infer<typeof timeSeriesPoint>;
export const timeSeriesResponse = z.object({ interval: z.enum(INTERVALS), items: z.array(timeSeriesPoint) });
export type TimeSeriesResponse = z.infer<typeof timeSeriesResponse>;

export const breakdownResponse = z.object({
  dimension: z.enum(BREAKDOWN_DIMENSIONS),
  /** Doses administered per value of the dimension; `label` names a vaccine. */
  items: z.array(z.object({ key: z.string(), label: z.string().nullable(), doses: z.number().int() })),
});
export type BreakdownResponse = z.infer<typeof breakdownResponse>;

export const topCentersResponse = z.object({
  items: z.array(
    z.object({
      centerId: z.uuid(),
      name: z.string().nullable(),
      region: z.string(),
      doses: z.number().int(),
      bookings: z.number().int(),
    }),
  ),
});
export type TopCentersResponse = z.infer<typeof topCentersResponse>;

export const utilizationResponse = z.object({
  items: z.array(
    z.object({
      day: isoDate,
      centerId: z.uuid(),
      name: z.string().nullable(),
      region: z.string(),
      /** Active (not cancelled) appointments whose slot starts that day. */
      scheduled: z.number().int(),
      administered: z.number().int(),
      /** administered ÷ scheduled, null when nothing was scheduled. */
      attendanceRate: z.number().nullable(),
      /** Seats of the center's sessions that day (from `session.scheduled`); null when none is known. */
      capacity: z.number().int().nullable(),
      /** scheduled ÷ capacity, null without a capacity. */
      bookedRate: z.number().nullable(),
    }),
  ),
});
export type UtilizationResponse = z.infer<typeof utilizationResponse>;

export const aefiByLotResponse = z.object({
  items: z.array(
    z.object({
      lotNumber: z.string(),
      vaccineId: z.uuid(),
      vaccineName: z.string().nullable(),
      reports: z.number().int(),
      /** severe, life-threatening or death. */
      serious: z.number().int(),
      doses: z.number().int(),
      reportsPer100k: z.number().nullable(),
      recalled: z.boolean(),
    }),
  ),
});
export type AefiByLotResponse = z.infer<typeof aefiByLotResponse>;

// ---- reports ----
export const REPORT_KINDS = ['doses-line-list', 'coverage', 'aefi'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
export const REPORT_STATUSES = ['queued', 'running', 'done', 'failed'] as const;

export const createReportRequest = z.object({
  kind: z.enum(REPORT_KINDS),
  format: z.literal('csv').default('csv'),
  filters: analyticsFilters.default({}),
});
export type CreateReportRequest = z.input<typeof createReportRequest>;

export const reportParams = z.object({ reportId: z.uuid('must be a report id') });

export const reportView = z.object({
  id: z.uuid(),
  kind: z.enum(REPORT_KINDS),
  format: z.literal('csv'),
  filters: analyticsFilters,
  status: z.enum(REPORT_STATUSES),
  /** 0–100. */
  progress: z.number().int(),
  rows: z.number().int().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  /** When done: a short-lived link (S3) or the API's authenticated download path. */
  downloadUrl: z.string().nullable(),
  error: z.string().nullable(),
});
export type ReportView = z.infer<typeof reportView>;
