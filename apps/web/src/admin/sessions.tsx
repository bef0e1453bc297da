import { createSessionRequest, type CenterView, type SessionView, type VaccineView } from '@jab/contracts';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorMessage, LoadState, useLoad } from '../shared/async';
import { Field } from '../shared/field';
import { formatDate } from '../shared/format';
import { useAdminApi } from './admin.api';
import { FormProblems, useForm } from '../shared/form';

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

type Outcome = { date: string; session?: SessionView; error?: unknown };

function Outcomes({ items }: { items: Outcome[] }) {
  const { t, i18n } = useTranslation('admin');
  const created = items.filter((o) => o.session).length;
  return (
    <section aria-labelledby="sessions-done" className="panel">
      <h3 id="sessions-done">{t('sessions.done')}</h3>
      <p role="status">{t('sessions.doneCount', { count: created, total: items.length })}</p>
      <ul className="outcomes">
        {items.map((o) => (
          <li key={o.date}>
            <strong>{formatDate(o.date, i18n.language)}</strong>:{' '}
            {o.session ? t('sessions.slots', { count: o.session.slotCount }) : <ErrorMessage error={o.error} />}
          </li>
        ))}
      </ul>
    </section>
  );
}

function SessionForm({ centers, vaccines, preselected }: { centers: CenterView[]; vaccines: VaccineView[]; preselected?: string }) {
  const { t, i18n } = useTranslation('admin');
  const api = useAdminApi();
  const [centerId, setCenterId] = useState(preselected && centers.some((c) => c.id === preselected) ? preselected : (centers[0]?.id ?? ''));
  const center = centers.find((c) => c.id === centerId);
  const offered = vaccines.filter((v) => center?.vaccineIds.includes(v.id));
  const [vaccineId, setVaccineId] = useState('');
  const [form, setForm] = useState({ date: '', days: '1', startTime: '09:00', endTime: '17:00', slotMinutes: '15', capacityDose1: '10', capacityLaterDoses: '5', walkInQuota: '2' });
  const [outcomes, setOutcomes] = useState<Outcome[]>();
  const [daysError, setDaysError] = useState<string>();
  const { errors, failure, invalid, busy, submit } = useForm();
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }));
  const chosenVaccine = offered.some((v) => v.id === vaccineId) ? vaccineId : (offered[0]?.id ?? '');
  const centerName = (c: CenterView) => c.names[i18n.language] ?? c.names['en'] ?? c.id;

  async function send(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const days = Number(form.days);
    if (!Number.isInteger(days) || days < 1 || days > 14) {
      setDaysError(t('sessions.daysError'));
      return;
    }
    setDaysError(undefined);
    setOutcomes(undefined);
    const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
    const value = {
      vaccineId: chosenVaccine,
      date: form.date,
      startTime: form.startTime,
      endTime: form.endTime,
      slotMinutes: num(form.slotMinutes),
      capacityDose1: num(form.capacityDose1),
      capacityLaterDoses: num(form.capacityLaterDoses),
      walkInQuota: num(form.walkInQuota),
    };
    // The first day is checked and sent like any form; the following days repeat it.
    await submit(createSessionRequest, value, async (body) => {
      const first = await api.createSession(centerId, body);
      const results: Outcome[] = [{ date: body.date, session: first }];
      for (let i = 1; i < days; i++) {
        const date = addDays(body.date, i);
        try {
          results.push({ date, session: await api.createSession(centerId, { ...body, date }) });
        } catch (error) {
          results.push({ date, error });
        }
      }
      setOutcomes(results);
    });
  }

  if (centers.length === 0) return <p>{t('sessions.noCenters')}</p>;
  return (
    <>
      <form onSubmit={send} noValidate aria-labelledby="sessions-form-title">
        <h3 id="sessions-form-title">{t('sessions.formTitle')}</h3>
        <Field id="session-center" label={t('sessions.center')}>
          {(aria) => (
            <select {...aria} value={centerId} onChange={(e) => setCenterId(e.target.value)}>
              {centers.map((c) => (
                <option key={c.id} value={c.id}>
                  {centerName(c)} ({c.region})
                </option>
              ))}
            </select>
          )}
        </Field>
        {center && <p className="hint">{t('sessions.timeZone', { zone: center.timeZone })}</p>}
        <Field id="session-vaccine" label={t('sessions.vaccine')} error={errors['vaccineId']}>
          {(aria) => (
            <select {...aria} value={chosenVaccine} onChange={(e) => setVaccineId(e.target.value)}>
              {offered.length === 0 && <option value="">{t('sessions.noVaccine')}</option>}
              {offered.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="admin-row">
          <Field id="session-date" label={t('sessions.date')} error={errors['date']}>
            {(aria) => <input {...aria} type="date" value={form.date} onChange={set('date')} />}
          </Field>
          <Field id="session-days" label={t('sessions.days')} hint={t('sessions.daysHint')} error={daysError}>
            {(aria) => <input {...aria} type="number" min={1} max={14} inputMode="numeric" value={form.days} onChange={set('days')} />}
          </Field>
        </div>
        <div className="admin-row">
          <Field id="session-start" label={t('sessions.startTime')} error={errors['startTime']}>
            {(aria) => <input {...aria} type="time" value={form.startTime} onChange={set('startTime')} />}
          </Field>
          <Field id="session-end" label={t('sessions.endTime')} error={errors['endTime']}>
            {(aria) => <input {...aria} type="time" value={form.endTime} onChange={set('endTime')} />}
          </Field>
          <Field id="session-slot" label={t('sessions.slotMinutes')} error={errors['slotMinutes']}>
            {(aria) => <input {...aria} type="number" min={5} max={240} inputMode="numeric" value={form.slotMinutes} onChange={set('slotMinutes')} />}
          </Field>
        </div>
        <div className="admin-row">
          <Field id="session-dose1" label={t('sessions.capacityDose1')} error={errors['capacityDose1']}>
            {(aria) => <input {...aria} type="number" min={0} inputMode="numeric" value={form.capacityDose1} onChange={set('capacityDose1')} />}
          </Field>
          <Field id="session-later" label={t('sessions.capacityLaterDoses')} error={errors['capacityLaterDoses']}>
            {(aria) => <input {...aria} type="number" min={0} inputMode="numeric" value={form.capacityLaterDoses} onChange={set('capacityLaterDoses')} />}
          </Field>
          <Field id="session-walk-in" label={t('sessions.walkInQuota')} error={errors['walkInQuota']}>
            {(aria) => <input {...aria} type="number" min={0} inputMode="numeric" value={form.walkInQuota} onChange={set('walkInQuota')} />}
          </Field>
        </div>
        <p className="hint">{t('sessions.capacityHint')}</p>
        <FormProblems invalid={invalid} failure={failure} />
        <button type="submit" disabled={busy}>
          {busy ? t('status.saving', { ns: 'common' }) : t('sessions.submit')}
        </button>
      </form>
      {outcomes && <Outcomes items={outcomes} />}
    </>
  );
}

/** Slot schedules: sessions of a center's day, cut into slots in the center's time zone. */
export function SessionsScreen({ preselected }: { preselected?: string }) {
  const { t } = useTranslation('admin');
  const api = useAdminApi();
  const data = useLoad(async (signal) => {
    const [centers, vaccines] = await Promise.all([api.centers(signal), api.vaccines(signal)]);
    return { centers, vaccines };
  }, [api]);
  return (
    <>
      <h2>{t('sessions.title')}</h2>
      <LoadState state={data}>{(d) => <SessionForm centers={d.centers} vaccines={d.vaccines} preselected={preselected} />}</LoadState>
    </>
  );
}
