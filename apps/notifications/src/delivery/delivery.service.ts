import { openSecret } from '@jab/auth';
import type { Logger } from '@jab/logger';
import type { Pool } from 'pg';
import { PermanentDeliveryError, type ChannelKind, type SendResult } from '../channels/channel.js';
import type { Transports } from '../channels/transports.js';
import {
  claimForSending,
  claimManyForSending,
  findDeliverable,
  findDeliverables,
  markAttemptFailed,
  markDead,
  markManySent,
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
  if (!(await claimForSending(deps.pool, m.id, deps.leaseSeconds))) throw heldElsewhere();
  const outcome = await sendClaimed(deps, kind, m, route.address, attempt);
  if (outcome === 'handed over') return;
  await markSent(deps.pool, m.id, kind, outcome.providerMessageId);
  deps.logger.info({ messageId: m.id, template: m.template, channel: kind }, 'message sent');
}

export interface Delivery {
  messageId: string;
  final: boolean;
}

/**
 * `deliver` for many messages of one channel, each settled on its own: one read, one
 * claim and one "sent" statement for the batch, the sends themselves side by side. A
 * message that needs more than a send (moved, no route) goes through `deliver` alone.
 */
export async function deliverMany(deps: DeliveryDeps, kind: ChannelKind, deliveries: Delivery[]): Promise<PromiseSettledResult<void>[]> {
  const found = new Map((await findDeliverables(deps.pool, deliveries.map((d) => d.messageId))).map((m) => [m.id, m]));
  const routed = new Map<string, { m: DeliverableMessage; address: string }>();
  for (const d of deliveries) {
    const m = found.get(d.messageId);
    if (!m || (m.status !== 'queued' && m.status !== 'failed') || m.channel !== kind) continue;
    const route = routeFor(m, kind);
    if (route.ok) routed.set(m.id, { m, address: route.address });
  }
  const claimed = await claimManyForSending(deps.pool, [...routed.keys()], deps.leaseSeconds);
  const sent: { id: string; channel: ChannelKind; providerMessageId?: string }[] = [];
  const outcomes = await Promise.allSettled(
    deliveries.map(async (d) => {
      const m = found.get(d.messageId);
      if (!m || (m.status !== 'queued' && m.status !== 'failed')) return;
      const r = routed.get(d.messageId);
      if (!r) return deliver(deps, kind, d.messageId, d);
      if (!claimed.has(d.messageId)) throw heldElsewhere();
      const outcome = await sendClaimed(deps, kind, m, r.address, d);
      if (outcome !== 'handed over') sent.push({ id: m.id, channel: kind, providerMessageId: outcome.providerMessageId });
    }),
  );
  await markManySent(deps.pool, sent);
  // One line per batch: each message's own is its job's (`send-<messageId>`).
  if (sent.length > 0) deps.logger.info({ channel: kind, sent: sent.length, of: deliveries.length }, 'messages sent');
  return outcomes;
}

// Another worker holds the lease (or crashed holding it): retry after it expires.
const heldElsewhere = () => new Error('message is held by another worker; retrying after its lease');

/**
 * Renders and sends a message this worker holds the lease of; the provider's answer, or
 * 'handed over' when a permanent failure moved it to the person's other channel. Any
 * other failure is recorded (dead or failed) before it is thrown.
 */
async function sendClaimed(
  deps: DeliveryDeps,
  kind: ChannelKind,
  m: DeliverableMessage,
  address: string,
  attempt: { final: boolean },
): Promise<SendResult | 'handed over'> {
  let content: Rendered;
  try {
    content = await contentFor(deps, m);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await markDead(deps.pool, m.id, reason, false);
    throw new PermanentDeliveryError(reason);
  }

  const started = performance.now();
  try {
    const result = await deps.transports[kind].send({
      messageId: m.id,
      template: m.template,
      to: kind === 'email' ? { channel: 'email', address } : { channel: 'sms', address },
      ...content,
    });
    deps.metrics.sent(kind, (performance.now() - started) / 1000);
    return result;
  } catch (error) {
    const permanent = error instanceof PermanentDeliveryError || (error instanceof Error && error.name === 'UnrecoverableError');
    deps.metrics.failed(kind, permanent ? 'permanent' : 'temporary');
    const reason = `${kind}: ${error instanceof Error ? error.message : String(error)}`;
    if (permanent) {
      await handOver(deps, m, reason, true);
      return 'handed over';
    }
    if (attempt.final) await markDead(deps.pool, m.id, `${reason} (no attempts left)`, true);
    else await markAttemptFailed(deps.pool, m.id, reason);
    throw error;
  }
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
