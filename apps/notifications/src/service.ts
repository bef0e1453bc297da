import { sealingKey } from '@jab/auth';
import { QUEUES, registrationEvent } from '@jab/contracts';
import { createRedis, type Job } from '@jab/queue';
import { consumer, defineService, jwksVerifier, migrationsNear, type ServiceContext } from '@jab/runtime';
import type { Redis } from 'ioredis';
import { queueBoardRouter, queueBoardRoutes } from './admin/queues.routes.js';
import type { ChannelKind } from './channels/channel.js';
import { transportsFrom } from './channels/transports.js';
import { notificationsConfig, type NotificationsConfig } from './config.js';
import { deliver, deliverMany } from './delivery/delivery.service.js';
import { handleRegistrationEvent, handleRegistrationEvents } from './events/events.service.js';
import { messagesRouter, messagesRoutes } from './messages/messages.routes.js';
import { staffAccessClient } from './messages/staff-access.client.js';
import { registerNotificationMetrics } from './metrics.js';
import { preferencesRouter, preferencesRoutes } from './preferences/preferences.routes.js';
import { providerEventsRouter, providerEventsRoutes } from './provider-events/provider-events.routes.js';
import { httpsCertificates } from './provider-events/sns-signature.js';
import { openQueues, SCHEDULE_QUEUE, scheduledJob, SEND_QUEUES, sendJob } from './queues.js';
import { runScheduled } from './schedule/schedule.service.js';

export { notificationsConfig } from './config.js';

type Ctx = ServiceContext<NotificationsConfig>;

/** True on the job's last attempt: a failure now is final, and the message goes dead. */
const isFinalAttempt = (job: Job) => job.attemptsMade + 1 >= (job.opts.attempts ?? 1);

/**
 * A producer connection that waits through a Redis outage (offline queue) instead of
 * failing the job that adds, closed when the service closes its own Redis client.
 */
function producerRedis(ctx: Ctx): Redis {
  const redis = createRedis(ctx.config.REDIS_URL, { forWorker: true, logger: ctx.logger, name: 'notifications-producer' });
  ctx.redis.once('end', () => redis.disconnect());
  return redis;
}

export const notificationsService = defineService({
  name: 'notifications',
  config: notificationsConfig,
  migrationsDir: migrationsNear(import.meta.dirname),
  api: ({ config, pool, readPool, redis, logger }) => {
    const verifier = jwksVerifier(config.JWKS_URL);
    // The dashboard's queues share the request-path client: it fails fast while Redis is away.
    const queues = openQueues(redis, logger, config.REDIS_PREFIX);
    return {
      routers: [
        messagesRouter({
          readPool,
          verifier,
          staffAccess: staffAccessClient({ baseUrl: config.REGISTRATION_URL, timeoutMs: config.ACCESS_CHECK_TIMEOUT_MS }),
        }),
        preferencesRouter({ pool, verifier }),
        queueBoardRouter({ queues: queues.all, verifier, apiBase: '/api/notifications/v1' }),
        providerEventsRouter({ pool, logger, topicArn: config.SES_EVENTS_TOPIC_ARN, certificates: httpsCertificates() }),
      ],
      routes: [...messagesRoutes, ...preferencesRoutes, ...providerEventsRoutes, ...queueBoardRoutes],
    };
  },
  consumers: (ctx) => {
    const { config, pool, logger } = ctx;
    const queues = openQueues(producerRedis(ctx), logger, config.REDIS_PREFIX);
    // Limits live in Redis and bind every worker process of the fleet together.
    void queues.send.email.setGlobalRateLimit(config.NOTIFY_EMAIL_RATE_PER_SECOND, 1_000).catch((err: unknown) =>
      logger.error({ err }, 'could not set the email rate limit'),
    );
    void queues.send.sms.setGlobalRateLimit(config.NOTIFY_SMS_RATE_PER_SECOND, 1_000).catch((err: unknown) =>
      logger.error({ err }, 'could not set the SMS rate limit'),
    );
    const metrics = registerNotificationMetrics(ctx.registry, openQueues(ctx.redis, logger, config.REDIS_PREFIX).all, ctx.redis);
    const delivery = {
      pool,
      queues,
      logger,
      metrics,
      transports: transportsFrom(config),
      leaseSeconds: config.NOTIFY_SEND_LEASE_SECONDS,
      otpKey: config.OTP_SEALING_KEY ? sealingKey(config.OTP_SEALING_KEY) : undefined,
    };
    // Jobs held at once are applied in batches; two in flight keep the database busy while a third fills.
    const batching = { maxBatch: config.NOTIFY_BATCH, maxInFlight: 2 };
    const sender = (kind: ChannelKind) =>
      consumer({
        queue: SEND_QUEUES[kind],
        schema: sendJob,
        concurrency: config.NOTIFY_CONCURRENCY,
        handle: (job, raw) => deliver(delivery, kind, job.messageId, { final: isFinalAttempt(raw) }),
        batch: {
          ...batching,
          handle: (items) => deliverMany(delivery, kind, items.map((i) => ({ messageId: i.event.messageId, final: isFinalAttempt(i.job) }))),
        },
      });
    const events = { pool, queues, logger };
    return [
      consumer({
        queue: QUEUES.notificationsFromRegistration,
        schema: registrationEvent,
        concurrency: config.NOTIFY_EVENT_CONCURRENCY,
        handle: (event) => handleRegistrationEvent(events, event),
        batch: {
          ...batching,
          handle: (items) => handleRegistrationEvents(events, items.map((i) => i.event)),
        },
      }),
      consumer({
        queue: SCHEDULE_QUEUE,
        schema: scheduledJob,
        concurrency: config.NOTIFY_SCHEDULE_CONCURRENCY,
        handle: (job) => runScheduled(events, job),
      }),
      sender('email'),
      sender('sms'),
    ];
  },
});
