/**
 * Every call the citizen portal makes, against the services' real routes. Signed-in calls
 * take the authed request function of `useCitizenRequest()` (it renews the token on 401).
 */
import type {
  AccessLogEntry,
  AppointmentView,
  AvailabilityView,
  CenterHit,
  CenterView,
  CertificateSummary,
  CertificateView,
  Contact,
  Language,
  MessageView,
  OtpAccepted,
  RegisterResponse,
  RegistrantCreated,
  RegistrantView,
  SessionTokens,
  VaccineView,
  registerRequest,
  registrantCreateRequest,
  registrantUpdateRequest,
} from '@jab/contracts';
import type { z } from 'zod';
import { API, ApiError, apiRequest, fieldOf, type FieldError } from '../shared/api';
import type { AuthedRequest } from '../shared/session';

export type { Language } from '../shared/i18n';
export { LANGUAGES } from '../shared/i18n';

/** What the forms send (before the service's defaults apply). */
export type RegisterInput = z.input<typeof registerRequest>;
export type MemberInput = z.input<typeof registrantCreateRequest>;
export type MemberChanges = z.input<typeof registrantUpdateRequest>;
export type { Contact };
export type Registration = RegisterResponse;
export type Message = MessageView;
export type Person = RegistrantView;
export type Appointment = AppointmentView;
export type Center = CenterView;
export type Vaccine = VaccineView;
export type Availability = AvailabilityView;
export type Slot = AvailabilityView['slots'][number];
export type AccessEntry = AccessLogEntry;
export type CertificateItem = CertificateSummary;
export type Certificate = CertificateView;

/** A household has at most this many people (the service enforces it; the page says so first). */
export const HOUSEHOLD_SIZE = 4;

// ---- sign-in by one-time code ----

/** A 429: how long the service asks to wait (its Retry-After header), when it said. */
export class RateLimitedError extends ApiError {
  constructor(
    base: ApiError,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(base.status, base.title, base.detail, base.fieldErrors);
    this.name = 'RateLimitedError';
  }
}

