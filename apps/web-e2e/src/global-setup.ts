import type { FullConfig } from '@playwright/test';

/**
 * Playwright starts the stack and waits for the web server only; the APIs behind its proxy may
 * still be migrating or starting. Wait (bounded) until every API the journeys use answers through
 * the same origin the browser uses. A protected endpoint asked without a token answers 401 once
 * its service is up; the dev proxy answers 5xx while the service is down.
 */
const PROBES = [
  { method: 'POST', path: '/api/registration/v1/staff-sessions', body: '{}' },
  { method: 'GET', path: '/api/notifications/v1/messages' },
  { method: 'GET', path: '/api/search/v1/registrants?q=probe' },
  { method: 'GET', path: '/api/analytics/v1/registrations/daily' },
] as const;

const DEADLINE_MS = 120_000;

async function answers(baseURL: string, probe: (typeof PROBES)[number]): Promise<number | string> {
  try {
    const res = await fetch(new URL(probe.path, baseURL), {
      method: probe.method,
      headers: { 'content-type': 'application/json' },
      body: 'body' in probe ? probe.body : undefined,
      signal: AbortSignal.timeout(5_000),
    });
    await res.body?.cancel();
    return res.status;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

export default async function globalSetup(config: FullConfig): Promise<void> {
  const baseURL = config.projects[0]?.use.baseURL;
  if (!baseURL) throw new Error('playwright.config.ts sets no baseURL');
  const deadline = Date.now() + DEADLINE_MS;
  let pending: string[] = [];
  do {
    const results = await Promise.all(PROBES.map(async (p) => [p, await answers(baseURL, p)] as const));
    pending = results
      .filter(([, status]) => typeof status !== 'number' || status >= 500)
      .map(([p, status]) => `${p.method} ${p.path} → ${status}`);
    if (pending.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  } while (Date.now() < deadline);
  throw new Error(`APIs not ready after ${DEADLINE_MS / 1000}s:\n${pending.join('\n')}`);
}
