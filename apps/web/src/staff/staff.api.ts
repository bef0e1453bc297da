/**
 * The staff console's calls, on the services' own contracts. Every call goes through the
 * staff member's authed request (`useStaffRequest`), which signs them out on a 401.
 */
import type {
  AefiView,
  AppointmentView,
  AvailabilityView,
  BookAppointmentRequest,
  CenterAppointmentList,
  CenterView,
  CertificateList,
  DoseView,
  LotView,
  RecordDoseRequest,
  RegistrantHit,
  RegistrantSearchResponse,
  ReportAefiRequest,
  StaffRegistrantView,
  VaccineView,
} from '@jab/contracts';
import { useMemo } from 'react';
import { API } from '../shared/api';
import { useStaffRequest, type AuthedRequest } from '../shared/session';

export type { RegistrantHit };

/** What staff type in the search form; empty fields are left out of the query. */
export interface SearchCriteria {
  q?: string;
  phoneSuffix?: string;
  birthYear?: number;
  region?: string;
  cursor?: string;
}

const reasonHeader = (reason: string) => ({ 'X-Access-Reason': reason });

export function staffApi(request: AuthedRequest) {
  const reg = API.registration;
  return {
    search: (criteria: SearchCriteria, signal?: AbortSignal) =>
      request<RegistrantSearchResponse>(`${API.search}/registrants`, { query: { ...criteria }, signal }),

    /** A staff read of a person is audited and needs the reason they give. */
    registrant: (id: string, reason: string, signal?: AbortSignal) =>
      request<StaffRegistrantView>(`${reg}/registrants/${encodeURIComponent(id)}`, { headers: reasonHeader(reason), signal }),
    /** The person's doses, as their health cards (each names its dose). */
    certificates: (registrantId: string, reason: string, signal?: AbortSignal) =>
      request<CertificateList>(`${reg}/certificates`, { query: { registrantId }, headers: reasonHeader(reason), signal }),

    center: (centerId: string, signal?: AbortSignal) => request<CenterView>(`${reg}/centers/${encodeURIComponent(centerId)}`, { signal }),
    centerDay: (centerId: string, date: string, cursor: string | undefined, signal?: AbortSignal) =>
      request<CenterAppointmentList>(`${reg}/centers/${encodeURIComponent(centerId)}/appointments`, { query: { date, cursor }, signal }),
    availability: (centerId: string, date: string, signal?: AbortSignal) =>
      request<AvailabilityView>(`${reg}/centers/${encodeURIComponent(centerId)}/availability`, { query: { date }, signal }),

    appointment: (appointmentId: string, signal?: AbortSignal) =>
      request<AppointmentView>(`${reg}/appointments/${encodeURIComponent(appointmentId)}`, { signal }),
    checkIn: (appointmentCode: string) => request<AppointmentView>(`${reg}/check-ins`, { method: 'POST', body: { appointmentCode } }),
    walkIn: (body: BookAppointmentRequest) => request<AppointmentView>(`${reg}/walk-ins`, { method: 'POST', body }),

    vaccines: async (signal?: AbortSignal) => (await request<{ items: VaccineView[] }>(`${reg}/vaccines`, { signal })).items,
    lots: async (vaccineId: string, signal?: AbortSignal) =>
      (await request<{ items: LotView[] }>(`${reg}/lots`, { query: { vaccineId }, signal })).items,
    recordDose: (body: RecordDoseRequest) => request<DoseView>(`${reg}/doses`, { method: 'POST', body }),
    reportAefi: (doseId: string, body: ReportAefiRequest) =>
      request<AefiView>(`${reg}/doses/${encodeURIComponent(doseId)}/adverse-events`, { method: 'POST', body }),
  };
}

export type StaffApi = ReturnType<typeof staffApi>;

export function useStaffApi(): StaffApi {
  const request = useStaffRequest();
  return useMemo(() => staffApi(request), [request]);
}

/** A calendar day (YYYY-MM-DD) in a time zone: the center's "today". */
export function dayIn(timeZone: string | undefined, now = new Date()): string {
  const parts = new Intl.DateTimeFormat('en', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}
