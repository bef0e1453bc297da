import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

export function redisUrl(): string {
  return process.env['JAB_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
}

/** A unique key prefix, safe both for plain Redis keys and as a BullMQ `prefix` (no `:`). */
export function testPrefix(): string {
  return `jabt-${randomBytes(6).toString('hex')}`;
}

/** Alias named as in docs/kit.md. */
export const testRedisPrefix = testPrefix;

/** Deletes every key starting with `prefix` (SCAN + DEL, never KEYS). Returns how many were deleted. */
export async function cleanRedisPrefix(redis: Redis, prefix: string): Promise<number> {
  if (!/^[\w.-]+$/.test(prefix)) throw new Error(`refusing to clean unsafe prefix "${prefix}"`);
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}
