import { baseConfigSchema } from '@jab/config';
import { QUEUES, registrantRegisteredEvent, registrantSearchQuery, registrantSearchResponse } from '@jab/contracts';
import { consumer, jwksVerifier, defineService, migrationsNear } from '@jab/runtime';
import { z } from 'zod';
import { createPostgresEngine } from './registrants/postgres.engine.js';
import { registrantsRouter } from './registrants/registrants.routes.js';
import { indexRegistered } from './registrants/registrants.service.js';

const config = baseConfigSchema.extend({
  JWKS_URL: z.url(),
  SEARCH_ENGINE: z.enum(['postgres']).default('postgres'),
});

export const searchService = defineService({
  name: 'search',
  config,
  migrationsDir: migrationsNear(import.meta.dirname),
  api: ({ config, pool }) => ({
    routers: [registrantsRouter({ engine: createPostgresEngine(pool), verifier: jwksVerifier(config.JWKS_URL) })],
    routes: [
      {
        method: 'get',
        path: '/registrants',
        summary: 'Staff search for people by name, in any script, tolerant of accents and typos',
        request: { query: registrantSearchQuery },
        responses: { 200: { description: 'Best matches first', schema: registrantSearchResponse } },
      },
    ],
  }),
  consumers: ({ pool }) => {
    const engine = createPostgresEngine(pool);
    return [
      consumer({
        queue: QUEUES.searchFromRegistration,
        schema: registrantRegisteredEvent,
        handle: (event) => indexRegistered(engine, event),
      }),
    ];
  },
});
