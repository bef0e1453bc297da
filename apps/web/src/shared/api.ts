/**
 * The one HTTP client of the app. Everything goes through the same origin under /api
 * (the ALB in AWS, nginx in compose, Vite's proxy in development); response and request
 * shapes are the services' own contracts (`@jab/contracts`). Each area keeps its calls
 * in its own `*.api.ts`, so a citizen's bundle never carries the staff console's.
 */
import type { StaffSessionResponse } from '@jab/contracts';

export interface FieldError {
  /** Dotted path into the request body, e.g. `contact.address`; empty for the whole body. */
  field: string;
  message: string;
}

/** A failed call: the problem+json body when the server sent one, otherwise the status alone. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    readonly fieldErrors: FieldError[],
  ) {
    super(detail ?? title);
    this.name = 'ApiError';
  }

  /** Field name → first message, for showing next to inputs. */
  byField(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.fieldErrors) out[e.field] ??= e.message;
    return out;
  }
}

/** Normalizes a problem `errors[].path` (array, dotted string or JSON pointer) to `a.b`. */
export function fieldOf(path: unknown): string {
  const parts = Array.isArray(path)
    ? path.map(String)
    : typeof path === 'string'
      ? path.replace(/^#?\//, '').split(/[./]/)
      : [];
  const cleaned = parts.filter((p) => p !== '');
  // Validation middleware may report the request part first (body/query/params).
  if (['body', 'query', 'params'].includes(cleaned[0] ?? '')) cleaned.shift();
  return cleaned.join('.');
}

async function toApiError(res: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const problem = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const title = typeof problem['title'] === 'string' ? problem['title'] : res.statusText || `HTTP ${res.status}`;
  const detail = typeof problem['detail'] === 'string' ? problem['detail'] : undefined;
  const rawErrors = Array.isArray(problem['errors']) ? problem['errors'] : [];
  const fieldErrors = rawErrors.flatMap((e: unknown): FieldError[] => {
    if (typeof e !== 'object' || e === null) return [];
    const { path, message } = e as { path?: unknown; message?: unknown };
    return typeof message === 'string' ? [{ field: fieldOf(path), message }] : [];
  });
  return new ApiError(res.status, title, detail, fieldErrors);
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  method?: Method;
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  token?: string;
  /** Extra headers, e.g. `Idempotency-Key` or `X-Access-Reason`. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** The browser cache's part: `no-cache` revalidates with the server (after the citizen's own change). */
  cache?: RequestCache;
}

/** Calls a Jab API; throws ApiError with the problem's field errors on any non-2xx answer. */
export async function apiRequest<T>(path: string, { method = 'GET', body, query, token, headers: extra, signal, cache }: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...extra };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers['authorization'] = `Bearer ${token}`;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') params.set(k, String(v));
  const url = params.size > 0 ? `${path}?${params}` : path;
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal, ...(cache ? { cache } : {}) });
  if (!res.ok) throw await toApiError(res);
  if (res.status === 204 || res.headers.get('content-length') === '0') return undefined as T;
  return (await res.json()) as T;
}

/** Base path of a service's public API. */
export const API = {
  registration: '/api/registration/v1',
  notifications: '/api/notifications/v1',
  search: '/api/search/v1',
  analytics: '/api/analytics/v1',
} as const;

export function signInStaff(email: string, password: string, signal?: AbortSignal): Promise<StaffSessionResponse> {
  return apiRequest(`${API.registration}/staff-sessions`, { method: 'POST', body: { email, password }, signal });
}

/** Translation key (namespace `common`) of a failure people can act on. */
export function errorKey(error: unknown): string {
  if (!(error instanceof ApiError)) return 'errors.network';
  if (error.status === 401) return 'errors.signedOut';
  if (error.status === 403) return 'errors.forbidden';
  if (error.status === 404) return 'errors.notFound';
  if (error.status === 429) return 'errors.tooMany';
  if (error.status >= 500) return 'errors.server';
  return 'errors.rejected';
}

/** A message for people: the server's detail when it gave one, a generic line otherwise. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.detail ?? error.title;
  return 'The service could not be reached. Check your connection and try again.';
}
