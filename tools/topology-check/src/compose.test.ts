import { serviceList } from '@jab/topology';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { composeProblems } from './checks.js';
import { readRepoFile, replaceOnce } from './repo.js';

const compose = readRepoFile('docker-compose.yml');

describe('docker-compose.yml', () => {
  it('matches @jab/topology: containers, ports, roles, build args, health checks, start order', () => {
    expect(composeProblems(compose)).toEqual([]);
  });

  it('runs an api and a worker container for every service', () => {
    const services = Object.keys((parse(compose, { merge: true }) as { services: object }).services);
    for (const spec of serviceList()) {
      expect(services).toContain(`${spec.name}-api`);
      expect(services).toContain(`${spec.name}-worker`);
    }
  });

  describe('reports drift', () => {
    const drifts: [string, string | RegExp, string, RegExp][] = [
      ['a wrong port', 'PORT: "3003"\n\nname:', 'PORT: "3005"\n\nname:', /search-api: PORT is 3005, not 3003/],
      ['a wrong role', /ROLE: worker/, 'ROLE: api', /analytics-worker: ROLE is api, not worker/],
      ['a wrong APP build arg', 'APP: search', 'APP: analytics', /search-api: build arg APP is analytics/],
      ['a wrong PORT build arg', /APP: notifications\n(\s+)PORT: "3002"/, 'APP: notifications\n$1PORT: "3000"', /notifications-api: build arg PORT/],
      ['a health check on another port', '127.0.0.1:3001/health/ready', '127.0.0.1:3000/health/ready', /registration-api: healthcheck/],
      ['a health check on another path', '127.0.0.1:3004/health/ready', '127.0.0.1:3004/healthz', /analytics-api: healthcheck/],
      ['a missing health check', /\n {4}healthcheck:\n {6}test: \["CMD", "redis-cli", "ping"\]\n( {6}.+\n)+/, '\n', /redis: no healthcheck/],
      ['a worker not waiting for its api', /search-api:\n(\s+)condition: service_healthy\n(\s+environment:\n\s+<<: \*env-search\n\s+ROLE: worker)/, 'search-api:\n$1condition: service_started\n$2', /search-worker: does not wait for search-api/],
      ['a dependency without a condition', /depends_on:\n(\s+)analytics-api:\n\s+condition: service_healthy/, 'depends_on:\n$1analytics-api: {}', /alb: depends on analytics-api without a condition/],
      ['redis evicting keys', '"noeviction"', '"allkeys-lru"', /redis: maxmemory-policy is not noeviction/],
      ['a stale JWKS URL', '/api/registration/v1/.well-known/jwks.json', '/api/registration/.well-known/jwks.json', /JWKS_URL/],
      ['postgres trusting the network', 'POSTGRES_DB: jab', 'POSTGRES_DB: jab\n      POSTGRES_HOST_AUTH_METHOD: trust', /postgres: trust authentication/],
      ['search defaulting to OpenSearch', '${SEARCH_ENGINE:-postgres}', 'opensearch', /SEARCH_ENGINE must default to postgres/],
      ['the ALB config not mounted', './docker/alb/nginx.conf:', './docker/alb/other.conf:', /alb: does not mount/],
    ];
    it.each(drifts)('%s', (_, from, to, reported) => {
      const problems = composeProblems(replaceOnce(compose, from, to));
      expect(problems.join('\n')).toMatch(reported);
    });

    it('a missing worker', () => {
      const doc = parse(compose, { merge: true }) as { services: Record<string, unknown> };
      delete doc.services['notifications-worker'];
      expect(composeProblems(stringify(doc))).toContain('notifications-worker: missing');
    });
  });
});
