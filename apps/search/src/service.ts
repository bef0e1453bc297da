import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { baseConfigSchema, secretKey } from '@jab/config';
import {
  centerSearchQuery,
  centerSearchResponse,
  QUEUES,
  registrantSearchQuery,
  registrantSearchResponse,
  registrationEvent,
} from '@jab/contracts';
import {
  consumer,
  defineService,
  jwksVerifier,
  migrationsNear,
} from '@jab/runtime';
import type { Logger } from '@jab/logger';
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { Histogram, type Registry } from 'prom-client';
import { z } from 'zod';
import { createAvailabilityClient } from './centers/availability.client.js';
import { centersRouter } from './centers/centers.routes.js';
import { indexCentersFromFile } from './centers/centers.command.js';
import { createCursors, type Cursors } from './engines/cursor.js';
import type { SearchEngine } from './engines/engine.js';
import { createOpenSearchEngine } from './engines/opensearch.engine.js';
import { createPostgresEngine } from './engines/postgres.engine.js';
import { documentsRepo, documentsSource } from './indexing/documents.repo.js';
import {
  applyRegistrationEvent,
  applyRegistrationEvents,
} from './indexing/indexing.service.js';
import { auditRepo } from './registrants/audit.repo.js';
import { registrantsRouter } from './registrants/registrants.routes.js';

const config = baseConfigSchema
  .extend({
    JWKS_URL: z.url(),
    /** Registration's API root (`…/api/registration/v1`): center availability is read from it. */
    REGISTRATION_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }),
    /** Per page of centers: one availability request to registration, which never waits longer. */
    AVAILABILITY_TIMEOUT_MS: z.coerce.number().int().min(50).max(5_000).default(400),
    SEARCH_ENGINE: z.enum(['postgres', 'opensearch']).default('postgres'),
    OPENSEARCH_URL: z.url().optional(),
    /** Alias prefix, so that environments can share a cluster. */
    OPENSEARCH_PREFIX: z
      .string()
      .regex(/^[a-z0-9-]{1,40}$/)
      .default('jab'),
    /**
     * Primary shards of the registrant index (docs/search.md sizes production at 12).
     * Read when the index template is put; a new count reaches the live index at the next `reindex`.
     */
    OPENSEARCH_REGISTRANT_SHARDS: z.coerce.number().int().min(1).max(64).default(1),
    /**
     * How the engine authenticates: `aws-sigv4` signs every request with the AWS SDK's
     * default credentials (the task role in ECS), as the Amazon OpenSearch Service domain
     * requires; `none` for the local cluster (compose), which has no users.
     */
    OPENSEARCH_AUTH: z.enum(['none', 'aws-sigv4']).default('none'),
    /** The domain's region, part of each SigV4 signature. */
    AWS_REGION: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1').optional(),
    /**
     * HMAC-SHA256 key of paging cursors (32 random bytes, base64url; `SEARCH_CURSOR_KEY_FILE`
     * in compose, Secrets Manager in AWS). Every api task must hold the same one. Required in
     * production; elsewhere a missing one is generated per process (cursors then die with it).
     */
    SEARCH_CURSOR_KEY: secretKey.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production' && !c.SEARCH_CURSOR_KEY)
      ctx.addIssue({ code: 'custom', path: ['SEARCH_CURSOR_KEY'], message: 'is required in production' });
    if (c.SEARCH_ENGINE === 'opensearch' && !c.OPENSEARCH_URL)
      ctx.addIssue({ code: 'custom', path: ['OPENSEARCH_URL'], message: 'is required when SEARCH_ENGINE is opensearch' });
    if (c.OPENSEARCH_AUTH === 'aws-sigv4' && !c.AWS_REGION)
      ctx.addIssue({ code: 'custom', path: ['AWS_REGION'], message: 'is required when OPENSEARCH_AUTH is aws-sigv4' });
  });
type SearchConfig = z.infer<typeof config>;

/** Request signing for Amazon OpenSearch Service: the task role's credentials, refreshed by the SDK. */
function awsSigv4Of(config: SearchConfig) {
  if (config.OPENSEARCH_AUTH !== 'aws-sigv4' || !config.AWS_REGION) return undefined;
  return { region: config.AWS_REGION, getCredentials: defaultProvider() };
}

