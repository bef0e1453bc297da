/**
 * The one manifest of Jab's deployable services. The CDK app, the dev runner, the
 * web dev proxy, the local ALB stand-in and docker-compose.yml are all read from or
 * tested against this list, so the topology cannot drift between laptop and AWS.
 */
export type Role = 'api' | 'worker';

export interface Scaling {
  /** Fargate task count bounds. */
  minTasks: number;
  maxTasks: number;
  /** Target average CPU utilisation (percent) for target tracking. */
  cpuTargetPercent: number;
  /** Target requests per task per minute (api role) for target tracking. */
  requestsPerTargetPerMinute?: number;
  /** Target waiting jobs per worker task (worker role). */
  queueDepthPerTask?: number;
}

export interface ServiceSpec {
  name: ServiceName;
  /** Container and local port the HTTP server listens on. */
  port: number;
  /** Path prefix routed by the ALB (and its local stand-ins) to this service. */
  pathPrefix: string;
  health: { live: string; ready: string };
  metricsPath: string;
  roles: readonly Role[];
  /** Fargate task size: CPU units (1024 = 1 vCPU) and memory in MiB. */
  cpu: number;
  memoryMiB: number;
  api: Scaling;
  worker?: Scaling;
  /** PostgreSQL schema owned by the service. */
  schema: string;
}

export interface WebSpec {
  name: 'web';
  port: number;
  pathPrefix: '/';
  cpu: number;
  memoryMiB: number;
  api: Scaling;
}

export const SERVICE_NAMES = ['registration', 'notifications', 'search', 'analytics'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

const health = { live: '/health/live', ready: '/health/ready' } as const;

function service(
  name: ServiceName,
  port: number,
  sizing: Pick<ServiceSpec, 'cpu' | 'memoryMiB' | 'api' | 'worker'>,
): ServiceSpec {
  return {
    name,
    port,
    pathPrefix: `/api/${name}`,
    health,
    metricsPath: '/metrics',
    roles: sizing.worker ? ['api', 'worker'] : ['api'],
    schema: name,
    ...sizing,
  };
}

export const services: Readonly<Record<ServiceName, ServiceSpec>> = {
  registration: service('registration', 3001, {
    cpu: 1024,
    memoryMiB: 2048,
    api: { minTasks: 2, maxTasks: 200, cpuTargetPercent: 60, requestsPerTargetPerMinute: 6000 },
    worker: { minTasks: 1, maxTasks: 10, cpuTargetPercent: 60, queueDepthPerTask: 1000 },
  }),
  notifications: service('notifications', 3002, {
    cpu: 512,
    memoryMiB: 1024,
    api: { minTasks: 2, maxTasks: 20, cpuTargetPercent: 60, requestsPerTargetPerMinute: 6000 },
    worker: { minTasks: 2, maxTasks: 100, cpuTargetPercent: 70, queueDepthPerTask: 500 },
  }),
  search: service('search', 3003, {
    cpu: 1024,
    memoryMiB: 2048,
    api: { minTasks: 2, maxTasks: 60, cpuTargetPercent: 60, requestsPerTargetPerMinute: 6000 },
    worker: { minTasks: 1, maxTasks: 30, cpuTargetPercent: 70, queueDepthPerTask: 2000 },
  }),
  analytics: service('analytics', 3004, {
    cpu: 512,
    memoryMiB: 1024,
    api: { minTasks: 2, maxTasks: 10, cpuTargetPercent: 60, requestsPerTargetPerMinute: 3000 },
    worker: { minTasks: 1, maxTasks: 10, cpuTargetPercent: 70, queueDepthPerTask: 2000 },
  }),
};

export const web: WebSpec = {
  name: 'web',
  port: 4200,
  pathPrefix: '/',
  cpu: 256,
  memoryMiB: 512,
  api: { minTasks: 2, maxTasks: 10, cpuTargetPercent: 60, requestsPerTargetPerMinute: 12000 },
};

export function serviceList(): ServiceSpec[] {
  return SERVICE_NAMES.map((name) => services[name]);
}

/** The service whose path prefix owns a request path, or undefined (served by web). */
export function routeFor(path: string): ServiceSpec | undefined {
  return serviceList().find((s) => path === s.pathPrefix || path.startsWith(`${s.pathPrefix}/`));
}

/** Public API base path of a service, e.g. `/api/search/v1`. */
export function apiBase(name: ServiceName): string {
  return `${services[name].pathPrefix}/v1`;
}

/**
 * Public reads the edge (CloudFront) may keep: the services answer them with
 * `Cache-Control: public, s-maxage=…` and nothing personal. Each path pattern
 * (CloudFront's: `*` any characters) must take GET alone and need no token — a cached
 * behaviour forwards no `Authorization` (tools/resilience checks every route against
 * these) — and is cached on the listed query parameters only. `v` on availability: the
 * web app's read after the citizen's own booking, which must not be answered from before it.
 */
export const EDGE_CACHED_READS: readonly { name: string; path: string; query: readonly string[] }[] = [
  { name: 'Availability', path: '/api/registration/v1/centers/*/availability', query: ['date', 'v'] },
  { name: 'CenterSearch', path: '/api/search/v1/centers', query: ['q', 'language', 'vaccine', 'region', 'date', 'cursor', 'limit'] },
];

/** Whether CloudFront's path pattern `pattern` (`*` any characters, `?` one) takes `path`. */
export function edgePatternTakes(pattern: string, path: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
  return new RegExp(`^${source}$`).test(path);
}
