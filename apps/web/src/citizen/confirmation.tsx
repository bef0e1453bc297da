import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { ErrorMessage } from '../shared/async';
import { formatDate } from '../shared/format';
import { pollUntil } from '../shared/poll';
import { useCitizenRequest } from '../shared/session';
import { listMessages, type Message, type Registration } from './citizen.api';
import { MessageList } from './messages';

/** About ninety seconds: the welcome message normally lands within seconds. */
const POLL = { intervalMs: 1500, attempts: 60 };

type Phase = 'waiting' | 'delivered' | 'gave-up';

const isSettledWelcome = (items: Message[]) => items.some((m) => m.template === 'welcome' && m.status !== 'queued');

/** After a first registration: the person's number, and their welcome message as it goes out. */
export function Confirmation({ registration }: { registration: Registration }) {
  const { t, i18n } = useTranslation('citizen');
  const request = useCitizenRequest();
  const { registrant } = registration;
  const [messages, setMessages] = useState<Message[]>([]);
  const [phase, setPhase] = useState<Phase>('waiting');
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    const controller = new AbortController();
    void pollUntil((signal) => listMessages(request, signal), isSettledWelcome, {
      ...POLL,
      signal: controller.signal,
      onResult: (items) => {
        setMessages(items);
        setError(undefined);
      },
      onError: setError,
    }).then((done) => {
      if (!controller.signal.aborted) setPhase(done ? 'delivered' : 'gave-up');
    });
    return () => controller.abort();
  }, [request]);

  const welcome = messages.find((m) => m.template === 'welcome');
  const status =
    phase === 'waiting'
      ? t('welcome.waiting')
      : phase === 'gave-up'
        ? t('welcome.late')
        : welcome?.status === 'failed' || welcome?.status === 'dead'
          ? t('welcome.failed')
          : t('welcome.sent');

  return (
    <section aria-labelledby="confirmation-title" className="citizen-card">
      <h1 id="confirmation-title" tabIndex={-1}>
        {t('welcome.title')}
      </h1>
      <p>{t('welcome.thanks', { name: registrant.fullName })}</p>
      <dl className="facts">
        <dt>{t('welcome.number')}</dt>
        <dd data-testid="registrant-id">
          <bdi>{registrant.id}</bdi>
        </dd>
        <dt>{t('fields.birthDate.label')}</dt>
        <dd>{formatDate(registrant.birthDate, i18n.language)}</dd>
        <dt>{t('fields.region.label')}</dt>
        <dd>
          <bdi>{registrant.region}</bdi>
        </dd>
      </dl>
      <ul className="next-steps">
        <li>
          <Link href="/centers">{t('welcome.book')}</Link>
        </li>
        <li>
          <Link href="/household/add">{t('welcome.addMember')}</Link>
        </li>
      </ul>
      <h2 id="welcome-messages-title">{t('messages.title')}</h2>
      <p role="status">{status}</p>
      {error !== undefined && <ErrorMessage error={error} />}
      <MessageList messages={messages} labelledBy="welcome-messages-title" />
    </section>
  );
}
