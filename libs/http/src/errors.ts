import { STATUS_CODES } from 'node:http';

export interface FieldError {
  path: string;
  message: string;
}

export interface HttpErrorOptions {
  /** A URI naming the problem kind; `about:blank` means "see the status code". */
  type?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  cause?: unknown;
}

/** An error whose status and detail are safe to show the client (RFC 9457 problem). */
export class HttpError extends Error {
  readonly type: string;
  readonly title: string;
  readonly errors?: FieldError[];
  readonly headers: Record<string, string>;

  constructor(
    readonly status: number,
    detail: string = STATUS_CODES[status] ?? 'Error',
    options: HttpErrorOptions = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = new.target.name;
    this.type = options.type ?? 'about:blank';
    this.title = STATUS_CODES[status] ?? 'Error';
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }

  get detail(): string {
    return this.message;
  }
}

type Options = Omit<HttpErrorOptions, 'headers'>;

export class BadRequest extends HttpError {
  constructor(detail?: string, options?: Options) {
    super(400, detail, options);
  }
}

export class Unauthorized extends HttpError {
  constructor(detail?: string, options?: Options) {
    super(401, detail, { ...options, headers: { 'WWW-Authenticate': 'Bearer' } });
  }
}

export class Forbidden extends HttpError {
  constructor(detail?: string, options?: Options) {
    super(403, detail, options);
  }
}

export class NotFound extends HttpError {
  constructor(detail?: string, options?: Options) {
    super(404, detail, options);
  }
}

export class Conflict extends HttpError {
  constructor(detail?: string, options?: Options) {
    super(409, detail, options);
  }
}

export class Unprocessable extends HttpError {
  constructor(detail?: string, options?: Options) {
    super(422, detail, options);
  }
}

export class TooManyRequests extends HttpError {
  constructor(
    readonly retryAfterSeconds: number,
    detail?: string,
    options?: Options,
  ) {
    super(429, detail, { ...options, headers: { 'Retry-After': String(Math.max(0, Math.ceil(retryAfterSeconds))) } });
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  requestId?: string;
  errors?: FieldError[];
}

export function problemOf(error: HttpError, requestId?: string): Problem {
  return {
    type: error.type,
    title: error.title,
    status: error.status,
    detail: error.detail,
    ...(requestId ? { requestId } : {}),
    ...(error.errors ? { errors: error.errors } : {}),
  };
}
