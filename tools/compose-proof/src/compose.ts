/**
 * What the proof needs to know about docker-compose.yml, read the way Compose reads it
 * (merge keys resolved, profiles applied), and the one file podman-compose is given.
 * Pure functions: no podman here, so the tests pin every decision down.
 */
import { isAbsolute, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { z } from 'zod';

const condition = z.enum(['service_started', 'service_healthy', 'service_completed_successfully']);

const dependsOn = z.union([
  z.array(z.string()),
  z.record(z.string(), z.object({ condition: condition.default('service_started'), required: z.boolean().default(true) }).loose()),
]);

const healthcheck = z
  .object({
    test: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    interval: z.string().optional(),
    timeout: z.string().optional(),
    retries: z.number().int().positive().optional(),
    start_period: z.string().optional(),
    disable: z.boolean().optional(),
  })
  .loose();

const service = z
  .object({
    image: z.string().optional(),
    build: z.union([z.string(), z.object({ context: z.string().default('.'), dockerfile: z.string().optional() }).loose()]).optional(),
    depends_on: dependsOn.optional(),
    healthcheck: healthcheck.optional(),
    profiles: z.array(z.string()).optional(),
    ports: z.array(z.union([z.string(), z.number()])).optional(),
    volumes: z.array(z.union([z.string(), z.object({ type: z.string(), source: z.string().optional() }).loose()])).optional(),
    env_file: z.union([z.string(), z.array(z.string())]).optional(),
    environment: z.union([z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])), z.array(z.string())]).optional(),
    network_mode: z.string().optional(),
    restart: z.string().optional(),
    user: z.string().optional(),
  })
  .loose();

const composeFile = z
  .object({
    name: z.string().optional(),
    services: z.record(z.string(), service),
  })
  .loose();

export type ComposeService = z.infer<typeof service>;
export type ComposeFile = z.infer<typeof composeFile>;
export type Condition = z.infer<typeof condition>;

/** docker-compose.yml as Compose sees it: YAML merge keys (`<<`) resolved. */
export function parseCompose(text: string): ComposeFile {
  return composeFile.parse(parse(text, { merge: true }));
}

/** Services Compose starts for these profiles: those without `profiles`, or sharing one. */
export function activeServices(file: ComposeFile, profiles: readonly string[]): string[] {
  return Object.entries(file.services)
    .filter(([, s]) => !s.profiles || s.profiles.some((p) => profiles.includes(p)))
    .map(([name]) => name);
}

export interface Dependency {
  service: string;
  condition: Condition;
}

/**
 * What a service waits for. An optional dependency (`required: false`) on a service left out
 * by its profile is skipped, as Compose >= 2.24 does; a required one is an error.
 */
export function dependenciesOf(file: ComposeFile, name: string, active: readonly string[]): Dependency[] {
  const deps = file.services[name]?.depends_on;
  if (!deps) return [];
  if (Array.isArray(deps)) return deps.map((d) => ({ service: d, condition: 'service_started' }));
  return Object.entries(deps).flatMap(([dep, spec]) => {
    if (active.includes(dep)) return [{ service: dep, condition: spec.condition }];
    if (spec.required) throw new Error(`${name} requires ${dep}, which is not started with these profiles`);
    return [];
  });
}

/** Compose durations: `10s`, `1m30s`, `500ms`, `1h`. */
export function parseDuration(text: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|us|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw new Error(`not a duration: ${text}`);
  return parts.reduce((ms, [, n, unit]) => ms + Number(n) * (units[unit ?? 's'] ?? 0), 0);
}

