import {
  checkInRequest,
  type CenterAppointment,
  type CenterAppointmentList,
  type CenterView,
} from '@jab/contracts';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'wouter';
import { ErrorMessage, LoadState, useLoad } from '../shared/async';
import { Field } from '../shared/field';
import { formatDate, formatTime } from '../shared/format';
import { FormProblems, useForm } from '../shared/form';
import { dayIn, useStaffApi } from './staff.api';

/** Check-in by the code the person shows (paper, SMS or screen); then on to the dose. */
export function CheckInForm() {
  const { t } = useTranslation('staff');
  const api = useStaffApi();
  const [, navigate] = useLocation();
  const [code, setCode] = useState('');
  const { errors, failure, invalid, busy, submit } = useForm();

  async function send(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const done = await submit(
      checkInRequest,
      { appointmentCode: code },
      (body) => api.checkIn(body.appointmentCode),
    );
    if (done) navigate(`/visits/${done.id}`);
  }

  return (
    <form
      onSubmit={send}
      noValidate
      aria-labelledby="staff-check-in-title"
      className="staff-check-in"
    >
      <h3 id="staff-check-in-title">{t('checkIn.title')}</h3>
      <Field
        id="staff-code"
        label={t('checkIn.code')}
        hint={t('checkIn.codeHint')}
        error={errors['appointmentCode']}
      >
        {(aria) => (
          <input
            {...aria}
            value={code}
            onChange={(e) => setCode(e.target.value.toUpperCase())}
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            maxLength={12}
            dir="ltr"
            className="code-input"
          />
        )}
      </Field>
      <FormProblems invalid={invalid} failure={failure} />
      <button type="submit" disabled={busy}>
        {busy ? t('checkIn.busy') : t('checkIn.submit')}
      </button>
    </form>
  );
}

function Row({ a, timeZone }: { a: CenterAppointment; timeZone: string }) {
  const { t, i18n } = useTranslation('staff');
  const api = useStaffApi();
  const [, navigate] = useLocation();
  const [state, setState] = useState<{ busy: boolean; error?: unknown }>({
    busy: false,
  });

  async function checkIn() {
    setState({ busy: true });
    try {
      const done = await api.checkIn(a.code);
      navigate(`/visits/${done.id}`);
    } catch (error) {
      setState({ busy: false, error });
    }
  }

  return (
    <tr>
      <th scope="row">
        <time dateTime={a.startsAt}>
          {formatTime(a.startsAt, i18n.language, timeZone)}
        </time>
      </th>
      <td>
        {a.nameMasked ? (
          <span title={t('today.masked')}>{a.name}</span>
        ) : (
          a.name
        )}
      </td>
      <td className="id" dir="ltr">
        {a.code}
      </td>
      <td>
        {a.vaccineName} · {t('dose.number', { number: a.doseNumber })}
        {a.walkIn && <> · {t('today.walkIn')}</>}
      </td>
      <td>{t(`statuses.${a.status}`)}</td>
      <td>
        {a.status === 'booked' && (
          <button
            type="button"
            className="small"
            onClick={() => void checkIn()}
            disabled={state.busy}
          >
            {t('today.checkIn', { code: a.code })}
          </button>
        )}
        {a.status === 'checked_in' && (
          <Link href={`/visits/${a.id}`}>
            {t('today.recordDose', { code: a.code })}
          </Link>
        )}
        {state.error !== undefined && <ErrorMessage error={state.error} />}
      </td>
    </tr>
  );
}

function DayList({ center }: { center: CenterView }) {
  const { t, i18n } = useTranslation('staff');
  const api = useStaffApi();
  const date = dayIn(center.timeZone);
  const first = useLoad(
    (signal) => api.centerDay(center.id, date, undefined, signal),
    [api, center.id, date],
  );
  const [extra, setExtra] = useState<{
    pages: CenterAppointmentList[];
    busy: boolean;
    error?: unknown;
  }>({ pages: [], busy: false });

  async function more(cursor: string) {
    setExtra((e) => ({ ...e, busy: true, error: undefined }));
    try {
      const page = await api.centerDay(center.id, date, cursor);
      setExtra((e) => ({ pages: [...e.pages, page], busy: false }));
    } catch (error) {
      setExtra((e) => ({ ...e, busy: false, error }));
    }
  }

  return (
    <LoadState state={first}>
      {(page) => {
        const pages = [page, ...extra.pages];
        const items = pages.flatMap((p) => p.items);
        const cursor = pages.at(-1)?.nextCursor ?? null;
        const name = center.names[i18n.language] ?? center.names['en'] ?? '';
        return (
          <>
            <p>
              {t('today.where', {
                center: name,
                date: formatDate(date, i18n.language),
              })}
            </p>
            <p role="status">{t('today.count', { count: items.length })}</p>
            {items.length > 0 && (
              <div className="table-wrap" tabIndex={0}>
                <table>
                  <caption>{t('today.caption')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('today.time')}</th>
                      <th scope="col">{t('today.name')}</th>
                      <th scope="col">{t('checkIn.code')}</th>
                      <th scope="col">{t('dose.vaccine')}</th>
                      <th scope="col">{t('today.status')}</th>
                      <th scope="col">{t('person.actions')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((a) => (
                      <Row key={a.id} a={a} timeZone={page.timeZone} />
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {cursor && (
              <button
                type="button"
                className="secondary"
                onClick={() => void more(cursor)}
                disabled={extra.busy}
              >
                {extra.busy
                  ? t('status.loading', { ns: 'common' })
                  : t('today.more')}
              </button>
            )}
            {extra.error !== undefined && <ErrorMessage error={extra.error} />}
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setExtra({ pages: [], busy: false });
                first.reload();
              }}
            >
              {t('actions.refresh', { ns: 'common' })}
            </button>
          </>
        );
      }}
    </LoadState>
  );
}

/** The center's day: check-in by code, and today's appointments in the center's time zone. */
export function TodayScreen({ centerId }: { centerId?: string }) {
  const { t } = useTranslation('staff');
  const api = useStaffApi();
  const center = useLoad(
    (signal) =>
      centerId ? api.center(centerId, signal) : Promise.resolve(null),
    [api, centerId],
  );
  return (
    <>
      <h2>{t('today.title')}</h2>
      <CheckInForm />
      <h3>{t('today.listTitle')}</h3>
      {!centerId ? (
        <p className="notice">{t('today.noCenter')}</p>
      ) : (
        <LoadState state={center}>
          {(c) => c && <DayList center={c} />}
        </LoadState>
      )}
    </>
  );
}
