import { BadRequest, Forbidden, NotFound, type ApiRoute } from '@jab/http';
import type { Logger } from '@jab/logger';
import express, { Router } from 'express';
import type { Pool } from 'pg';
import { markBounced, markDelivered } from './provider-events.repo.js';
import { messageRefOf, outcomeOf, sesEvent } from './ses-events.js';
import { isSnsUrl, snsEnvelope, verifySnsMessage, type CertificateSource } from './sns-signature.js';

export interface ProviderEventsDeps {
  pool: Pool;
  logger: Logger;
  /** The SNS topic SES publishes this environment's email events to; unset: route off. */
  topicArn: string | undefined;
  certificates: CertificateSource;
  /** Confirms a subscription by visiting SNS's SubscribeURL. */
  confirm?: (url: string) => Promise<void>;
}

const PATH = '/provider-events/ses';

/**
 * SES → SNS → here: delivery receipts and permanent bounces of the emails Jab sent.
 * Anyone can reach the URL, so only a message signed by SNS, from the configured topic,
 * changes anything; it names a message id, never an address, in what it stores.
 */
export function providerEventsRouter(deps: ProviderEventsDeps): Router {
  const router = Router();
  const confirm =
    deps.confirm ??
    (async (url: string) => {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (!res.ok) throw new Error(`subscription confirmation answered ${res.status}`);
    });
  // SNS posts JSON as text/plain.
  router.post(PATH, express.text({ type: () => true, limit: '256kb' }), async (req, res) => {
    if (!deps.topicArn) throw new NotFound('Provider events are not configured here.');
    // SNS sends text/plain; a client that says application/json was parsed already.
    let body: unknown = req.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        throw new BadRequest('The body is not JSON.');
      }
    }
    const envelope = snsEnvelope.safeParse(body);
    if (!envelope.success) {
      throw new BadRequest('Not an SNS message.', {
        errors: envelope.error.issues.map((i) => ({ path: `body.${i.path.join('.')}`, message: i.message })),
      });
    }
    const m = envelope.data;
    if (m.TopicArn !== deps.topicArn || !(await verifySnsMessage(m, deps.certificates))) {
      deps.logger.warn({ topic: m.TopicArn, type: m.Type }, 'refused an SNS message: wrong topic or bad signature');
      throw new Forbidden('The message is not signed by SNS for this topic.');
    }
    if (m.Type === 'SubscriptionConfirmation') {
      if (!m.SubscribeURL || !isSnsUrl(m.SubscribeURL)) throw new BadRequest('The subscription URL is not an SNS URL.');
      await confirm(m.SubscribeURL);
      deps.logger.info({ topic: m.TopicArn }, 'confirmed the SES events subscription');
      res.status(204).end();
      return;
    }
    if (m.Type === 'Notification') {
      const event = sesEvent.safeParse(JSON.parse(m.Message));
      if (event.success) {
        const outcome = outcomeOf(event.data);
        const ref = messageRefOf(event.data);
        const changed =
          outcome.kind === 'delivered' ? await markDelivered(deps.pool, ref, outcome.at) : outcome.kind === 'bounced' ? await markBounced(deps.pool, ref) : false;
        deps.logger.info({ outcome: outcome.kind, messageId: ref.jabId, changed }, 'email event');
      }
    }
    // Events about unknown messages or of other kinds are acknowledged, or SNS retries them for days.
    res.status(204).end();
  });
  return router;
}

export const providerEventsRoutes: ApiRoute[] = [
  {
    method: 'post',
    path: PATH,
    summary: 'SES email events through SNS (signed): delivery marks a message delivered, a permanent bounce ends it',
    responses: {
      204: { description: 'Accepted (or about no known message)' },
      400: { description: 'Not an SNS message' },
      403: { description: 'Not signed by SNS for the configured topic' },
      404: { description: 'No topic configured' },
    },
  },
];
