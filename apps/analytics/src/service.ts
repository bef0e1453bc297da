import { baseConfigSchema } from '@jab/config';
import { dailyRegistrations, dailyRegistrationsQuery, QUEUES, registrantRegisteredEvent } from '@jab/contracts';
import { consumer, jwksVerifier, defineService, migrationsNear } from '@jab/runtime';
import { z } from 'zod';
import { registrationsRouter } from './registrations/registrations.routes.js';
import { recordRegistration } from './registrations/registrations.service.js';

const config = baseConfigSchema.extend({ JWKS_URL: z.url() });

export const analyticsService = defineService({
  name: 'analytics',
  config,
  migrationsDir: migrationsNear(import.meta.dirname),
  api: ({ config, pool }) => ({
    routers: [registrationsRouter({ pool, verifier: jwksVerifier(config.JWKS_URL) })],
    routes: [
      {
        method: 'get',
        path: '/registrations/daily',
        summary: 'Registrations per day, scoped to the caller’s region unless national admin',
        request: { query: dailyRegistrationsQuery },
        responses: { 200: { description: 'Counts per day and the total', schema: dailyRegistrations } },
      },
    ],
  }),
  consumers: ({ pool }) => [
    consumer({
      queue: QUEUES.analyticsFromRegistration,
      schema: registrantRegisteredEvent,
      handle: (event) => recordRegistration(pool, event),
    }),
  ],
});