function retryAfterOf(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/**
 * POST for the sign-in endpoints, which are rate-limited: like `apiRequest`, but a 429
 * keeps the Retry-After header (the shared client drops response headers).
 */
async function postSignIn<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { accept: 'application/json, application/problem+json', 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
  if (res.ok) return (await res.json()) as T;
  const problem = (await res.json().catch(() => ({}))) as { title?: unknown; detail?: unknown; errors?: unknown };
  const fieldErrors: FieldError[] = (Array.isArray(problem.errors) ? problem.errors : []).flatMap((e: unknown) => {
    const { path: at, message } = (e ?? {}) as { path?: unknown; message?: unknown };
    return typeof message === 'string' ? [{ field: fieldOf(at), message }] : [];
  });
  const error = new ApiError(
    res.status,
    typeof problem.title === 'string' ? problem.title : res.statusText || `HTTP ${res.status}`,
    typeof problem.detail === 'string' ? problem.detail : undefined,
    fieldErrors,
  );
  throw res.status === 429 ? new RateLimitedError(error, retryAfterOf(res.headers.get('retry-after'))) : error;
}

export function requestCode(contact: Contact, preferredLanguage: Language, signal?: AbortSignal): Promise<OtpAccepted> {
  return postSignIn(`${API.registration}/otp-requests`, { contact, preferredLanguage }, signal);
}

export function signInWithCode(contact: Contact, code: string, signal?: AbortSignal): Promise<SessionTokens> {
  return postSignIn(`${API.registration}/sessions`, { contact, code }, signal);
}

/** Ends the session on the server (its refresh token stops working); the page forgets the tokens anyway. */
export function signOut(refreshToken: string): Promise<void> {
  return apiRequest(`${API.registration}/sessions/logout`, { method: 'POST', body: { refreshToken } });
}

// ---- registration and household ----

/** First registration, without an account: creates the household and returns its token. */
export function register(input: RegisterInput, signal?: AbortSignal): Promise<Registration> {
  return apiRequest(`${API.registration}/registrants`, { method: 'POST', body: input, signal });
}

export async function listHousehold(request: AuthedRequest, signal?: AbortSignal): Promise<Person[]> {
  return (await request<{ items: Person[] }>(`${API.registration}/registrants`, { signal })).items;
}

export async function addMember(request: AuthedRequest, input: MemberInput): Promise<Person> {
  return (await request<RegistrantCreated>(`${API.registration}/registrants`, { method: 'POST', body: input })).registrant;
}

export function changeMember(request: AuthedRequest, id: string, changes: MemberChanges): Promise<Person> {
  return request(`${API.registration}/registrants/${encodeURIComponent(id)}`, { method: 'PATCH', body: changes });
}

// ---- centers ----

export async function listVaccines(signal?: AbortSignal): Promise<Vaccine[]> {
  return (await apiRequest<{ items: Vaccine[] }>(`${API.registration}/vaccines`, { signal })).items;
}

export interface CenterFilter {
  q?: string;
  language?: Language;
  vaccine?: string;
}

/** A center as the finder shows it, from either the search service or registration's list. */
export interface FoundCenter {
  id: string;
  names: Record<string, string>;
  place: string;
  region: string;
  languages: Language[];
  vaccineIds: string[];
}

export async function searchCenters(filter: CenterFilter, signal?: AbortSignal): Promise<CenterHit[]> {
  const query = { q: filter.q, language: filter.language, vaccine: filter.vaccine, limit: 20 };
  return (await apiRequest<{ items: CenterHit[] }>(`${API.search}/centers`, { query, signal })).items;
}

export async function listCenters(filter: Omit<CenterFilter, 'q'>, signal?: AbortSignal): Promise<Center[]> {
  const query = { language: filter.language, vaccine: filter.vaccine };
  return (await apiRequest<{ items: Center[] }>(`${API.registration}/centers`, { query, signal })).items;
}

/** Lower case without accents, so "hotel" finds "Hôtel". */
export const fold = (text: string) =>
  text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLocaleLowerCase();

/**
 * Centers matching a filter: the search service (names in every language, localities,
 * typos) for words; registration's own list when no words are given, or when search has
 * nothing or is unavailable, matched on names and address here.
 */
export async function findCenters(filter: CenterFilter, signal?: AbortSignal): Promise<FoundCenter[]> {
  const q = filter.q?.trim();
  if (q) {
    try {
      const hits = await searchCenters({ ...filter, q }, signal);
      if (hits.length > 0)
        return hits.map((h) => ({
          id: h.id,
          names: h.names,
          place: h.locality,
          region: h.region,
          languages: h.languages,
          vaccineIds: h.vaccines.map((v) => v.id),
        }));
    } catch (error) {
      // Bad input is the person's to fix; an unavailable search service is ours to route around.
      if (error instanceof ApiError && error.status < 500) throw error;
      if (signal?.aborted) throw error;
    }
  }
  const words = q ? fold(q).split(/\s+/) : [];
  const centers = await listCenters(filter, signal);
  return centers
    .filter((c) => {
      const text = fold([...Object.values(c.names), c.address, c.region].join(' '));
      return words.every((w) => text.includes(w));
    })
    .map((c) => ({ id: c.id, names: c.names, place: c.address, region: c.region, languages: c.languages, vaccineIds: c.vaccineIds }));
}

export function getCenter(id: string, signal?: AbortSignal): Promise<Center> {
  return apiRequest(`${API.registration}/centers/${encodeURIComponent(id)}`, { signal });
}

/** When this page last booked: shared caches (the CDN, the browser) may hold seats from before it for a few seconds. */
let ownChangeAt = Number.NEGATIVE_INFINITY;
const OWN_CHANGE_WINDOW_MS = 60_000;

/** Runs the citizen's own change of seats (book, cancel, move); reads of seats revalidate for a while after. */
async function changingSeats<T>(change: () => Promise<T>): Promise<T> {
  ownChangeAt = Date.now();
  try {
    return await change();
  } finally {
    ownChangeAt = Date.now();
  }
}

/**
 * A center-day's seats. The edge keeps these answers a few seconds; for a minute after the
 * citizen's own booking, cancellation or move, and when `fresh`, the read asks past every
 * cache: `no-cache` for the browser's, and `v` (part of the edge's cache key) for CloudFront's.
 */
export function getAvailability(centerId: string, date: string, signal?: AbortSignal, fresh = false): Promise<Availability> {
  const own = Date.now() - ownChangeAt < OWN_CHANGE_WINDOW_MS;
  const past = fresh ? Date.now() : own ? ownChangeAt : undefined;
  return apiRequest(`${API.registration}/centers/${encodeURIComponent(centerId)}/availability`, {
    query: { date, ...(past === undefined ? {} : { v: past }) },
    signal,
    ...(past === undefined ? {} : { cache: 'no-cache' as const }),
  });
}

/** The center-day's stream of versions (Server-Sent Events): each change of its seats, as it commits. */
export const availabilityStreamUrl = (centerId: string, date: string) =>
  `${API.registration}/centers/${encodeURIComponent(centerId)}/availability/stream?${new URLSearchParams({ date })}`;

// ---- appointments ----

export interface BookingChoice {
  registrantId: string;
  slotId: string;
  doseNumber: number;
}

/** Books once per key: a retried request with the same Idempotency-Key returns the first booking. */
export function book(request: AuthedRequest, choice: BookingChoice, idempotencyKey: string): Promise<Appointment> {
  return changingSeats(() =>
    request(`${API.registration}/appointments`, {
      method: 'POST',
      body: choice,
      headers: { 'Idempotency-Key': idempotencyKey },
    }),
  );
}

export async function listAppointments(request: AuthedRequest, signal?: AbortSignal): Promise<Appointment[]> {
  return (await request<{ items: Appointment[] }>(`${API.registration}/appointments`, { signal })).items;
}

export function getAppointment(request: AuthedRequest, id: string, signal?: AbortSignal): Promise<Appointment> {
  return request(`${API.registration}/appointments/${encodeURIComponent(id)}`, { signal });
}

export function cancelAppointment(request: AuthedRequest, id: string): Promise<Appointment> {
  return changingSeats(() => request(`${API.registration}/appointments/${encodeURIComponent(id)}/cancel`, { method: 'POST' }));
}

export function rescheduleAppointment(request: AuthedRequest, id: string, slotId: string): Promise<Appointment> {
  return changingSeats(() => request(`${API.registration}/appointments/${encodeURIComponent(id)}/reschedule`, { method: 'POST', body: { slotId } }));
}

// ---- messages, certificates, access log ----

export async function listMessages(request: AuthedRequest, signal?: AbortSignal): Promise<Message[]> {
  return (await request<{ items: Message[] }>(`${API.notifications}/messages`, { signal })).items;
}

export async function listCertificates(request: AuthedRequest, signal?: AbortSignal): Promise<CertificateItem[]> {
  return (await request<{ items: CertificateItem[] }>(`${API.registration}/certificates`, { signal })).items;
}

export function getCertificate(request: AuthedRequest, id: string, signal?: AbortSignal): Promise<Certificate> {
  return request(`${API.registration}/certificates/${encodeURIComponent(id)}`, { signal });
}

export async function accessLogOf(request: AuthedRequest, registrantId: string, signal?: AbortSignal): Promise<AccessEntry[]> {
  return (await request<{ items: AccessEntry[] }>(`${API.registration}/registrants/${encodeURIComponent(registrantId)}/access-log`, { signal })).items;
}