/** The cursor key; outside production (the config requires it there) one made for this process alone. */
function cursorsOf(config: SearchConfig, logger: Pick<Logger, 'warn'>): Cursors {
  if (config.SEARCH_CURSOR_KEY) return createCursors(Buffer.from(config.SEARCH_CURSOR_KEY, 'base64url'));
  logger.warn({ setting: 'SEARCH_CURSOR_KEY' }, 'secret not set: using a key generated for this process only');
  return createCursors(randomBytes(32));
}

// One engine per process (the api and worker roles share it when ROLE=all).
const engines = new WeakMap<Pool, SearchEngine>();
function engineFor(config: SearchConfig, pool: Pool, logger: Pick<Logger, 'warn'>): SearchEngine {
  let engine = engines.get(pool);
  if (!engine) {
    const cursors = cursorsOf(config, logger);
    engine =
      config.SEARCH_ENGINE === 'opensearch' && config.OPENSEARCH_URL
        ? createOpenSearchEngine({
            node: config.OPENSEARCH_URL,
            prefix: config.OPENSEARCH_PREFIX,
            registrantShards: config.OPENSEARCH_REGISTRANT_SHARDS,
            awsSigv4: awsSigv4Of(config),
            cursors,
          })
        : createPostgresEngine(pool, cursors);
    engines.set(pool, engine);
  }
  return engine;
}

function lagHistogram(registry: Registry): Histogram {
  return new Histogram({
    name: 'search_indexing_lag_seconds',
    help: 'Time from a registration event to its document being written to the search engine',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
}

export const searchService = defineService({
  name: 'search',
  config,
  migrationsDir: migrationsNear(import.meta.dirname),
  api: async ({ config, pool, logger, registry }) => {
    const engine = engineFor(config, pool, logger);
    await engine.init();
    return {
      routers: [
        registrantsRouter({
          engine,
          audit: auditRepo(pool),
          verifier: jwksVerifier(config.JWKS_URL),
        }),
        centersRouter({
          engine,
          availability: createAvailabilityClient({
            baseUrl: config.REGISTRATION_URL,
            timeoutMs: config.AVAILABILITY_TIMEOUT_MS,
            logger,
            registry,
          }),
        }),
      ],
      routes: [
        {
          method: 'get',
          path: '/registrants',
          summary:
            'Staff search for people by name (any script, accents and typos tolerated), phone suffix, birth year and region; audited',
          request: { query: registrantSearchQuery },
          responses: {
            200: {
              description: 'Best matches first, one page',
              schema: registrantSearchResponse,
            },
          },
        },
        {
          method: 'get',
          path: '/centers',
          summary:
            'Public search for vaccination centers by name, locality, language spoken and vaccine; with `date`, each center\'s free seats that day from registration\'s cached availability',
          request: { query: centerSearchQuery },
          responses: {
            200: {
              description:
                'Best matches first, one page. `availability` is left out without `date`; with it, each hit has a summary, or null when registration did not answer in time, failed or does not know the center',
              schema: centerSearchResponse,
            },
          },
        },
      ],
    };
  },
  consumers: ({ config, pool, logger, registry }) => {
    const deps = {
      engine: engineFor(config, pool, logger),
      documents: documentsRepo(pool),
      lag: lagHistogram(registry),
    };
    return [
      consumer({
        queue: QUEUES.searchFromRegistration,
        schema: registrationEvent,
        handle: (event) => applyRegistrationEvent(deps, event),
        // Up to 16 jobs held (a relay job carries up to 100 events), written 128 events at
        // a time: one documents statement and one engine bulk write per batch.
        concurrency: 16,
        batch: {
          maxBatch: 128,
          maxInFlight: 2,
          handle: (items) =>
            applyRegistrationEvents(
              deps,
              items.map((i) => i.event),
            ),
        },
      }),
    ];
  },
  commands: {
    /** `reindex`: rebuilds the configured engine from search's own documents table. */
    reindex: async ({ config, pool, logger }) => {
      const engine = engineFor(config, pool, logger);
      try {
        await engine.init();
        const counts = await engine.reindex(documentsSource(pool));
        logger.info({ engine: engine.name, ...counts }, 'reindex finished');
      } finally {
        await engine.close();
      }
    },
    'index-centers': async ({ config, pool, logger }, args) => {
      const engine = engineFor(config, pool, logger);
      try {
        await engine.init();
        const result = await indexCentersFromFile(
          { engine, documents: documentsRepo(pool) },
          args[0],
        );
        logger.info({ engine: engine.name, ...result }, 'centers indexed');
      } finally {
        await engine.close();
      }
    },
  },
});
