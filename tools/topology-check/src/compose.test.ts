import { serviceList } from '@jab/topology';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { composeProblems } from './checks.js';
import { readRepoFile, replaceOnce, repoRoot } from './repo.js';

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
      ['a reader URL of another database', 'DATABASE_URL: postgres://jab:${POSTGRES_PASSWORD:-jab-dev-only}@postgres:5432/jab\n', 'DATABASE_URL: postgres://jab:${POSTGRES_PASSWORD:-jab-dev-only}@postgres:5432/jab\n  DATABASE_READ_URL: postgres://jab@postgres:5432/other\n', /registration-api: DATABASE_READ_URL is not a postgres:\/\/ URL of the jab database/],
      ['a stale JWKS URL', '/api/registration/v1/.well-known/jwks.json', '/api/registration/.well-known/jwks.json', /JWKS_URL/],
      ['postgres trusting the network', 'POSTGRES_DB: jab', 'POSTGRES_DB: jab\n      POSTGRES_HOST_AUTH_METHOD: trust', /postgres: trust authentication/],
      ['search defaulting to OpenSearch', '${SEARCH_ENGINE:-postgres}', 'opensearch', /SEARCH_ENGINE must default to postgres/],
      ['a key written into the file', 'OTP_HASH_KEY_FILE: /run/jab-secrets/OTP_HASH_KEY', 'OTP_HASH_KEY: c2VjcmV0', /registration-api: OTP_HASH_KEY is written into the compose file/],
      ['notifications without the sealing key', /\n\s+OTP_SEALING_KEY_FILE: \/run\/jab-secrets\/OTP_SEALING_KEY\n/, '\n', /notifications-worker: OTP_SEALING_KEY_FILE is not/],
      ['keys mounted writable', 'local-secrets:/run/jab-secrets:ro', 'local-secrets:/run/jab-secrets', /notifications-api: does not mount local-secrets read-only/],
      ['a service not waiting for its keys', 'condition: service_completed_successfully', 'condition: service_started', /registration-api: does not wait for secrets-init/],
      ['search without the cursor key', /\n\s+SEARCH_CURSOR_KEY_FILE: \/run\/jab-secrets\/SEARCH_CURSOR_KEY\n/, '\n', /search-api: SEARCH_CURSOR_KEY_FILE is not/],
      ['the ALB config not mounted', './docker/alb/nginx.conf:', './docker/alb/other.conf:', /alb: does not mount/],
    ];
    it.each(drifts)('%s', (_, from, to, reported) => {
      const problems = composeProblems(replaceOnce(compose, from, to));
      expect(problems.join('\n')).toMatch(reported);
    });

    it('keys mounted where they are not needed', () => {
      const doc = parse(compose, { merge: true }) as { services: Record<string, Record<string, unknown>> };
      doc.services['analytics-worker']!['volumes'] = ['local-secrets:/run/jab-secrets:ro'];
      expect(composeProblems(stringify(doc))).toContain('analytics-worker: mounts the keys volume but needs no key');
    });

    it('a missing worker', () => {
      const doc = parse(compose, { merge: true }) as { services: Record<string, unknown> };
      delete doc.services['notifications-worker'];
      expect(composeProblems(stringify(doc))).toContain('notifications-worker: missing');
    });
  });
});

describe('docker/local-secrets/generate.mjs (the secrets-init container, and npm start)', () => {
  it('writes every key once, readable by its owner alone, and keeps it on the next run', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'jab-keys-')), 'keys');
    const run = () => JSON.parse(execFileSync(process.execPath, [resolve(repoRoot, 'docker/local-secrets/generate.mjs'), dir], { encoding: 'utf8' })) as Record<string, string>;
    const settings = run();
    const doc = parse(compose, { merge: true }) as { services: Record<string, { environment: Record<string, string> }> };
    // Exactly the NAME_FILE settings the compose file gives its services, pointing into dir.
    const fileSettings = new Set(Object.values(doc.services).flatMap((svc) => Object.keys(svc.environment ?? {}).filter((k) => k.endsWith('_FILE'))));
    expect(Object.keys(settings).sort()).toEqual([...fileSettings].sort());
    const values = Object.fromEntries(Object.entries(settings).map(([k, file]) => [k, readFileSync(file, 'utf8')]));
    for (const [k, file] of Object.entries(settings)) {
      expect(statSync(file).mode & 0o777).toBe(0o400);
      if (k === 'JWT_PRIVATE_JWK_FILE') expect(JSON.parse(values[k]!)).toMatchObject({ kty: 'EC', crv: 'P-256', d: expect.any(String) });
      else expect(Buffer.from(values[k]!, 'base64url')).toHaveLength(32);
    }
    run();
    for (const [k, file] of Object.entries(settings)) expect(readFileSync(file, 'utf8')).toBe(values[k]);
  });
});
