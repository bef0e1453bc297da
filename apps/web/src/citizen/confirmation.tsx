import { useEffect, useState } from 'react';
import { describeError } from '../shared/api';
import { listMessages, type Message, type Registration } from './citizen.api';
import { pollUntil } from '../shared/poll';

const TEMPLATE_NAMES: Record<string, string> = { welcome: 'Welcome message' };
const CHANNEL_NAMES: Record<Message['channel'], string> = { email: 'email', sms: 'SMS', sink: 'local outbox' };

/** About ninety seconds: the welcome message normally lands within seconds. */
const POLL = { intervalMs: 1500, attempts: 60 };

type Phase = 'waiting' | 'delivered' | 'gave-up';

const isSettledWelcome = (items: Message[]) =>
  items.some((m) => m.template === 'welcome' && m.status !== 'queued');

export function Confirmation({ registration }: { registration: Registration }) {
  const { registrant, accessToken } = registration;
  const [messages, setMessages] = useState<Message[]>([]);
  const [phase, setPhase] = useState<Phase>('waiting');
  const [error, setError] = useState<string>();

  useEffect(() => {
    const controller = new AbortController();
    void pollUntil((signal) => listMessages(accessToken, signal), isSettledWelcome, {
      ...POLL,
      signal: controller.signal,
      onResult: (items) => {
        setMessages(items);
        setError(undefined);
      },
      onError: (e) => setError(describeError(e)),
    }).then((done) => {
      if (!controller.signal.aborted) setPhase(done ? 'delivered' : 'gave-up');
    });
    return () => controller.abort();
  }, [accessToken]);

  const welcome = messages.find((m) => m.template === 'welcome');
  const status =
    phase === 'waiting'
      ? 'Waiting for your welcome message…'
      : phase === 'gave-up'
        ? 'Your welcome message is taking longer than usual. It will still arrive.'
        : welcome?.status === 'failed'
          ? 'We could not send your welcome message. Your registration is still valid.'
          : 'Your welcome message has been sent.';

  return (
    <section aria-labelledby="confirmation-title">
      <h2 id="confirmation-title" tabIndex={-1}>
        You are registered
      </h2>
      <p>Thank you, {registrant.fullName}. Keep your registration number for your appointment.</p>
      <dl className="facts">
        <dt>Registration number</dt>
        <dd data-testid="registrant-id">{registrant.id}</dd>
        <dt>Region</dt>
        <dd>{registrant.region}</dd>
      </dl>
      <h3 id="messages-title">Your messages</h3>
      <p role="status">{status}</p>
      {error && <p className="error">{error}</p>}
      {messages.length === 0 ? (
        <p>No messages yet.</p>
      ) : (
        <ul aria-labelledby="messages-title" className="messages">
          {messages.map((m) => (
            <li key={m.id}>
              <span>{TEMPLATE_NAMES[m.template] ?? m.template}</span> by {CHANNEL_NAMES[m.channel] ?? m.channel}:{' '}
              <strong className={`status status-${m.status}`}>{m.status}</strong>
              {m.sentAt && (
                <>
                  {' '}
                  at <time dateTime={m.sentAt}>{new Date(m.sentAt).toLocaleString()}</time>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
