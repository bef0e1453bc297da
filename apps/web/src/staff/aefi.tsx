import { AEFI_SEVERITIES, reportAefiRequest, type AefiView } from '@jab/contracts';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { useLoad } from '../shared/async';
import { Field } from '../shared/field';
import { formatDate, formatDateTime } from '../shared/format';
import { FormProblems, useForm } from '../shared/form';
import { dayIn, useStaffApi } from './staff.api';

function Reported({ report }: { report: AefiView }) {
  const { t, i18n } = useTranslation('staff');
  return (
    <section aria-labelledby="staff-aefi-done" className="panel ok">
      <h3 id="staff-aefi-done">{t('aefi.done')}</h3>
      <p role="status">
        {t('aefi.doneDetail', {
          severity: t(`severities.${report.severity}`),
          date: formatDate(report.onsetDate, i18n.language),
          at: formatDateTime(report.reportedAt, i18n.language),
        })}
      </p>
      <p>
        {t('aefi.reference')}: <span className="id">{report.id}</span>
      </p>
      <p>
        <Link href="/today">{t('dose.backToToday')}</Link>
      </p>
    </section>
  );
}

/** An adverse event following immunization, reported against the dose that preceded it. */
export function AefiScreen({ doseId, centerId }: { doseId: string; centerId?: string }) {
  const { t } = useTranslation('staff');
  const api = useStaffApi();
  // The onset day defaults to today at the staff member's center (the service checks it in that zone).
  const center = useLoad((signal) => (centerId ? api.center(centerId, signal) : Promise.resolve(null)), [api, centerId]);
  const [severity, setSeverity] = useState('');
  const [onset, setOnset] = useState<string>();
  const [description, setDescription] = useState('');
  const [report, setReport] = useState<AefiView>();
  const { errors, failure, invalid, busy, submit } = useForm();
  const onsetDate = onset ?? dayIn(center.data?.timeZone ?? undefined);

  async function send(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = { severity: severity || undefined, onsetDate, description };
    const done = await submit(reportAefiRequest, value, (body) => api.reportAefi(doseId, body));
    if (done) setReport(done);
  }

  return (
    <>
      <h2>{t('aefi.title')}</h2>
      {report ? (
        <Reported report={report} />
      ) : (
        <form onSubmit={send} noValidate aria-labelledby="staff-aefi-form">
          <p id="staff-aefi-form">{t('aefi.intro')}</p>
          <Field id="staff-severity" label={t('aefi.severity')} error={errors['severity']}>
            {(aria) => (
              <select {...aria} value={severity} onChange={(e) => setSeverity(e.target.value)}>
                <option value="">{t('aefi.choose')}</option>
                {AEFI_SEVERITIES.map((s) => (
                  <option key={s} value={s}>
                    {t(`severities.${s}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id="staff-onset" label={t('aefi.onsetDate')} error={errors['onsetDate']}>
            {(aria) => <input {...aria} type="date" value={onsetDate} onChange={(e) => setOnset(e.target.value)} />}
          </Field>
          <Field id="staff-description" label={t('aefi.description')} hint={t('aefi.descriptionHint')} error={errors['description']}>
            {(aria) => <textarea {...aria} rows={4} maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />}
          </Field>
          <FormProblems invalid={invalid} failure={failure} />
          <button type="submit" disabled={busy}>
            {busy ? t('status.saving', { ns: 'common' }) : t('aefi.submit')}
          </button>
        </form>
      )}
    </>
  );
}
