import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Thrown when settings are missing or malformed; the message lists every problem. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const durationMs = z.coerce.number().int().positive();

/**
 * A symmetric key setting: 32 random bytes in base64url, as Secrets Manager generates them
 * (43 alphanumerics) and `docker/local-secrets/generate.mjs` writes them.
 */
export const secretKey = z
  .string()
  .regex(/^[A-Za-z0-9_-]+=*$/, { message: 'must be base64url', abort: true })
  .refine((s) => Buffer.from(s, 'base64url').length === 32, 'must be 32 random bytes in base64url');

/** Settings every Jab service process reads. */
export const baseConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  ROLE: z.enum(['api', 'worker', 'all']).default('all'),
  /** 0 picks a free port (tests). */
  PORT: z.coerce.number().int().min(0).max(65535),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }),
  /**
   * The Aurora reader endpoint, for reads that may be a second behind (docs/decisions/0006);
   * unset, they go to DATABASE_URL. Best reached with a role that may only read.
   */
  DATABASE_READ_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).optional(),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// URL' }),
  /** Prefix for every Redis key and BullMQ queue of this deployment. */
  REDIS_PREFIX: z.string().regex(/^[a-z0-9_-]+$/i).default('jab'),
  /** Below ECS's 30 s stop timeout so in-flight work finishes before SIGKILL. */
  SHUTDOWN_TIMEOUT_MS: durationMs.default(25_000),
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/).default('100kb'),
  /**
   * Proxies in front whose X-Forwarded-For entries are trusted: the client address (rate
   * limits, audit) is the entry this many hops from the right. 1 behind the ALB alone (or
   * nginx locally); 2 in AWS, where CloudFront appends the viewer and the ALB appends CloudFront.
   */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(5).default(1),
  /** Deployment name (prod, qa …); when set, workers publish their queue depth for autoscaling. */
  JAB_ENVIRONMENT: z.string().regex(/^[a-z0-9-]+$/).optional(),
  QUEUE_DEPTH_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
});
export type BaseConfig = z.infer<typeof baseConfigSchema>;

/** The settings a schema declares (an object schema's keys, refinements included). */
function settingNames(schema: z.ZodType): Set<string> {
  return new Set(schema instanceof z.ZodObject ? Object.keys(schema.shape) : []);
}

/**
 * `NAME_FILE=/path` supplies `NAME` from a file (Docker/compose secrets) for the settings
 * the schema declares (other `*_FILE` variables belong to other programs); a value set
 * directly wins. Unreadable files are reported like any other bad setting.
 */
function withFileSettings(env: Record<string, string | undefined>, names: Set<string>, problems: string[]): Record<string, string | undefined> {
  const resolved = { ...env };
  for (const [key, path] of Object.entries(env)) {
    if (!key.endsWith('_FILE') || !path) continue;
    const name = key.slice(0, -'_FILE'.length);
    if (!names.has(name) || resolved[name] !== undefined) continue;
    try {
      resolved[name] = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch {
      problems.push(`${key}: cannot read ${path}`);
    }
  }
  return resolved;
}

/** Parse `env` with `schema`; throws ConfigError naming every bad or missing setting. */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const fileProblems: string[] = [];
  const result = schema.safeParse(withFileSettings(env, settingNames(schema), fileProblems));
  if (fileProblems.length > 0) throw new ConfigError([...fileProblems, ...(result.success ? [] : describe(result.error))]);
  if (result.success) return result.data;
  throw new ConfigError(describe(result.error));
}

function describe(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const key = issue.path.join('.') || '(environment)';
    const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
    return `${key}: ${message}`;
  });
}

/**
 * Run a start-up function; if it fails on configuration, print the one message
 * (listing every problem) and exit 1 instead of a stack trace.
 */
export async function exitOnConfigError<T>(start: () => Promise<T> | T): Promise<T> {
  try {
    return await start();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
