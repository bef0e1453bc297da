import type { BackoffStrategy } from 'bullmq';

export const BACKOFF_TYPE = 'jab-exponential-jitter';
export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_MAX_MS = 15 * 60_000;

/**
 * Exponential backoff with full jitter: a random delay in [0, min(cap, base·2^(n-1))).
 * Spreads retries of jobs that failed together (a provider outage) instead of
 * sending them back in synchronized waves.
 */
export const exponentialJitterBackoff: BackoffStrategy = (attemptsMade, _type, _err, job) => {
  const configured = job?.opts.backoff;
  const base = typeof configured === 'object' && configured.delay !== undefined ? configured.delay : BACKOFF_BASE_MS;
  const ceiling = Math.min(BACKOFF_MAX_MS, base * 2 ** Math.max(0, attemptsMade - 1));
  return Math.floor(Math.random() * ceiling);
};
