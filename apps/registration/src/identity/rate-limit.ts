import { HttpError, TooManyRequests } from '@jab/http';
import type { ServiceContext } from '@jab/runtime';
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type AugmentedRequest } from 'express-rate-limit';
import { createHash } from 'node:crypto';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { RegistrationConfig } from '../config.js';

type Ctx = Pick<ServiceContext<RegistrationConfig>, 'redis' | 'logger' | 'config'>;

export interface LimitOptions {
  /** Names the limit in Redis keys and the `RateLimit-Policy` header. */
  name: string;
  limit: number;
  windowSeconds: number;
  /** Identifies who is counted; must not carry personal data (it becomes a Redis key). */
  key: (req: Request) => string;
  /** Count failures only (password guessing), not every sign-in. */
  failuresOnly?: boolean;
  /**
   * Let requests through uncounted while Redis is away. Sign-in limits fail closed (a
   * guesser must not get an unmetered door); registration stays open, as its writes
   * need only PostgreSQL and a campaign launch must not stop for a Redis outage.
   */
  failOpen?: boolean;
}

/** The client address as express sees it behind the ALB (`trust proxy` 1), IPv6 folded to its /56. */
export const clientIp = (req: Request): string => ipKeyGenerator(req.ip ?? 'unknown');

/**
 * express-rate-limit over Redis, so every task of the service counts together.
 *
 * Sign-in limits fail closed: without Redis nothing can be counted, and an unmetered
 * code or password endpoint is worse than a short 503 (`failOpen` is for the others).
 */
export function redisRateLimit(ctx: Ctx, options: LimitOptions): RequestHandler {
  const limiter = rateLimit({
    windowMs: options.windowSeconds * 1000,
    limit: options.limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: options.name,
    skipSuccessfulRequests: options.failuresOnly ?? false,
    passOnStoreError: options.failOpen ?? false,
    keyGenerator: (req) => options.key(req),
    store: new RedisStore({ prefix: `${ctx.config.REDIS_PREFIX}:rl:${options.name}:`, sendCommand: sendCommand(ctx.redis) }),
    handler: (req, _res, next) => {
      const resetTime = (req as AugmentedRequest)['rateLimit']?.resetTime;
      const seconds = resetTime ? (resetTime.getTime() - Date.now()) / 1000 : options.windowSeconds;
      next(new TooManyRequests(Math.max(1, seconds), 'Too many attempts; try again later.'));
    },
    logger: {
      error: (err, message) => ctx.logger.error({ err, limit: options.name }, message ?? 'rate limiter error'),
      warn: (err, message) => ctx.logger.warn({ err, limit: options.name }, message ?? 'rate limiter warning'),
    },
  });
  return (req, res, next) =>
    void limiter(req, res, (error?: unknown) => {
      if (error === undefined || error instanceof HttpError) return next(error);
      next(
        new HttpError(503, 'Sign-in is briefly unavailable; try again shortly.', {
          headers: { 'Retry-After': '5' },
          cause: error,
        }),
      );
    });
}

/**
 * The store loads its Lua scripts once, at start; on the request-path client (no
 * offline queue) that fails if Redis is not connected yet and would leave the store
 * broken for good. Answering SCRIPT LOAD with the script's SHA1 (what Redis would
 * return) when Redis is away lets the next EVALSHA meet NOSCRIPT and reload instead.
 */
function sendCommand(redis: Ctx['redis']) {
  return async (command: string, ...args: string[]): Promise<RedisReply> => {
    const load = command.toUpperCase() === 'SCRIPT' && args[0]?.toUpperCase() === 'LOAD';
    try {
      return (await redis.call(command, ...args)) as RedisReply;
    } catch (error) {
      if (load && args[1] !== undefined) return createHash('sha1').update(args[1]).digest('hex');
      throw error;
    }
  };
}
