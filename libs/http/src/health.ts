import { Router } from 'express';
import type { Logger } from '@jab/logger';
import type { Registry } from 'prom-client';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

/** Structural so this lib does not depend on pg. */
export function pgCheck(pool: { query(sql: string): Promise<unknown> }, name = 'postgres'): ReadinessCheck {
  return {
    name,
    check: async () => {
      await pool.query('select 1');
    },
  };
}

/** Structural so this lib does not depend on ioredis. */
export function redisCheck(redis: { ping(): Promise<string> }, name = 'redis'): ReadinessCheck {
  return {
    name,
    check: async () => {
      const reply = await redis.ping();
      if (reply !== 'PONG') throw new Error(`unexpected PING reply: ${reply}`);
    },
  };
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface HealthOptions {
  readiness: ReadinessCheck[];
  readinessTimeoutMs: number;
  registry: Registry;
  logger: Logger;
}

export function healthRouter({ readiness, readinessTimeoutMs, registry, logger }: HealthOptions): Router {
  const router = Router();
  router.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/health/ready', async (_req, res) => {
    const results = await Promise.all(
      readiness.map(async ({ name, check }) => {
        try {
          await withTimeout(Promise.resolve().then(check), readinessTimeoutMs);
          return { name, ok: true };
        } catch (error) {
          logger.warn({ check: name, reason: error instanceof Error ? error.message : String(error) }, 'readiness check failed');
          return { name, ok: false };
        }
      }),
    );
    const failing = results.filter((r) => !r.ok).map((r) => r.name);
    const checks = Object.fromEntries(results.map((r) => [r.name, r.ok ? 'ok' : 'failing']));
    res.status(failing.length ? 503 : 200).json({ status: failing.length ? 'unavailable' : 'ok', checks, failing });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}
