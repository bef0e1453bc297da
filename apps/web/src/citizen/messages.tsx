import { useTranslation } from 'react-i18next';
import { LoadState, useLoad } from '../shared/async';
import { formatDateTime } from '../shared/format';
import { useCitizenRequest } from '../shared/session';
import { listMessages, type Message } from './citizen.api';

const TEMPLATES = [
  'welcome',
  'otp',
  'booking_confirmed',
  'appointment_cancelled',
  'appointment_rescheduled',
  'reminder_24h',
  'reminder_2h',
  'second_dose_due',
  'certificate_ready',
  'lot_recalled',
] as const;

/** A template's name in the reader's language (its code when the service adds one we do not know yet). */
export function useTemplateName(): (template: string) => string {
  const { t } = useTranslation('citizen');
  return (template) => ((TEMPLATES as readonly string[]).includes(template) ? t(`templates.${template}`) : template);
}

/** Messages with their delivery status, newest first, as the notifications service lists them. */
export function MessageList({ messages, labelledBy }: { messages: Message[]; labelledBy: string }) {
  const { t, i18n } = useTranslation('citizen');
  const templateName = useTemplateName();
  if (messages.length === 0) return <p>{t('messages.none')}</p>;
  return (
    <ul aria-labelledby={labelledBy} className="messages card-list">
      {messages.map((m) => (
        <li key={m.id}>
          <span>{t('messages.itemLead', { template: templateName(m.template), channel: t(`channels.${m.channel}`) })}</span>{' '}
          <strong className={`status status-${m.status}`}>{t(`statuses.${m.status}`)}</strong>
          {/* A space, not only a line break, so the status and the time read as two words. */}{' '}
          <time dateTime={m.sentAt ?? m.createdAt} className="muted message-time">
            {formatDateTime(m.sentAt ?? m.createdAt, i18n.language)}
          </time>
        </li>
      ))}
    </ul>
  );
}

/** Notification history: every message sent to the household, with its status. */
export function MessagesPage() {
  const { t } = useTranslation('citizen');
  const request = useCitizenRequest();
  const state = useLoad((signal) => listMessages(request, signal), [request]);
  return (
    <section aria-labelledby="messages-title">
      <h1 id="messages-title" tabIndex={-1}>
        {t('messages.title')}
      </h1>
      <p>{t('messages.intro')}</p>
      <button type="button" className="secondary" onClick={state.reload} disabled={state.loading}>
        {t('actions.refresh', { ns: 'common' })}
      </button>
      <p role="status" className="visually-hidden">
        {state.loading ? t('status.loading', { ns: 'common' }) : ''}
      </p>
      <LoadState state={state}>{(messages) => <MessageList messages={messages} labelledBy="messages-title" />}</LoadState>
    </section>
  );
}
