/**
 * Checks of the container topology against `@jab/topology`. Each takes a file's text and
 * returns the problems found (empty when the file agrees with the manifest), so tests can
 * run them on the real files and on deliberately drifted copies.
 */
import { apiBase, serviceList, services, web } from '@jab/topology';
import { parse as parseYaml } from 'yaml';
import { children, effectiveProxyHeaders, locationsOf, parseNginxConf, selectLocation, type Directive } from './nginx-conf.js';

export const ALB_PORT = 8080;
export const NODE_DOCKERFILE = 'docker/node.Dockerfile';
export const WEB_DOCKERFILE = 'docker/web.Dockerfile';
export const ALB_CONF = 'docker/alb/nginx.conf';

type Dict = Record<string, unknown>;

function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function dict(value: unknown): Dict {
  return isDict(value) ? value : {};
}

/** Compose accepts `environment` as a map or as a list of `KEY=value`. */
function envOf(service: Dict): Record<string, string> {
  const env = service['environment'];
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const [key = '', ...rest] = String(entry).split('=');
        return [key, rest.join('=')];
      }),
    );
  }
  return Object.fromEntries(Object.entries(dict(env)).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** A healthcheck `test` as one string (`CMD`/`CMD-SHELL` arrays are joined). */
function healthTest(service: Dict): string {
  const test = dict(service['healthcheck'])['test'];
  return Array.isArray(test) ? test.map(String).join(' ') : String(test ?? '');
}

/** `depends_on` as `{ name: condition }` (the short list form has no condition). */
function dependsOn(service: Dict): Record<string, string | undefined> {
  const deps = service['depends_on'];
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [String(d), undefined]));
  return Object.fromEntries(
    Object.entries(dict(deps)).map(([name, spec]) => {
      const condition = dict(spec)['condition'];
      return [name, typeof condition === 'string' ? condition : undefined];
    }),
  );
}

function commandOf(service: Dict): string {
  const command = service['command'];
  return Array.isArray(command) ? command.map(String).join(' ') : String(command ?? '');
}

export function jwksUrl(): string {
  const issuer = services.registration;
  return `http://${issuer.name}-api:${issuer.port}${apiBase(issuer.name)}/.well-known/jwks.json`;
}

/** Keys each service needs (production refuses to start without them), by service. */
const SERVICE_KEYS: Record<string, string[]> = {
  registration: ['JWT_PRIVATE_JWK', 'OTP_SEALING_KEY', 'OTP_HASH_KEY', 'NATIONAL_ID_HASH_KEY', 'NATIONAL_ID_ENC_KEY'],
  notifications: ['OTP_SEALING_KEY'],
  search: ['SEARCH_CURSOR_KEY'],
};
const KEYS_VOLUME = 'local-secrets';
const KEYS_DIR = '/run/jab-secrets';

/** Keys come as files from the one-shot secrets-init container: shared, kept, never in the file. */
function keyProblems(name: string, serviceName: string, svc: Dict): string[] {
  const problems: string[] = [];
  const env = envOf(svc);
  const keys = SERVICE_KEYS[serviceName] ?? [];
  const mounts = Array.isArray(svc['volumes']) ? svc['volumes'].map(String) : [];
  const mounted = mounts.find((m) => m.startsWith(`${KEYS_VOLUME}:`));
  if (keys.length === 0 && mounted) problems.push(`${name}: mounts the keys volume but needs no key`);
  if (keys.length === 0) return problems;
  if (mounted !== `${KEYS_VOLUME}:${KEYS_DIR}:ro`) problems.push(`${name}: does not mount ${KEYS_VOLUME} read-only at ${KEYS_DIR}`);
  if (dependsOn(svc)['secrets-init'] !== 'service_completed_successfully') problems.push(`${name}: does not wait for secrets-init to complete`);
  for (const key of keys) {
    if (key in env) problems.push(`${name}: ${key} is written into the compose file`);
    if (env[`${key}_FILE`] !== `${KEYS_DIR}/${key}`) problems.push(`${name}: ${key}_FILE is not ${KEYS_DIR}/${key}`);
  }
  return problems;
}

