import { createReportRequest, REPORT_KINDS, type ReportView, type VaccineView } from '@jab/contracts';
import { useEffect, useState, type FormEvent, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorMessage, useLoad } from '../shared/async';
import { Field } from '../shared/field';
import { formatDateTime, formatNumber } from '../shared/format';
import { pollUntil } from '../shared/poll';
import { useSessions } from '../shared/session';
import { downloadWithToken, useAdminApi } from './admin.api';
import { defaultFilters } from './dashboard';
import { FieldGroup, FormProblems, useForm } from '../shared/form';

const finished = (r: ReportView) => r.status === 'done' || r.status === 'failed';

function Download({ report }: { report: ReportView & { downloadUrl: string } }) {
  const { t } = useTranslation('admin');
  const { staff } = useSessions();
  const [error, setError] = useState<unknown>();
  const filename = `report-${report.kind}-${report.id}.csv`;
  // The API's own download route needs the admin's token, which a plain link cannot send.
  const viaApi = report.downloadUrl.startsWith('/');

  async function download(event: MouseEvent<HTMLAnchorElement>) {
    if (!viaApi) return;
    event.preventDefault();
    setError(undefined);
    try {
      await downloadWithToken(report.downloadUrl, staff?.accessToken ?? '', filename);
    } catch (e) {
      setError(e);
    }
  }

  return (
    <>
      <a href={report.downloadUrl} download={viaApi ? filename : undefined} onClick={(e) => void download(e)} className="button-link">
        {t('reports.download', { kind: t(`reports.kinds.${report.kind}`) })}
      </a>
      {error !== undefined && <ErrorMessage error={error} />}
    </>
  );
}

/** Follows one report until it is done (or failed), bounded; the bar and the text say where it is. */
function Progress({ initial, pollMs }: { initial: ReportView; pollMs: number }) {
  const { t, i18n } = useTranslation('admin');
  const api = useAdminApi();
  const [report, setReport] = useState(initial);
  const [error, setError] = useState<unknown>();
  const [following, setFollowing] = useState(!finished(initial));
  const [round, setRound] = useState(0);

  useEffect(() => {
    if (finished(initial) && round === 0) return;
    const controller = new AbortController();
    setFollowing(true);
    // About ten minutes at one look a second, then the admin may look again by hand.
    void pollUntil((signal) => api.report(initial.id, signal), finished, {
      intervalMs: pollMs,
      attempts: Math.ceil(600_000 / pollMs),
      signal: controller.signal,
      onResult: (r) => {
        setReport(r);
        setError(undefined);
      },
      onError: setError,
    }).then(() => !controller.signal.aborted && setFollowing(false));
    return () => controller.abort();
  }, [api, initial, pollMs, round]);

  const kind = t(`reports.kinds.${report.kind}`);
  const statusText =
    report.status === 'done'
      ? t('reports.statusDone', { count: report.rows ?? 0, rows: formatNumber(report.rows ?? 0, i18n.language) })
      : report.status === 'failed'
        ? t('reports.statusFailed', { error: report.error ?? '' })
        : report.status === 'running'
          ? t('reports.statusRunning', { progress: formatNumber(report.progress / 100, i18n.language, { style: 'percent' }) })
          : t('reports.statusQueued');

  return (
    <li className="report">
      <h4 id={`report-${report.id}`}>{t('reports.itemTitle', { kind, at: formatDateTime(report.createdAt, i18n.language) })}</h4>
      <progress max={100} value={report.progress} aria-label={t('reports.progressLabel', { kind })} />
      <p role="status" data-testid="report-status">
        {statusText}
      </p>
      {report.status === 'done' && report.downloadUrl && <Download report={{ ...report, downloadUrl: report.downloadUrl }} />}
      {error !== undefined && <ErrorMessage error={error} />}
      {!following && !finished(report) && (
        <button type="button" className="secondary" onClick={() => setRound((r) => r + 1)}>
          {t('reports.lookAgain')}
        </button>
      )}
    </li>
  );
}

function ReportForm({ vaccines, onCreated }: { vaccines: VaccineView[]; onCreated: (r: ReportView) => void }) {
  const { t } = useTranslation('admin');
  const api = useAdminApi();
  const initial = defaultFilters();
  const [kind, setKind] = useState('');
  const [form, setForm] = useState({ from: initial.from ?? '', to: initial.to ?? '', region: '', vaccine: '' });
  const { errors, failure, invalid, busy, submit } = useForm();
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }));

  async function send(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = {
      kind: kind || undefined,
      format: 'csv',
      filters: {
        from: form.from || undefined,
        to: form.to || undefined,
        region: form.region.trim().toUpperCase() || undefined,
        vaccine: form.vaccine || undefined,
      },
    };
    const created = await submit(createReportRequest, value, (body) => api.createReport(body));
    if (created) onCreated(created);
  }

  return (
    <form onSubmit={send} noValidate aria-labelledby="report-form-title">
      <h3 id="report-form-title">{t('reports.formTitle')}</h3>
      <FieldGroup id="report-kind" legend={t('reports.kind')} error={errors['kind']}>
        {REPORT_KINDS.map((k) => (
          <label key={k} className="choice">
            <input type="radio" name="report-kind" value={k} checked={kind === k} onChange={() => setKind(k)} />
            {t(`reports.kinds.${k}`)}
          </label>
        ))}
      </FieldGroup>
      <div className="admin-row">
        <Field id="report-from" label={t('filters.from')} error={errors['filters.from']}>
          {(aria) => <input {...aria} type="date" value={form.from} onChange={set('from')} />}
        </Field>
        <Field id="report-to" label={t('filters.to')} error={errors['filters.to']}>
          {(aria) => <input {...aria} type="date" value={form.to} onChange={set('to')} />}
        </Field>
      </div>
      <div className="admin-row">
        <Field id="report-region" label={t('filters.region')} hint={t('filters.regionHint')} error={errors['filters.region']}>
          {(aria) => <input {...aria} value={form.region} onChange={set('region')} autoComplete="off" />}
        </Field>
        <Field id="report-vaccine" label={t('filters.vaccine')} error={errors['filters.vaccine']}>
          {(aria) => (
            <select {...aria} value={form.vaccine} onChange={set('vaccine')}>
              <option value="">{t('filters.allVaccines')}</option>
              {vaccines.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <p className="hint">{t('reports.privacy')}</p>
      <FormProblems invalid={invalid} failure={failure} />
      <button type="submit" disabled={busy}>
        {busy ? t('reports.requesting') : t('reports.submit')}
      </button>
    </form>
  );
}

/** CSV exports run as long tasks: request one, watch its progress, download it when done. */
export function ReportsScreen({ pollMs = 1_000 }: { pollMs?: number }) {
  const { t } = useTranslation('admin');
  const api = useAdminApi();
  const vaccines = useLoad((signal) => api.vaccines(signal), [api]);
  const [reports, setReports] = useState<ReportView[]>([]);
  return (
    <>
      <h2>{t('reports.title')}</h2>
      <ReportForm vaccines={vaccines.data ?? []} onCreated={(r) => setReports((list) => [r, ...list])} />
      {reports.length > 0 && (
        <section aria-labelledby="reports-list-title">
          <h3 id="reports-list-title">{t('reports.requested')}</h3>
          <ul className="reports">
            {reports.map((r) => (
              <Progress key={r.id} initial={r} pollMs={pollMs} />
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
