import express, { type ErrorRequestHandler, type Express, type Request } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import type { Logger } from '@jab/logger';
import type { Histogram, Registry } from 'prom-client';
import { HttpError, NotFound, problemOf } from './errors.js';
import { healthRouter, type ReadinessCheck } from './health.js';
import { durationHistogram, registerDefaultMetrics } from './metrics.js';
import type { OpenApiDocument } from './openapi.js';
import { captureRoutePattern, pathOf, requestId, routePattern } from './request-context.js';

export interface AppOptions {
  service: string;
  logger: Logger;
  registry: Registry;
  /** JSON body limit, in body-parser's syntax (`100kb`). */
  bodyLimit?: string | number;
  readiness?: ReadinessCheck[];
  /** Each readiness check fails when slower than this. */
  readinessTimeoutMs?: number;
  /** Served at `/api/<service>/v1/openapi.json`. */
  openapi?: OpenApiDocument;
  /** express `trust proxy` in hops; 1 trusts the one hop in front (the ALB, or nginx locally), 2 CloudFront → ALB. */
  trustProxy?: number;
}

const PROBES = new Set(['/health/live', '/health/ready', '/metrics']);

/** A safe summary of an error: pg's `detail` and friends can quote personal data. */
function safeError(error: Error) {
  const code = (error as { code?: unknown }).code;
  return { type: error.name, message: error.message, ...(code === undefined ? {} : { code }), stack: error.stack };
}

/**
 * What every request pays, through express or the hot path: its request id (echoed), one
 * log line when the response is done (or the client went away), and its duration in the
 * `http_request_duration_seconds` histogram. The line carries only method, route pattern,
 * path without its query, status, time and the request id, and a safe summary of a server
 * error: nothing there can hold personal data, so these lines skip the wildcard redaction
 * every other line pays, and one logger serves every request instead of a child per
 * request (the redaction and the child were a quarter of a booking's CPU:
 * docs/decisions/0008-request-cost.md).
 */
export function createRequestTracker({
  logger,
  registry,
}: {
  logger: Logger;
  registry: Registry;
}): (req: IncomingMessage, res: ServerResponse, options?: { echoId?: boolean }) => string {
  const lines = logger.child({}, { redact: [] });
  const histogram = durationHistogram(registry);
  // One child per label set, so a request pays a map lookup rather than hashing its labels (the set is small and bounded).
  const series = new Map<string, Histogram.Internal<'method' | 'route' | 'status_code'>>();
  const observe = (method: string, route: string, status: number, seconds: number) => {
    const key = `${method} ${status} ${route}`;
    let child = series.get(key);
    if (!child) {
      child = histogram.labels({ method, route, status_code: status });
      series.set(key, child);
    }
    child.observe(seconds);
  };
  return (req, res, options) => {
    const reqId = requestId(req, res, options?.echoId ?? true);
    req.id = reqId;
    const started = performance.now();
    res.once('close', () => {
      const elapsed = performance.now() - started;
      // Unmatched paths share one label so scanners cannot blow up the series count.
      if (res.writableFinished) observe(req.method ?? 'GET', routePattern(req) ?? 'unmatched', res.statusCode, elapsed / 1000);
      const path = pathOf(req);
      if (PROBES.has(path)) return;
      // A client that went away before the answer (a closed tab, a cancelled fetch) is not a server error: 499, at warn.
      // An event stream ends when its client goes: that is how it ends well, not an abort.
      const aborted = !res.writableFinished && !String(res.getHeader('content-type') ?? '').startsWith('text/event-stream');
      const statusCode = aborted ? 499 : res.statusCode;
      const http = { method: req.method, route: routePattern(req), path, statusCode };
      const line = { reqId, http, responseTime: Math.round(elapsed), ...(res.err ? { err: safeError(res.err) } : {}) };
      const message = `${req.method} ${http.route ?? http.path} ${statusCode}`;
      if (res.err || statusCode >= 500) lines.error(line, message);
      else if (aborted) lines.warn(line, `${message} (the client closed the connection first)`);
      else lines.info(line, message);
    });
    return reqId;
  };
}

/** What body-parser inflates (`Content-Encoding`); anything else it refuses with 415. */
const ENCODINGS = 'gzip, deflate or br';

/** zlib's and brotli's errors (`Z_DATA_ERROR`, `ERR__ERROR_FORMAT_PADDING_2` …). */
const isDecompressionError = (code: unknown, errno: unknown) => typeof errno === 'number' && typeof code === 'string' && /^(Z_|ERR_)/.test(code);