export interface Healthcheck {
  /** The command run inside the container, as `docker exec` would run it. */
  argv: string[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

/**
 * A service's compose health check with Compose's defaults (30 s interval and timeout, 3
 * retries, no start period). `CMD` runs its arguments as they are; `CMD-SHELL` and a plain
 * string run through `/bin/sh -c`.
 */
export function healthcheckOf(s: ComposeService): Healthcheck | undefined {
  const hc = s.healthcheck;
  if (!hc?.test || hc.disable) return undefined;
  const test = typeof hc.test === 'string' ? ['CMD-SHELL', hc.test] : hc.test;
  const [kind, ...rest] = test;
  if (kind === 'NONE') return undefined;
  let argv: string[];
  if (kind === 'CMD') argv = rest;
  else if (kind === 'CMD-SHELL') argv = ['/bin/sh', '-c', rest.join(' ')];
  else throw new Error(`unknown healthcheck test form ${kind}`);
  return {
    argv,
    intervalMs: parseDuration(hc.interval ?? '30s'),
    timeoutMs: parseDuration(hc.timeout ?? '30s'),
    retries: hc.retries ?? 3,
    startPeriodMs: parseDuration(hc.start_period ?? '0s'),
  };
}

/** `127.0.0.1:8080:8080` → where the host reaches the service. */
export function publishedAddress(s: ComposeService, containerPort: number): { host: string; port: number } | undefined {
  for (const p of s.ports ?? []) {
    const parts = String(p).split(':');
    const target = Number(parts.at(-1)?.split('/')[0]);
    if (target !== containerPort || parts.length < 2) continue;
    const port = Number(parts.at(-2));
    const host = parts.length === 3 ? (parts[0] ?? '') : '0.0.0.0';
    return { host: host === '0.0.0.0' ? '127.0.0.1' : host, port };
  }
  return undefined;
}

/** The named volume `s` mounts at `target` (`notifications-sink:/var/lib/jab/sink` → `notifications-sink`). */
export function namedVolumeAt(s: ComposeService, target: string): string | undefined {
  for (const v of s.volumes ?? []) {
    if (typeof v !== 'string') continue;
    const [source, mountedAt] = v.split(':');
    if (mountedAt === target && source && !source.startsWith('.') && !source.startsWith('/')) return source;
  }
  return undefined;
}

/** Base images a set of Dockerfiles and the active compose services name (stage aliases left out). */
export function baseImages(dockerfiles: readonly string[], file: ComposeFile, active: readonly string[]): string[] {
  const images = new Set<string>();
  for (const text of dockerfiles) {
    const stages = new Set<string>();
    for (const m of text.matchAll(/^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?\s*$/gim)) {
      const [, image = '', alias] = m;
      if (!stages.has(image.toLowerCase())) images.add(image);
      if (alias) stages.add(alias.toLowerCase());
    }
  }
  for (const name of active) {
    const s = file.services[name];
    if (s?.image && !s.build) images.add(s.image);
  }
  return [...images].sort();
}

export interface RenderOptions {
  /** The directory docker-compose.yml is in: relative paths in it are resolved against it. */
  root: string;
  active: readonly string[];
  /** Bind-mount sources to replace (absolute path → absolute path). */
  replaceSources?: ReadonlyMap<string, string>;
}

export interface Rendered {
  yaml: string;
  /** Every change from docker-compose.yml, in words, for the report. */
  changes: string[];
}

const isPath = (source: string) => source.startsWith('.') || source.startsWith('/') || source.startsWith('~');

/**
 * The compose file podman-compose 1.0.3 (Debian bookworm's) is given: the same services,
 * settings and images, with what that version cannot do done here instead.
 * - It has no `profiles`: services of inactive profiles are left out, as Compose does.
 * - It reads paths relative to the file it is given: they become absolute.
 * - It adds every container to the project network, and podman refuses that together with
 *   `network_mode: none`: such a service runs on the project network instead.
 * - Bind-mount sources listed in `replaceSources` are swapped.
 */
export function renderForPodmanCompose(file: ComposeFile, { root, active, replaceSources = new Map() }: RenderOptions): Rendered {
  const changes: string[] = [];
  const services: Record<string, ComposeService> = {};
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(root, p));
  for (const [name, original] of Object.entries(file.services)) {
    if (!active.includes(name)) {
      changes.push(`${name}: left out (profiles ${original.profiles?.join(', ') ?? '-'} not active)`);
      continue;
    }
    const s: ComposeService = structuredClone(original);
    if (typeof s.build === 'string') s.build = { context: abs(s.build) };
    else if (s.build) s.build = { ...s.build, context: abs(s.build.context) };
    if (s.volumes) {
      s.volumes = s.volumes.map((v) => {
        if (typeof v === 'string') {
          const [source, ...rest] = v.split(':');
          if (!source || !isPath(source)) return v;
          const path = abs(source);
          const swapped = replaceSources.get(path);
          if (swapped) changes.push(`${name}: mounts ${swapped} instead of ${source}`);
          return [swapped ?? path, ...rest].join(':');
        }
        if (v.type === 'bind' && v.source) {
          const path = abs(v.source);
          const swapped = replaceSources.get(path);
          if (swapped) changes.push(`${name}: mounts ${swapped} instead of ${v.source}`);
          return { ...v, source: swapped ?? path };
        }
        return v;
      });
    }
    if (s.env_file) s.env_file = (Array.isArray(s.env_file) ? s.env_file : [s.env_file]).map(abs);
    if (s.network_mode === 'none') {
      delete s.network_mode;
      changes.push(`${name}: on the project network instead of network_mode none (podman-compose 1.0.3 adds one to every container)`);
    }
    // Only ever read by Compose; left out so the rendered file says what actually runs.
    delete s.profiles;
    services[name] = s;
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(file)) {
    if (key.startsWith('x-')) continue;
    out[key] = key === 'services' ? services : value;
  }
  const header = '# Rendered by tools/compose-proof from docker-compose.yml for podman-compose 1.0.3; do not edit.\n';
  // podman-compose reads YAML 1.1 (PyYAML), where a bare `no` is false: write 1.1 so it stays "no".
  return { yaml: header + stringify(out, { version: '1.1', aliasDuplicateObjects: false, lineWidth: 0 }), changes };
}

/**
 * A service's container is ready once its health check passes; a one-shot container
 * (`restart: "no"`, no health check) once it exited 0; any other once it runs.
 */
export type Readiness = 'healthy' | 'completed' | 'running';

export function readinessOf(s: ComposeService): Readiness {
  if (healthcheckOf(s)) return 'healthy';
  return s.restart === 'no' ? 'completed' : 'running';
}

/**
 * Start order Compose would follow: waves of services whose dependencies are all in
 * earlier waves. Throws on a cycle. (The scheduler still waits for each condition.)
 */
export function startWaves(file: ComposeFile, active: readonly string[]): string[][] {
  const waves: string[][] = [];
  const placed = new Set<string>();
  let left = [...active].sort();
  while (left.length > 0) {
    const wave = left.filter((n) => dependenciesOf(file, n, active).every((d) => placed.has(d.service)));
    if (wave.length === 0) throw new Error(`dependency cycle among ${left.join(', ')}`);
    wave.forEach((n) => placed.add(n));
    waves.push(wave);
    left = left.filter((n) => !placed.has(n));
  }
  return waves;
}

/**
 * An nginx config with its `resolver` address swapped. The ALB stand-in resolves upstreams
 * through Docker's embedded DNS (127.0.0.11); podman's DNS (aardvark-dns) answers on the
 * project network's gateway instead, so podman runs a copy that differs in that one address.
 */
export function resolverSwapped(conf: string, from: string, to: string): string {
  const lines = conf.split('\n');
  const at = lines.findIndex((l) => new RegExp(`^\\s*resolver\\s+${from.replaceAll('.', '\\.')}\\b`).test(l));
  const line = lines[at];
  if (line === undefined) throw new Error(`the nginx config does not resolve through ${from}`);
  lines[at] = line.replace(from, to);
  return lines.join('\n');
}
