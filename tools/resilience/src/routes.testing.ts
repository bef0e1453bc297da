/**
 * Every route a service answers, found three ways so that a new one cannot slip past
 * the authorization matrix: the operations of its OpenAPI document (as the runtime
 * serves it), the routes its routers actually mount (some are undocumented: the JWKS,
 * the queue dashboard), and the kit's own endpoints every service gets from
 * `createApp` (health, metrics, the OpenAPI document itself).
 */
import type { BaseConfig } from '@jab/config';
import type { ServiceDefinition } from '@jab/runtime';
import { withServiceContext } from './services.testing.js';

/** `GET /api/registration/v1/registrants/{id}`: method and full path, parameters in OpenAPI form. */
export type RouteKey = string;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const apiBase = (service: string) => `/api/${service}/v1`;
const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** The endpoints `createApp` adds to every service. */
export function kitRoutes(service: string): RouteKey[] {
  return ['GET /health/live', 'GET /health/ready', 'GET /metrics', `GET ${apiBase(service)}/openapi.json`];
}

interface OpenApiDoc {
  paths: Record<string, Partial<Record<(typeof METHODS)[number], unknown>>>;
}

/** The operations of the OpenAPI document the running service publishes. */
export async function documentedRoutes(url: string, service: string): Promise<RouteKey[]> {
  const res = await fetch(`${url}${apiBase(service)}/openapi.json`);
  if (res.status !== 200) throw new Error(`${service} serves no OpenAPI document (${res.status})`);
  const doc = (await res.json()) as OpenApiDoc;
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    METHODS.filter((m) => ops[m] !== undefined).map((m) => `${m.toUpperCase()} ${apiBase(service)}${path}`),
  );
}

interface Layer {
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[]; handle?: unknown; set?: unknown };
}

/** A router, or a whole express application mounted like one (bull-board mounts an app). */
const isMounted = (handle: Layer['handle']) =>
  handle !== undefined && (Array.isArray(handle.stack) || (typeof handle.handle === 'function' && typeof handle.set === 'function'));

/**
 * The routes of the routers `def.api` builds, walked like express matches them. A router
 * mounted under a path (a third-party one such as the queue dashboard) counts as one
 * route, `ALL <path>/*`: the table classifies the mount, whose guard covers all of it.
 * (express 5's `router` keeps each layer's path as `rawPath`.)
 */
export async function mountedRoutes(def: ServiceDefinition<BaseConfig>, env: Record<string, string>): Promise<RouteKey[]> {
  if (!def.api) return [];
  const api = def.api;
  return withServiceContext(def, env, async (ctx) => {
    const parts = await api(ctx);
    const found = new Set<RouteKey>();
    const walk = (stack: Layer[], prefix: string) => {
      for (const layer of stack) {
        if (layer.route) {
          for (const [method, on] of Object.entries(layer.route.methods)) {
            if (on && method !== '_all') found.add(`${method.toUpperCase()} ${prefix}${toOpenApiPath(layer.route.path)}`);
          }
        } else if (isMounted(layer.handle)) {
          const path = typeof layer.rawPath === 'string' ? layer.rawPath : '/';
          if (path === '/' && layer.handle?.stack) walk(layer.handle.stack, prefix);
          else found.add(`ALL ${prefix}${toOpenApiPath(path)}/*`);
        }
        // Anything else is middleware (a guard on a path), not an endpoint.
      }
    };
    for (const router of parts.routers) walk((router as unknown as { stack: Layer[] }).stack, apiBase(def.name));
    return [...found].sort();
  });
}
