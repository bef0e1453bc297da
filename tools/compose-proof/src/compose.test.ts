import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  activeServices,
  baseImages,
  dependenciesOf,
  healthcheckOf,
  namedVolumeAt,
  parseCompose,
  parseDuration,
  publishedAddress,
  readinessOf,
  renderForPodmanCompose,
  resolverSwapped,
  startWaves,
  type ComposeFile,
  type ComposeService,
} from './compose.js';

const root = resolve(import.meta.dirname, '../../..');

function svc(compose: ComposeFile, name: string): ComposeService {
  const s = compose.services[name];
  if (!s) throw new Error(`no service ${name}`);
  return s;
}
const text = readFileSync(resolve(root, 'docker-compose.yml'), 'utf8');
const file = parseCompose(text);
const active = activeServices(file, []);

describe('reading docker-compose.yml as Compose does', () => {
  it('leaves the opensearch profile out by default and starts it when asked', () => {
    expect(active).not.toContain('opensearch');
    expect(active).toEqual(expect.arrayContaining(['postgres', 'redis', 'secrets-init', 'registration-api', 'search-worker', 'web', 'alb']));
    expect(activeServices(file, ['opensearch'])).toContain('opensearch');
  });

  it('skips the optional dependency on a service its profile leaves out, keeps it when active', () => {
    expect(dependenciesOf(file, 'search-api', active).map((d) => d.service)).not.toContain('opensearch');
    expect(dependenciesOf(file, 'search-api', activeServices(file, ['opensearch']))).toContainEqual({ service: 'opensearch', condition: 'service_healthy' });
  });

  it('refuses a required dependency on a service that is not started', () => {
    const strict = parseCompose(text.replace(/(opensearch:\n\s+condition: service_healthy)\n\s+required: false/, '$1'));
    expect(strict.services['search-api']?.depends_on).toMatchObject({ opensearch: { required: true } });
    expect(() => dependenciesOf(strict, 'search-api', activeServices(strict, []))).toThrow(/search-api requires opensearch/);
  });

  it('starts the keys, PostgreSQL, Redis and web first, registration before the services that read its JWKS, the ALB after everything it routes to', () => {
    const waves = startWaves(file, active);
    expect(waves[0]).toEqual(['postgres', 'redis', 'secrets-init', 'web']);
    expect(waves[1]).toEqual(['registration-api']);
    const waveOf = (s: string) => waves.findIndex((w) => w.includes(s));
    expect(waveOf('alb')).toBe(waves.length - 1);
    for (const upstream of ['web', 'registration-api', 'notifications-api', 'search-api', 'analytics-api']) expect(waveOf('alb')).toBeGreaterThan(waveOf(upstream));
    for (const svc of ['analytics', 'notifications', 'search']) expect(waveOf(`${svc}-worker`)).toBeGreaterThan(waveOf(`${svc}-api`));
  });

  it('waits for secrets-init to complete, not merely to start', () => {
    expect(dependenciesOf(file, 'registration-api', active)).toContainEqual({ service: 'secrets-init', condition: 'service_completed_successfully' });
    expect(readinessOf(svc(file, 'secrets-init'))).toBe('completed');
    expect(readinessOf(svc(file, 'registration-api'))).toBe('healthy');
  });

  it('finds the ALB on the loopback port it publishes', () => {
    expect(publishedAddress(svc(file, 'alb'), 8080)).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(publishedAddress({ ports: ['8080:80'] }, 80)).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(publishedAddress(svc(file, 'alb'), 80)).toBeUndefined();
  });

  it('names the base images of both Dockerfiles and of the image-only services, never a stage', () => {
    const dockerfiles = ['docker/node.Dockerfile', 'docker/web.Dockerfile'].map((p) => readFileSync(resolve(root, p), 'utf8'));
    expect(baseImages(dockerfiles, file, active)).toEqual(['nginx:1.27-bookworm', 'node:20-bookworm-slim', 'postgres:15-bookworm', 'redis:7-bookworm']);
    expect(baseImages(dockerfiles, file, activeServices(file, ['opensearch']))).toContain('opensearchproject/opensearch:2.19.1');
  });
});

describe('health checks, run as Docker runs them', () => {
  it('keeps a CMD test as its own arguments, so a node -e script with quotes and parentheses survives', () => {
    const hc = healthcheckOf(svc(file, 'analytics-api'));
    expect(hc?.argv).toEqual([
      'node',
      '-e',
      "fetch('http://127.0.0.1:3004/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))",
    ]);
    expect(hc).toMatchObject({ intervalMs: 10_000, timeoutMs: 5000, retries: 6, startPeriodMs: 30_000 });
  });

  it('runs CMD-SHELL and string tests through /bin/sh, with Compose defaults', () => {
    expect(healthcheckOf({ healthcheck: { test: ['CMD-SHELL', 'pg_isready || exit 1'] } })).toEqual({
      argv: ['/bin/sh', '-c', 'pg_isready || exit 1'],
      intervalMs: 30_000,
      timeoutMs: 30_000,
      retries: 3,
      startPeriodMs: 0,
    });
    expect(healthcheckOf({ healthcheck: { test: 'redis-cli ping' } })?.argv).toEqual(['/bin/sh', '-c', 'redis-cli ping']);
    expect(healthcheckOf({ healthcheck: { test: ['NONE'] } })).toBeUndefined();
    expect(healthcheckOf(svc(file, 'secrets-init'))).toBeUndefined();
  });

  it('reads Compose durations and refuses anything else', () => {
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(() => parseDuration('10 s')).toThrow(/not a duration/);
    expect(() => parseDuration('ten')).toThrow(/not a duration/);
  });
});

