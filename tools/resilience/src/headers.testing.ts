/**
 * The headers helmet sets on every response of every service, and what must never be
 * there (`x-powered-by` names the framework to an attacker).
 */
import type { Seen } from './http.testing.js';

export function securityHeaderProblems(responses: Seen[]): string[] {
  const problems = new Set<string>();
  for (const r of responses) {
    const h = r.headers;
    const missing = [
      !h.get('content-security-policy')?.includes("default-src 'self'") && 'content-security-policy',
      h.get('x-content-type-options') !== 'nosniff' && 'x-content-type-options: nosniff',
      !['SAMEORIGIN', 'DENY'].includes(h.get('x-frame-options') ?? '') && 'x-frame-options',
      h.get('referrer-policy') !== 'no-referrer' && 'referrer-policy: no-referrer',
      !h.get('strict-transport-security') && 'strict-transport-security',
      h.get('x-powered-by') !== null && `no x-powered-by (got "${h.get('x-powered-by')}")`,
    ].filter(Boolean);
    if (missing.length > 0) problems.add(`${r.method} ${new URL(r.url).pathname} → ${r.status}: ${missing.join(', ')}`);
  }
  return [...problems];
}
