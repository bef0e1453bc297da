import { z } from 'zod';
import { createDocument, type oas31, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import type { RequestSchemas } from './validate.js';

export type OpenApiDocument = oas31.OpenAPIObject;

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type StatusCode = `${1 | 2 | 3 | 4 | 5}${number}`;

export interface ApiRoute {
  method: Method;
  /** Express path relative to `/api/<service>/v1`, e.g. `/bookings/:bookingId`. */
  path: string;
  summary?: string;
  tags?: string[];
  /** The same schemas the route passes to `validate`. */
  request?: RequestSchemas;
  responses?: Partial<Record<StatusCode, { description: string; schema?: z.ZodType }>>;
}

export interface OpenApiOptions {
  service: string;
  version: string;
  routes: ApiRoute[];
}

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});

function operation({ summary, tags, request = {}, responses = { '200': { description: 'OK' } } }: ApiRoute) {
  const op: ZodOpenApiOperationObject = {
    ...(summary ? { summary } : {}),
    ...(tags ? { tags } : {}),
    responses: {
      ...Object.fromEntries(
        Object.entries(responses).map(([status, r]) => [
          status,
          r?.schema ? { description: r.description, content: { 'application/json': { schema: r.schema } } } : { description: r?.description ?? '' },
        ]),
      ),
      ...(request.body || request.query || request.params ? { '400': problemResponse('Invalid request') } : {}),
      '500': problemResponse('Internal error (the body carries only the request id)'),
    },
  };
  if (request.query || request.params) {
    op.requestParams = { ...(request.query ? { query: request.query } : {}), ...(request.params ? { path: request.params } : {}) };
  }
  if (request.body) op.requestBody = { required: true, content: { 'application/json': { schema: request.body } } };
  return op;
}

/** An OpenAPI 3.1 document generated from the zod schemas the routes validate with. */
export function createOpenApi({ service, version, routes }: OpenApiOptions): OpenApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    paths[path] = { ...paths[path], [route.method]: operation(route) };
  }
  return createDocument({
    openapi: '3.1.0',
    info: { title: `Jab ${service} API`, version },
    servers: [{ url: `/api/${service}/v1` }],
    paths,
  });
}
