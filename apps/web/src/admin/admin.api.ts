/**
 * The admin dashboard's calls, on the services' own contracts, through the signed-in
 * admin's authed request (a 401 signs them out).
 */
import type {
  AnalyticsFilters,
  AnalyticsSummary,
  CenterView,
  CoverageResponse,
  CreateCenterRequest,
  CreateReportRequest,
  CreateSessionRequest,
  DailyRegistrations,
  LotView,
  ReportView,
  SessionView,
  TimeSeriesResponse,
  UtilizationResponse,
  VaccineView,
} from '@jab/contracts';
import { useMemo } from 'react';
import { API, ApiError } from '../shared/api';
import { useStaffRequest, type AuthedRequest } from '../shared/session';

export type { DailyRegistrations };

/** Where the notifications service serves the BullMQ dashboard (national admins). */
export const QUEUE_BOARD_URL = `${API.notifications}/admin/queues`;
/** Trades the admin's token for a cookie the board reads (a link carries no bearer header). */
export const QUEUE_BOARD_SESSION_URL = `${API.notifications}/admin/queue-board-sessions`;

type Query = Record<string, string | number | undefined>;
const filterQuery = (f: AnalyticsFilters): Query => ({ from: f.from, to: f.to, region: f.region, vaccine: f.vaccine });

export function adminApi(request: AuthedRequest) {
  const a = API.analytics;
  const reg = API.registration;
  return {
    summary: (f: AnalyticsFilters, signal?: AbortSignal) => request<AnalyticsSummary>(`${a}/summary`, { query: filterQuery(f), signal }),
    timeSeries: (f: AnalyticsFilters, signal?: AbortSignal) =>
      request<TimeSeriesResponse>(`${a}/timeseries`, { query: { ...filterQuery(f), interval: 'day' }, signal }),
    coverage: (f: AnalyticsFilters, signal?: AbortSignal) => request<CoverageResponse>(`${a}/coverage`, { query: filterQuery(f), signal }),
    utilization: (f: AnalyticsFilters, signal?: AbortSignal) =>
      request<UtilizationResponse>(`${a}/utilization`, { query: { ...filterQuery(f), limit: 100 }, signal }),
    /** Registrations have no vaccine: the filter does not apply to them. */
    registrations: (f: AnalyticsFilters, signal?: AbortSignal) =>
      request<DailyRegistrations>(`${a}/registrations/daily`, { query: { from: f.from, to: f.to, region: f.region }, signal }),

    createReport: (body: CreateReportRequest) => request<ReportView>(`${a}/reports`, { method: 'POST', body }),
    report: (id: string, signal?: AbortSignal) => request<ReportView>(`${a}/reports/${encodeURIComponent(id)}`, { signal }),

    vaccines: async (signal?: AbortSignal) => (await request<{ items: VaccineView[] }>(`${reg}/vaccines`, { signal })).items,
    centers: async (signal?: AbortSignal) => (await request<{ items: CenterView[] }>(`${reg}/centers`, { signal })).items,
    createCenter: (body: CreateCenterRequest) => request<CenterView>(`${reg}/centers`, { method: 'POST', body }),
    createSession: (centerId: string, body: CreateSessionRequest) =>
      request<SessionView>(`${reg}/centers/${encodeURIComponent(centerId)}/sessions`, { method: 'POST', body }),
    lots: async (signal?: AbortSignal) => (await request<{ items: LotView[] }>(`${reg}/lots`, { signal })).items,
    recallLot: (lotId: string, reason: string) => request<LotView>(`${reg}/lots/${encodeURIComponent(lotId)}/recall`, { method: 'POST', body: { reason } }),
  };
}

export type AdminApi = ReturnType<typeof adminApi>;

export function useAdminApi(): AdminApi {
  const request = useStaffRequest();
  return useMemo(() => adminApi(request), [request]);
}

/** Fetches a file through the API with the admin's token (a plain link cannot carry it). */
export async function downloadWithToken(url: string, token: string, filename: string): Promise<void> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new ApiError(res.status, res.statusText || `HTTP ${res.status}`, undefined, []);
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = href;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // Give the browser the time to start the download before the URL goes.
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}