describe('the file podman-compose 1.0.3 is given', () => {
  const albConf = resolve(root, 'docker/alb/nginx.conf');
  const rendered = renderForPodmanCompose(file, { root, active, replaceSources: new Map([[albConf, '/state/alb-nginx.conf']]) });
  const out = parseCompose(rendered.yaml);

  it('has the active services only, with the same images, environment, health checks and conditions', () => {
    expect(Object.keys(out.services).sort()).toEqual([...active].sort());
    for (const name of active) {
      const { build, volumes, network_mode, profiles, ...rest } = svc(file, name);
      void [build, volumes, network_mode, profiles];
      expect(out.services[name]).toMatchObject(rest);
    }
    expect(rendered.yaml).not.toContain('x-common');
    expect(rendered.changes).toContain('opensearch: left out (profiles opensearch not active)');
  });

  it('makes build contexts and bind mounts absolute, keeps named volumes', () => {
    expect(svc(out, 'search-api').build).toMatchObject({ context: root, dockerfile: 'docker/node.Dockerfile', args: { APP: 'search', PORT: '3003' } });
    expect(svc(out, 'secrets-init').volumes).toEqual([
      `${root}/docker/local-secrets/generate.mjs:/opt/jab/generate.mjs:ro`,
      'local-secrets:/run/jab-secrets',
    ]);
  });

  it('mounts the ALB config copy and says so', () => {
    expect(svc(out, 'alb').volumes).toEqual(['/state/alb-nginx.conf:/etc/nginx/nginx.conf:ro']);
    expect(rendered.changes).toContain('alb: mounts /state/alb-nginx.conf instead of ./docker/alb/nginx.conf');
  });

  it('puts the one-shot without a network on the project network, and says so', () => {
    expect(svc(file, 'secrets-init').network_mode).toBe('none');
    expect(svc(out, 'secrets-init').network_mode).toBeUndefined();
    expect(rendered.changes.some((c) => c.startsWith('secrets-init: on the project network'))).toBe(true);
  });

  it('reads the same in YAML 1.1, which podman-compose (PyYAML) speaks: restart "no" stays a string', () => {
    const asYaml11 = parse(rendered.yaml, { version: '1.1' }) as { services: Record<string, { restart?: unknown; build?: { args?: unknown } }> };
    expect(asYaml11.services['secrets-init']?.restart).toBe('no');
    expect(asYaml11.services['analytics-api']?.build?.args).toEqual({ APP: 'analytics', PORT: '3004' });
  });

  it('keeps ${VAR:-default} for podman-compose to fill in', () => {
    expect(svc(out, 'postgres').environment).toMatchObject({ POSTGRES_PASSWORD: '${POSTGRES_PASSWORD:-jab-dev-only}' });
  });
});

describe('the ALB config under podman', () => {
  const conf = readFileSync(resolve(root, 'docker/alb/nginx.conf'), 'utf8');

  it('differs from docker/alb/nginx.conf in the resolver address alone', () => {
    const swapped = resolverSwapped(conf, '127.0.0.11', '10.89.0.1');
    const before = conf.split('\n');
    const changed = swapped.split('\n').flatMap((line, i) => (line === before[i] ? [] : [line.trim()]));
    expect(changed).toEqual(['resolver 10.89.0.1 valid=10s ipv6=off;']);
  });

  it('fails loudly once the config no longer uses Docker\'s DNS', () => {
    expect(() => resolverSwapped(conf.replace('127.0.0.11', '8.8.8.8'), '127.0.0.11', '10.89.0.1')).toThrow(/does not resolve through 127.0.0.11/);
  });
});

describe('namedVolumeAt', () => {
  it("finds the volume notifications' sink writes to in both notifications containers, where the journeys read codes", () => {
    const sinkDir = String((svc(file, 'notifications-worker').environment as Record<string, string>)['NOTIFY_SINK_DIR']);
    expect(namedVolumeAt(svc(file, 'notifications-worker'), sinkDir)).toBe('notifications-sink');
    expect(namedVolumeAt(svc(file, 'notifications-api'), sinkDir)).toBe('notifications-sink');
    expect(Object.keys((file as { volumes?: Record<string, unknown> }).volumes ?? {})).toContain('notifications-sink');
  });

  it('ignores bind mounts and other targets', () => {
    expect(namedVolumeAt(svc(file, 'alb'), '/etc/nginx/nginx.conf')).toBeUndefined();
    expect(namedVolumeAt(svc(file, 'registration-api'), '/var/lib/jab/sink')).toBeUndefined();
  });
});