/**
 * What a body-parser failure (express.json, .text, .raw on any route) tells the client.
 * Its own errors carry `type`; a body that is not valid data for its Content-Encoding is
 * zlib's error, to which body-parser only adds status 400. None quotes the body or header.
 */
function bodyProblem(error: unknown): HttpError | undefined {
  const { type, status, code, errno } = (error ?? {}) as { type?: unknown; status?: unknown; code?: unknown; errno?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (type === undefined && status === 400 && isDecompressionError(code, errno))
    return new HttpError(400, 'The request body is not valid data for its Content-Encoding.');
  if (typeof type !== 'string') return undefined;
  switch (type) {
    case 'entity.parse.failed':
      return new HttpError(400, 'The request body is not valid JSON.');
    case 'entity.too.large':
      return new HttpError(413, 'The request body is too large.');
    case 'encoding.unsupported':
      return new HttpError(415, `The request body's Content-Encoding is not supported: send it uncompressed or as ${ENCODINGS}.`);
    case 'charset.unsupported':
      return new HttpError(415, "The request body's charset is not supported: send UTF-8.");
    case 'request.size.invalid':
      return new HttpError(400, 'The request body does not match its Content-Length.');
    case 'request.aborted':
      return new HttpError(400, 'The request body was not received in full.');
    default:
      return new HttpError(status);
  }
}

/**
 * The service's express app with the kit's middleware; mount routers on it, then
 * call `finalizeApp(app)`.
 */
export function createApp({
  service,
  logger,
  registry,
  bodyLimit = '100kb',
  readiness = [],
  readinessTimeoutMs = 2_000,
  openapi,
  trustProxy = 1,
}: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxy);
  app.use(captureRoutePattern);
  registerDefaultMetrics(registry);
  const track = createRequestTracker({ logger, registry });
  app.use((req, res, next) => {
    track(req, res);
    next();
  });
  app.use(helmet());
  app.use(express.json({ limit: bodyLimit }));
  app.use(healthRouter({ readiness, readinessTimeoutMs, registry, logger }));
  if (openapi) {
    app.get(`/api/${service}/v1/openapi.json`, (_req, res) => {
      res.json(openapi);
    });
  }
  return app;
}

const sendProblem = (error: HttpError, req: Request, res: express.Response) => {
  res.status(error.status).set(error.headers).type('application/problem+json');
  res.send(JSON.stringify(problemOf(error, String(req.id))));
};

/** Socket errors, and PostgreSQL's connection-exception class (08) and shutdown/overload codes. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03', '53300']);
const UNREACHABLE_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Connection is closed|Client has encountered a connection error)/;
/** Seconds a client is asked to wait when a store is unreachable: about a failover. */
const RETRY_AFTER_SECONDS = '5';

/** PostgreSQL or Redis could not be reached (down, restarting, failing over): nothing the request did wrong. */
export function isUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  return UNREACHABLE_MESSAGES.test(error.message);
}

/** Map anything thrown to a client-safe problem. */
function toHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  // Unreachable stores are temporary: 503 with Retry-After, so clients and the ALB retry instead of giving up.
  if (isUnreachable(error)) {
    return new HttpError(503, 'A service this request needs is briefly unavailable; try again shortly.', {
      headers: { 'Retry-After': RETRY_AFTER_SECONDS },
    });
  }
  const body = bodyProblem(error);
  if (body) return body;
  // express's router cannot decode a path parameter (`%E0%A4%A`): it sets 400 and quotes the raw value in the message.
  if (error instanceof URIError && (error as { status?: unknown }).status === 400) {
    return new HttpError(400, 'The request path has a malformed percent-encoding: each segment must be percent-encoded UTF-8.', {
      errors: [{ path: 'params', message: 'must be percent-encoded UTF-8' }],
    });
  }
  return undefined;
}

// express recognises an error handler by its four parameters.
const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  const known = toHttpError(error);
  if (known && known.status < 500 && !res.headersSent) return sendProblem(known, req, res);
  // Logged once, on the request's own log line (the request logger reads `res.err`).
  res.err = error instanceof Error ? error : new Error(String(error));
  // Too late for a problem body: cut the response so the client sees it failed.
  if (res.headersSent) return void res.destroy();
  // 5xx never carry internals: the request id is how support finds the log line.
  sendProblem(known ?? new HttpError(500, 'Internal Server Error'), req, res);
};

/** Adds the 404 handler and the one error handler; call after mounting every router. */
export function finalizeApp(app: Express): Express {
  app.use((req, _res, next) => next(new NotFound(`No route for ${req.method} ${pathOf(req)}.`)));
  app.use(errorHandler);
  return app;
}