export function composeProblems(text: string): string[] {
  const problems: string[] = [];
  const doc = dict(parseYaml(text, { merge: true }));
  const all = dict(doc['services']);
  const service = (name: string): Dict | undefined => (isDict(all[name]) ? all[name] : undefined);

  if ('version' in doc) problems.push('the obsolete top-level `version` key is set');

  for (const spec of serviceList()) {
    for (const role of spec.roles) {
      const name = `${spec.name}-${role}`;
      const svc = service(name);
      if (!svc) {
        problems.push(`${name}: missing`);
        continue;
      }
      const build = dict(svc['build']);
      const args = dict(build['args']);
      if (build['dockerfile'] !== NODE_DOCKERFILE) problems.push(`${name}: not built from ${NODE_DOCKERFILE}`);
      if (args['APP'] !== spec.name) problems.push(`${name}: build arg APP is ${String(args['APP'])}, not ${spec.name}`);
      if (String(args['PORT']) !== String(spec.port)) {
        problems.push(`${name}: build arg PORT is ${String(args['PORT'])}, not ${spec.port}`);
      }

      const env = envOf(svc);
      const expected: Record<string, string> = { PORT: String(spec.port), ROLE: role, NODE_ENV: 'production' };
      if (spec.name !== 'registration') expected['JWKS_URL'] = jwksUrl();
      for (const [key, value] of Object.entries(expected)) {
        if (env[key] !== value) problems.push(`${name}: ${key} is ${env[key] ?? '(unset)'}, not ${value}`);
      }
      if (!/^postgres(ql)?:\/\/.+\/jab$/.test(env['DATABASE_URL'] ?? '')) {
        problems.push(`${name}: DATABASE_URL is not a postgres:// URL of the jab database`);
      }
      // Optional: unset, lag-tolerant reads use DATABASE_URL (one PostgreSQL here, the Aurora reader in AWS).
      if ('DATABASE_READ_URL' in env && !/^postgres(ql)?:\/\/.+\/jab$/.test(env['DATABASE_READ_URL'] ?? '')) {
        problems.push(`${name}: DATABASE_READ_URL is not a postgres:// URL of the jab database`);
      }
      if (!/^rediss?:\/\//.test(env['REDIS_URL'] ?? '')) problems.push(`${name}: REDIS_URL is not a redis:// URL`);

      const test = healthTest(svc);
      const probes = [spec.health.ready, spec.health.live].map((p) => `:${spec.port}${p}`);
      if (!probes.some((p) => test.includes(p))) {
        problems.push(`${name}: healthcheck does not probe ${probes.join(' or ')} (${test || 'none'})`);
      }

      const deps = dependsOn(svc);
      for (const data of ['postgres', 'redis']) {
        if (deps[data] !== 'service_healthy') problems.push(`${name}: does not wait for ${data} to be healthy`);
      }
      if (role === 'worker' && deps[`${spec.name}-api`] !== 'service_healthy') {
        problems.push(`${name}: does not wait for ${spec.name}-api to be healthy (its migrations)`);
      }
      problems.push(...keyProblems(name, spec.name, svc));
    }
  }

  const search = envOf(service(`${services.search.name}-api`) ?? {});
  if (!/^\$\{SEARCH_ENGINE:-postgres\}$/.test(search['SEARCH_ENGINE'] ?? '')) {
    problems.push('search: SEARCH_ENGINE must default to postgres and be switchable with SEARCH_ENGINE');
  }
  const opensearch = service('opensearch');
  if (opensearch && !(Array.isArray(opensearch['profiles']) && opensearch['profiles'].includes('opensearch'))) {
    problems.push('opensearch: must only start with the `opensearch` profile');
  }

  const webSvc = service(web.name);
  if (!webSvc) problems.push('web: missing');
  else {
    if (dict(webSvc['build'])['dockerfile'] !== WEB_DOCKERFILE) problems.push(`web: not built from ${WEB_DOCKERFILE}`);
    if (!healthTest(webSvc).includes(`:${web.port}/`)) problems.push(`web: healthcheck does not probe port ${web.port}`);
  }

  const alb = service('alb');
  if (!alb) problems.push('alb: missing');
  else {
    const ports = Array.isArray(alb['ports']) ? alb['ports'].map(String) : [];
    if (!ports.some((p) => p.endsWith(`:${ALB_PORT}:${ALB_PORT}`) || p === `${ALB_PORT}:${ALB_PORT}`)) {
      problems.push(`alb: does not publish port ${ALB_PORT}`);
    }
    const volumes = Array.isArray(alb['volumes']) ? alb['volumes'].map(String) : [];
    if (!volumes.some((v) => v.startsWith(`./${ALB_CONF}:/etc/nginx/nginx.conf`))) {
      problems.push(`alb: does not mount ${ALB_CONF} as /etc/nginx/nginx.conf`);
    }
    const deps = dependsOn(alb);
    for (const upstream of [...serviceList().map((s) => `${s.name}-api`), web.name]) {
      if (deps[upstream] !== 'service_healthy') problems.push(`alb: does not wait for ${upstream} to be healthy`);
    }
  }

  const redis = service('redis');
  const redisCommand = redis ? commandOf(redis) : '';
  if (!/--maxmemory-policy\s+noeviction\b/.test(redisCommand)) problems.push('redis: maxmemory-policy is not noeviction');
  if (!/--appendonly\s+yes\b/.test(redisCommand)) problems.push('redis: appendonly is not on');

  const postgresEnv = envOf(service('postgres') ?? {});
  if (!postgresEnv['POSTGRES_PASSWORD']) problems.push('postgres: POSTGRES_PASSWORD is not set');
  if (postgresEnv['POSTGRES_HOST_AUTH_METHOD'] === 'trust') problems.push('postgres: trust authentication');

  for (const [name, svc] of Object.entries(all)) {
    if (!isDict(svc)) continue;
    const healthcheck = dict(svc['healthcheck']);
    // A one-shot container (restart "no") is waited on by completion, not health.
    const oneShot = svc['restart'] === 'no';
    if (!oneShot && (!healthTest(svc) || healthcheck['disable'] === true)) problems.push(`${name}: no healthcheck`);
    for (const [dep, condition] of Object.entries(dependsOn(svc))) {
      if (!(dep in all)) problems.push(`${name}: depends on unknown service ${dep}`);
      if (!condition) problems.push(`${name}: depends on ${dep} without a condition`);
    }
  }
  return problems;
}

/** What the stand-in does with a request path: proxy to `host:port`, or answer `status`. */
export type AlbAction = { upstream: string } | { status: number } | { none: string };

function albServer(conf: Directive[]): { http: Directive[]; server: Directive } | undefined {
  const http = children(conf, 'http')[0]?.block ?? [];
  const server = children(http, 'server').find((s) =>
    children(s.block ?? [], 'listen').some((l) => l.args[0]?.split(':').pop() === String(ALB_PORT)),
  );
  return server ? { http, server } : undefined;
}

export function albAction(text: string, path: string): AlbAction {
  const found = albServer(parseNginxConf(text));
  if (!found) return { none: `no server listens on ${ALB_PORT}` };
  const location = selectLocation(locationsOf(found.server), path);
  if (!location) return { none: 'no location matches' };
  const ret = children(location.body, 'return')[0];
  if (ret) return { status: Number(ret.args[0]) };
  const proxy = children(location.body, 'proxy_pass')[0]?.args[0];
  if (!proxy) return { none: 'location neither proxies nor returns' };
  const variables = new Map(
    [...children(found.server.block ?? [], 'set'), ...children(location.body, 'set')].map((d) => [d.args[0], d.args[1]]),
  );
  const target = proxy.replace(/^https?:\/\//, '').replace(/\$\{?(\w+)\}?/g, (_, v: string) => variables.get(`$${v}`) ?? '');
  return { upstream: target.replace(/\/$/, '') };
}

function describe(action: AlbAction): string {
  if ('upstream' in action) return `proxies to ${action.upstream}`;
  if ('status' in action) return `returns ${action.status}`;
  return action.none;
}

/** Sample request paths and where the ALB (and so the stand-in) must send each. */
export function albExpectations(): { path: string; expected: AlbAction }[] {
  const webUpstream = { upstream: `${web.name}:${web.port}` };
  const out: { path: string; expected: AlbAction }[] = [
    { path: '/', expected: webUpstream },
    { path: '/index.html', expected: webUpstream },
    { path: '/staff/registrants', expected: webUpstream },
    { path: '/api', expected: webUpstream },
    { path: '/metrics', expected: { status: 404 } },
    { path: '/metrics/', expected: { status: 404 } },
  ];
  for (const spec of serviceList()) {
    const upstream = { upstream: `${spec.name}-api:${spec.port}` };
    for (const path of [spec.pathPrefix, `${spec.pathPrefix}/`, `${apiBase(spec.name)}/openapi.json`, `${apiBase(spec.name)}/a/b`]) {
      out.push({ path, expected: upstream });
    }
    // A longer name sharing the prefix is not this service's path (the ALB's `/api/x/*` rule).
    out.push({ path: `${spec.pathPrefix}-other/v1`, expected: webUpstream });
  }
  return out;
}

export function albProblems(text: string): string[] {
  const problems: string[] = [];
  let conf: Directive[];
  try {
    conf = parseNginxConf(text);
  } catch (error) {
    return [`${ALB_CONF}: ${(error as Error).message}`];
  }
  const found = albServer(conf);
  if (!found) return [`${ALB_CONF}: no server listens on ${ALB_PORT}`];

  for (const { path, expected } of albExpectations()) {
    const actual = albAction(text, path);
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      problems.push(`${path}: ${describe(actual)}, expected it ${describe(expected)}`);
    }
  }

  // Every upstream the stand-in knows is a service of the manifest (nothing stale).
  const known = new Set([...serviceList().map((s) => `${s.name}-api:${s.port}`), `${web.name}:${web.port}`]);
  for (const location of locationsOf(found.server)) {
    for (const set of children(location.body, 'set')) {
      const value = set.args[1] ?? '';
      if (!known.has(value)) problems.push(`location ${location.path}: unknown upstream ${value}`);
    }
    const headers = effectiveProxyHeaders([found.http, found.server.block ?? [], location.body]);
    if (children(location.body, 'proxy_pass').length > 0) {
      for (const header of ['x-request-id', 'x-forwarded-for', 'x-forwarded-proto']) {
        if (!headers.has(header)) problems.push(`location ${location.path}: does not forward ${header}`);
      }
    }
  }

  const all = [...found.http, ...(found.server.block ?? [])];
  if (children(all, 'client_max_body_size').length === 0) problems.push('client_max_body_size is not set');
  const pid = children(conf, 'pid')[0]?.args[0] ?? '';
  if (!pid.startsWith('/tmp/')) problems.push('pid file is not under /tmp (the stand-in runs as non-root)');
  return problems;
}

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions grouped by stage (continuation lines joined, comments dropped). */
export function dockerStages(text: string): Instruction[][] {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Instruction[][] = [];
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

function nonRootUser(stage: Instruction[]): string | undefined {
  const user = stage.filter((i) => i.keyword === 'USER').at(-1)?.args.split(':')[0];
  return user && user !== 'root' && user !== '0' ? user : undefined;
}

export function nodeDockerfileProblems(text: string): string[] {
  const problems: string[] = [];
  const stages = dockerStages(text);
  for (const stage of stages) {
    const from = stage[0]?.args.split(/\s+/)[0];
    if (from !== 'node:20-bookworm-slim') problems.push(`stage FROM ${from}: not node:20-bookworm-slim`);
  }
  const all = stages.flat();
  if (!all.some((i) => i.keyword === 'RUN' && /\bnx run "?\$\{?APP\}?:prune"?/.test(i.args))) {
    problems.push('the build does not run `nx run ${APP}:prune`');
  }
  const runtime = stages.at(-1) ?? [];
  const has = (keyword: string, pattern: RegExp) => runtime.some((i) => i.keyword === keyword && pattern.test(i.args));
  if (!nonRootUser(runtime)) problems.push('the runtime stage runs as root');
  if (!has('RUN', /\bnpm ci\b.*--omit=dev/)) problems.push('the runtime stage does not install with `npm ci --omit=dev`');
  if (!has('ENV', /\bNODE_ENV=production\b/)) problems.push('the runtime stage does not set NODE_ENV=production');
  if (!has('EXPOSE', /\S/)) problems.push('the runtime stage exposes no port');
  const health = runtime.find((i) => i.keyword === 'HEALTHCHECK')?.args ?? '';
  const live = services.registration.health.live;
  if (!health.includes(live) || !health.includes('process.env.PORT') || !health.includes('fetch(')) {
    problems.push(`the HEALTHCHECK does not fetch ${live} on $PORT with node`);
  }
  if (!has('CMD', /^\[\s*"node"\s*,\s*"main\.js"\s*\]$/)) problems.push('CMD is not ["node", "main.js"]');
  return problems;
}

export function webDockerfileProblems(text: string): string[] {
  const problems: string[] = [];
  const runtime = dockerStages(text).at(-1) ?? [];
  const from = runtime[0]?.args.split(/\s+/)[0];
  if (from !== 'nginx:1.27-bookworm') problems.push(`the runtime stage is ${from}, not nginx:1.27-bookworm`);
  if (!nonRootUser(runtime)) problems.push('the runtime stage runs as root');
  if (!runtime.some((i) => i.keyword === 'EXPOSE' && i.args.split(/\s+/).includes(String(web.port)))) {
    problems.push(`the runtime stage does not expose ${web.port}`);
  }
  const health = runtime.find((i) => i.keyword === 'HEALTHCHECK')?.args ?? '';
  if (!health.includes(`:${web.port}/`)) problems.push(`the HEALTHCHECK does not probe port ${web.port}`);
  return problems;
}

export function webNginxProblems(text: string): string[] {
  const problems: string[] = [];
  const conf = parseNginxConf(text);
  const http = children(conf, 'http')[0]?.block ?? [];
  const server = children(http, 'server').find((s) =>
    children(s.block ?? [], 'listen').some((l) => l.args[0] === String(web.port)),
  );
  if (!server) return [`no server listens on ${web.port}`];
  const locations = locationsOf(server);
  const spa = selectLocation(locations, '/staff/registrants/42');
  const tryFiles = spa ? children(spa.body, 'try_files')[0]?.args ?? [] : [];
  if (tryFiles.at(-1) !== '/index.html') problems.push('client-side routes do not fall back to /index.html');
  const asset = selectLocation(locations, '/assets/index-DI_3Be2z.js');
  const cache = asset
    ? children(asset.body, 'add_header').find((h) => h.args[0]?.toLowerCase() === 'cache-control')?.args[1] ?? ''
    : '';
  if (!/max-age=31536000/.test(cache) || !/immutable/.test(cache)) problems.push('hashed assets are not cached for a year');
  if (asset && children(asset.body, 'try_files')[0]?.args.includes('/index.html')) {
    problems.push('a missing asset falls back to index.html');
  }
  const pid = children(conf, 'pid')[0]?.args[0] ?? '';
  if (!pid.startsWith('/tmp/')) problems.push('pid file is not under /tmp (nginx runs as non-root)');
  return problems;
}

export function workflowProblems(text: string): string[] {
  const problems: string[] = [];
  const doc = dict(parseYaml(text));
  const on = dict(doc['on']);
  if (!('pull_request' in on)) problems.push('CI does not run on pull_request');
  const topPermissions = dict(doc['permissions']);
  if (JSON.stringify(topPermissions) !== JSON.stringify({ contents: 'read' })) {
    problems.push('top-level permissions are not just `contents: read`');
  }
  const jobs = Object.entries(dict(doc['jobs']));
  const steps = (job: Dict) => (Array.isArray(job['steps']) ? job['steps'].map(dict) : []);
  const runs = jobs.flatMap(([, job]) => steps(dict(job)).map((s) => String(s['run'] ?? '')));
  if (!runs.some((r) => /nx affected -t lint typecheck test build/.test(r))) {
    problems.push('no step runs `nx affected -t lint typecheck test build`');
  }
  for (const [name, raw] of jobs) {
    const job = dict(raw);
    const oidc = dict(job['permissions'])['id-token'] === 'write';
    const pushesImages = steps(job).some((s) => String(s['uses'] ?? '').startsWith('aws-actions/amazon-ecr-login@'));
    if (oidc && !pushesImages) problems.push(`${name}: asks for an OIDC token without pushing images`);
    if (pushesImages) {
      if (!oidc) problems.push(`${name}: pushes images without OIDC (id-token: write)`);
      if (!/github\.ref == 'refs\/heads\/main'/.test(String(job['if'] ?? ''))) {
        problems.push(`${name}: pushes images from a ref other than main`);
      }
      const aws = steps(job).find((s) => String(s['uses'] ?? '').startsWith('aws-actions/configure-aws-credentials@'));
      const withs = dict(aws?.['with']);
      if (!withs['role-to-assume'] || 'aws-access-key-id' in withs) problems.push(`${name}: AWS access is not role-based`);
    }
  }
  return problems;
}
