/**
 * HTTP for the resilience suites: any method, raw or JSON bodies, a client address of
 * its own per call (so per-IP limits of one check never touch another), and a record
 * of every response so the security suite can check headers on all of them.
 */
import { randomInt } from 'node:crypto';

export interface Req {
  method: string;
  /** Path from the service root, query string included: `/api/registration/v1/...`, `/health/live`. */
  path: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is (malformed or oversized payloads), with `content-type: application/json`. */
  rawBody?: string;
  token?: string;
  headers?: Record<string, string>;
}

export interface Res {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  body: unknown;
}

export interface Seen {
  url: string;
  method: string;
  status: number;
  headers: Headers;
}

/** Every response received through `send`, in order. */
export const seen: Seen[] = [];

/** A documentation-range address (TEST-NET-2), different on every call. */
export const someIp = () => `198.51.100.${randomInt(1, 255)}`;

export async function send(base: string, req: Req): Promise<Res> {
  const headers: Record<string, string> = { 'x-forwarded-for': someIp(), ...req.headers };
  let body: string | undefined;
  if (req.rawBody !== undefined) body = req.rawBody;
  else if (req.body !== undefined) body = JSON.stringify(req.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  if (req.token) headers['authorization'] = `Bearer ${req.token}`;
  const url = `${base}${req.path}`;
  const res = await fetch(url, { method: req.method, headers, body, redirect: 'manual' });
  // An event stream's body lasts as long as the client stays: its status and headers are the answer.
  const stream = res.headers.get('content-type')?.startsWith('text/event-stream') ?? false;
  if (stream) await res.body?.cancel();
  const text = stream ? '' : await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  seen.push({ url, method: req.method, status: res.status, headers: res.headers });
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/** Reads a field of a JSON body, failing with the whole answer when it is not there. */
export function field<T = string>(res: Res, ...path: string[]): T {
  let value: unknown = res.body;
  for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
  if (value === undefined) throw new Error(`no ${path.join('.')} in ${res.status} ${res.text.slice(0, 500)}`);
  return value as T;
}

/** Throws unless the answer is the expected status; returns it for chaining. */
export function expectStatus(res: Res, status: number, what: string): Res {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${res.text.slice(0, 500)}`);
  return res;
}
