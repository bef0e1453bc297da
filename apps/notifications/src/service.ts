import { baseConfigSchema } from '@jab/config';
import { messageList, QUEUES, registrantRegisteredEvent } from '@jab/contracts';
import { consumer, jwksVerifier, defineService, migrationsNear } from '@jab/runtime';
import { z } from 'zod';
import { createSinkChannel } from './channels/channel.js';
import { messagesRouter } from './messages/messages.routes.js';
import { sendWelcome } from './messages/messages.service.js';

const config = baseConfigSchema.extend({
  JWKS_URL: z.url(),
  /** Development and test delivery: messages land in `<dir>/outbox.jsonl`. */
  NOTIFY_SINK_DIR: z.string().min(1),
});

export const notificationsService = defineService({
  name: 'notifications',
  config,
  migrationsDir: migrationsNear(import.meta.dirname),
  api: ({ config, pool }) => ({
    routers: [messagesRouter({ pool, verifier: jwksVerifier(config.JWKS_URL) })],
    routes: [
      {
        method: 'get',
        path: '/messages',
        summary: "The signed-in citizen's messages, newest first",
        responses: { 200: { description: 'Messages', schema: messageList } },
      },
    ],
  }),
  consumers: ({ config, pool, logger }) => {
    const channel = createSinkChannel(config.NOTIFY_SINK_DIR);
    return [
      consumer({
        queue: QUEUES.notificationsFromRegistration,
        schema: registrantRegisteredEvent,
        handle: (event) => sendWelcome({ pool, channel, logger }, event),
      }),
    ];
  },
});
