/**
 * Typed client for the platform's public APIs. Everything goes through the same origin
 * under /api (the ALB in AWS, nginx in compose, Vite's proxy in development).
 */

export const LANGUAGES = ['en', 'es', 'fr', 'hi', 'ar'] as const;
export type Language = (typeof LANGUAGES)[number];

export type Contact = { channel: 'email'; address: string } | { channel: 'sms'; address: string };

export interface RegistrantInput {
  fullName: string;
  /** YYYY-MM-DD */
  birthDate: string;
  /** ISO 3166-2 subdivision, e.g. IN-MH */
  region: string;
  preferredLanguage: Language;
  contact: Contact;
}

export interface Registrant {
  id: string;
  fullName: string;
  birthDate: string;
  region: string;
  preferredLanguage: Language;
  createdAt: string;
}

export interface Registration {
  registrant: Registrant;
  accessToken: string;
}

export type MessageStatus = 'queued' | 'sent' | 'failed';

export interface Message {
  id: string;
  template: string;
  channel: Contact['channel'];
  status: MessageStatus;
  createdAt: string;
  sentAt: string | null;
}

export type StaffRole = 'staff' | 'center-admin' | 'national-admin';

export interface StaffSession {
  accessToken: string;
  role: StaffRole;
}

export interface RegistrantHit {
  id: string;
  fullName: string;
  birthYear: number;
  region: string;
}

export interface DailyRegistrations {
  items: { day: string; count: number }[];
  total: number;
}

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

interface RequestOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  token?: string;
  signal?: AbortSignal;
}

async function request<T>(path: string, { method = 'GET', body, token, signal }: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers['authorization'] = `Bearer ${token}`;
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  if (!res.ok) throw await toApiError(res);
  return (await res.json()) as T;
}

export function register(input: RegistrantInput, signal?: AbortSignal): Promise<Registration> {
  return request('/api/registration/v1/registrants', { method: 'POST', body: input, signal });
}

export async function listMessages(token: string, signal?: AbortSignal): Promise<Message[]> {
  const { items } = await request<{ items: Message[] }>('/api/notifications/v1/messages', { token, signal });
  return items;
}

export function signInStaff(email: string, password: string, signal?: AbortSignal): Promise<StaffSession> {
  return request('/api/registration/v1/staff-sessions', { method: 'POST', body: { email, password }, signal });
}

export async function searchRegistrants(token: string, q: string, signal?: AbortSignal): Promise<RegistrantHit[]> {
  const query = new URLSearchParams({ q });
  const { items } = await request<{ items: RegistrantHit[] }>(`/api/search/v1/registrants?${query}`, {
    token,
    signal,
  });
  return items;
}

export function dailyRegistrations(token: string, signal?: AbortSignal): Promise<DailyRegistrations> {
  return request('/api/analytics/v1/registrations/daily', { token, signal });
}

/** A message for people: the server's detail when it gave one, a generic line otherwise. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.detail ?? error.title;
  return 'The service could not be reached. Check your connection and try again.';
}
