import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';

declare module 'node:http' {
  interface IncomingMessage {
    /** The request id (`requestId`), set by the app's request logger before any route runs. */
    id?: string;
  }
  interface ServerResponse {
    /** A server error the error handler leaves for the request's log line. */
    err?: Error;
  }
}

export const REQUEST_ID_HEADER = 'x-request-id';
const WELL_FORMED_ID = /^[A-Za-z0-9._-]{8,128}$/;

/**
 * Accept the caller's request id when well-formed (so traces join up), else make one; echo
 * it, unless the caller writes its headers in one go itself (`echo` false: the hot path).
 */
export function requestId(req: IncomingMessage, res: ServerResponse, echo = true): string {
  const given = req.headers[REQUEST_ID_HEADER];
  const id = typeof given === 'string' && WELL_FORMED_ID.test(given) ? given : randomUUID();
  if (echo) res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

const patterns = new WeakMap<IncomingMessage, string>();

/**
 * Record the full route pattern (mount path + route path) at the moment express
 * matches a route: express restores `req.baseUrl` when an error leaves a router, so
 * reading it when the response finishes would lose the mount path.
 * Routers should be mounted on static prefixes for the pattern to stay low-cardinality.
 */
export const captureRoutePattern: RequestHandler = (req, _res, next) => {
  let route: Request['route'];
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set(value: Request['route']) {
      route = value;
      if (value && typeof value.path === 'string') patterns.set(req, `${req.baseUrl}${value.path}`);
    },
  });
  next();
};

/** Names the route of a request answered outside express (the hot path), for its log line and metrics. */
export function setRoutePattern(req: IncomingMessage, pattern: string): void {
  patterns.set(req, pattern);
}

/** The matched route pattern, or undefined when no route matched. */
export function routePattern(req: IncomingMessage): string | undefined {
  return patterns.get(req);
}

/** The path without its query string, which may carry names. */
export function pathOf(req: IncomingMessage & { originalUrl?: string }): string {
  const url = req.originalUrl ?? req.url ?? '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}
