import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Field names that carry personal or secret data wherever they appear. */
const SENSITIVE_KEYS = [
  'fullName',
  'givenName',
  'familyName',
  'birthDate',
  'email',
  'phone',
  'address',
  'contact',
  'nationalId',
  'password',
  'otp',
  'oneTimeCode',
  'token',
  'accessToken',
  'refreshToken',
  'privateJwk',
] as const;

/**
 * pino redaction paths: personal-data keys at the top level and up to three levels
 * deep (request bodies, job data, event payloads), plus credentials in headers.
 */
export const REDACT_PATHS: string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...SENSITIVE_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]),
];

export interface LoggerSettings {
  service: string;
  level?: LoggerOptions['level'];
  /** Where lines go (tests pass a stream to read them back); stdout by default. */
  destination?: DestinationStream;
}

export function createLogger({ service, level = 'info', destination }: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level,
    base: { service },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}
