import { openSecret } from '@jab/auth';
import type { Logger } from '@jab/logger';
import type { Pool } from 'pg';
import { PermanentDeliveryError, type ChannelKind } from '../channels/channel.js';
import type { Transports } from '../channels/transports.js';
import {
  claimForSending,
  findDeliverable,
  markAttemptFailed,
  markDead,
  markSent,
  moveToChannel,
  type DeliverableMessage,
} from '../messages/messages.repo.js';
import { enqueueSend, type SealedOtpParams } from '../messages/messages.service.js';
import { render, type Rendered, type TemplateName, type TemplateParams } from '../messages/templates.js';
import type { NotificationQueues } from '../queues.js';

export interface DeliveryMetrics {
  sent(channel: ChannelKind, seconds: number): void;
  failed(channel: ChannelKind, kind: 'permanent' | 'temporary'): void;
}

export interface DeliveryDeps {
  pool: Pool;
  queues: NotificationQueues;
  transports: Transports;
  logger: Logger;
  metrics: DeliveryMetrics;
  leaseSeconds: number;
  /** Opens one-time codes; without it they cannot be sent (and die with that reason). */
  otpKey?: Uint8Array;
}

const OTHER: Record<ChannelKind, ChannelKind> = { email: 'sms', sms: 'email' };

type Route = { ok: true; address: string } | { ok: false; reason: string };

/** Where the message may go on `kind`: a known address the person has not opted out of. */
function routeFor(m: DeliverableMessage, kind: ChannelKind): Route {
  if (m.destination) {
    return m.destination.channel === kind ? { ok: true, address: m.destination.address } : { ok: false, reason: `no ${kind} address` };
  }
  const address = kind === 'email' ? m.email : m.phone;
  if (!address) return { ok: false, reason: `no ${kind} contact` };
  // One-time codes are how people sign in at all: an opt-out never blocks them.
  const optedOut = kind === 'email' ? m.emailOptOut : m.smsOptOut;
  if (optedOut && m.template !== 'otp') return { ok: false, reason: `opted out of ${kind}` };
  return { ok: true, address };
}

/**
 * Sends one message on one channel, at most once: a message already sent or dead is left
 * alone, and only the worker holding the PostgreSQL lease sends. A permanent failure hands
 * the message to the person's other channel (once); with nowhere else to go it is dead.
 */
export async function deliver(deps: DeliveryDeps, kind: ChannelKind, messageId: string, attempt: { final: boolean }): Promise<void> {
  const m = await findDeliverable(deps.pool, messageId);
  if (!m || (m.status !== 'queued' && m.status !== 'failed')) return;
  // Moved to the other channel by an earlier run: make sure its job is there, nothing else.
  if (m.channel !== kind) return enqueueSend(deps.queues, m);

  const route = routeFor(m, kind);
  if (!route.ok) return handOver(deps, m, `${kind}: ${route.reason}`, false);
  if (!(await claimForSending(deps.pool, m.id, deps.leaseSeconds))) {
    // Another worker holds the lease (or crashed holding it): retry after it expires.
    throw new Error('message is held by another worker; retrying after its lease');
  }

  let content: Rendered;
  try {
    content = await contentFor(deps, m);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await markDead(deps.pool, m.id, reason, false);
    throw new PermanentDeliveryError(reason);
  }

  const started = performance.now();
  let providerMessageId: string | undefined;
  try {
    ({ providerMessageId } = await deps.transports[kind].send({
      messageId: m.id,
      template: m.template,
      to: kind === 'email' ? { channel: 'email', address: route.address } : { channel: 'sms', address: route.address },
      ...content,
    }));
  } catch (error) {
    const permanent = error instanceof PermanentDeliveryError || (error instanceof Error && error.name === 'UnrecoverableError');
    deps.metrics.failed(kind, permanent ? 'permanent' : 'temporary');
    const reason = `${kind}: ${error instanceof Error ? error.message : String(error)}`;
    if (permanent) return handOver(deps, m, reason, true);
    if (attempt.final) await markDead(deps.pool, m.id, `${reason} (no attempts left)`, true);
    else await markAttemptFailed(deps.pool, m.id, reason);
    throw error;
  }
  deps.metrics.sent(kind, (performance.now() - started) / 1000);
  await markSent(deps.pool, m.id, kind, providerMessageId);
  deps.logger.info({ messageId: m.id, template: m.template, channel: kind }, 'message sent');
}

/** To the other channel if the person has it (and no fallback happened yet); dead otherwise. */
async function handOver(deps: DeliveryDeps, m: DeliverableMessage, reason: string, attempted: boolean): Promise<void> {
  const other = OTHER[m.channel];
  const alternative = m.fallbackFrom ? ({ ok: false, reason: 'already tried' } as const) : routeFor(m, other);
  if (alternative.ok && (await moveToChannel(deps.pool, m.id, other, reason, attempted))) {
    await enqueueSend(deps.queues, { id: m.id, status: 'queued', channel: other, priority: m.priority });
    deps.logger.warn({ messageId: m.id, from: m.channel, to: other }, 'message moved to the other channel');
    return;
  }
  const why = alternative.ok ? reason : `${reason}; ${other}: ${alternative.reason}`;
  await markDead(deps.pool, m.id, why, attempted);
  // Rethrown as unrecoverable: the job lands in the failed set, the dead-letter store.
  throw new PermanentDeliveryError(why);
}

async function contentFor(deps: DeliveryDeps, m: DeliverableMessage): Promise<Rendered> {
  if (m.template === 'otp') {
    const { sealedCode, expiresAt } = m.params as unknown as SealedOtpParams;
    const left = new Date(expiresAt).getTime() - Date.now();
    if (left <= 0) throw new Error('the code expired before it could be sent');
    if (!deps.otpKey) throw new Error('OTP_SEALING_KEY is not configured');
    const code = await openSecret(sealedCode, deps.otpKey).catch(() => {
      throw new Error('the sealed code could not be opened');
    });
    return render('otp', m.language, { code, minutes: Math.max(1, Math.ceil(left / 60_000)) });
  }
  const template = m.template as Exclude<TemplateName, 'otp'>;
  return render(template, m.language, m.params as unknown as TemplateParams[typeof template]);
}
