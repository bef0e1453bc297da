import {
  analyticsFilters,
  type AnalyticsFilters,
  type CoverageResponse,
  type TimeSeriesResponse,
  type UtilizationResponse,
  type VaccineView,
} from '@jab/contracts';
import {
  lazy,
  Suspense,
  useState,
  type FormEvent,
  type ReactNode,
} from 'react';
import { useTranslation } from 'react-i18next';
import { LoadState, useLoad } from '../shared/async';
import { Field } from '../shared/field';
import { formatDate, formatNumber } from '../shared/format';
import { useAdminApi } from './admin.api';
import { FormProblems, useForm } from '../shared/form';

// recharts only when a chart is about to be drawn: the tables (and the numbers) come first.
const TimeChart = lazy(() =>
  import('./charts').then((m) => ({ default: m.TimeChart })),
);
const BarsChart = lazy(() =>
  import('./charts').then((m) => ({ default: m.BarsChart })),
);

/** Days are UTC calendar days in analytics. */
const utcDay = (d: Date) => d.toISOString().slice(0, 10);
export function defaultFilters(now = new Date()): AnalyticsFilters {
  return {
    from: utcDay(new Date(now.getTime() - 29 * 86_400_000)),
    to: utcDay(now),
  };
}

function ChartSlot({ children }: { children: ReactNode }) {
  return (
    <Suspense
      fallback={<div className="chart chart-pending" aria-hidden="true" />}
    >
      {children}
    </Suspense>
  );
}

function Section({
  id,
  title,
  children,
}: {
  id: string;
  title: string;
  children: ReactNode;
}) {
  return (
    <section aria-labelledby={id} className="dash-section">
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

function useFormat() {
  const { i18n } = useTranslation('admin');
  const lang = i18n.language;
  return {
    n: (v: number) => formatNumber(v, lang),
    pct: (v: number | null) =>
      v === null
        ? '—'
        : formatNumber(v, lang, { style: 'percent', maximumFractionDigits: 1 }),
    day: (iso: string) => formatDate(iso, lang),
  };
}

function Filters({
  value,
  vaccines,
  onApply,
  onRefresh,
}: {
  value: AnalyticsFilters;
  vaccines: VaccineView[];
  onApply: (f: AnalyticsFilters) => void;
  onRefresh: () => void;
}) {
  const { t } = useTranslation('admin');
  const [form, setForm] = useState({
    from: value.from ?? '',
    to: value.to ?? '',
    region: value.region ?? '',
    vaccine: value.vaccine ?? '',
  });
  const { errors, failure, invalid, submit } = useForm();
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));

  async function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const raw = {
      from: form.from || undefined,
      to: form.to || undefined,
      region: form.region.trim().toUpperCase() || undefined,
      vaccine: form.vaccine || undefined,
    };
    await submit(analyticsFilters, raw, async (checked) => onApply(checked));
  }

  return (
    <form
      onSubmit={apply}
      noValidate
      className="dash-filters"
      aria-labelledby="dash-filters-title"
    >
      <h2 id="dash-filters-title">{t('filters.title')}</h2>
      <div className="dash-filter-fields">
        <Field id="dash-from" label={t('filters.from')} error={errors['from']}>
          {(aria) => (
            <input
              {...aria}
              type="date"
              value={form.from}
              onChange={set('from')}
            />
          )}
        </Field>
        <Field id="dash-to" label={t('filters.to')} error={errors['to']}>
          {(aria) => (
            <input {...aria} type="date" value={form.to} onChange={set('to')} />
          )}
        </Field>
        <Field
          id="dash-region"
          label={t('filters.region')}
          hint={t('filters.regionHint')}
          error={errors['region']}
        >
          {(aria) => (
            <input
              {...aria}
              value={form.region}
              onChange={set('region')}
              autoComplete="off"
            />
          )}
        </Field>
        <Field
          id="dash-vaccine"
          label={t('filters.vaccine')}
          error={errors['vaccine']}
        >
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
      <FormProblems invalid={invalid} failure={failure} />
      <div className="button-row">
        <button type="submit">{t('filters.apply')}</button>
        <button type="button" className="secondary" onClick={onRefresh}>
          {t('actions.refresh', { ns: 'common' })}
        </button>
      </div>
    </form>
  );
}

function Summary({
  filters,
  version,
}: {
  filters: AnalyticsFilters;
  version: number;
}) {
  const { t } = useTranslation('admin');
  const api = useAdminApi();
  const { n, pct } = useFormat();
  const state = useLoad(
    (signal) => api.summary(filters, signal),
    [api, JSON.stringify(filters), version],
  );
  return (
    <Section id="dash-summary" title={t('summary.title')}>
      <LoadState state={state}>
        {(s) => (
          <dl className="tiles">
            {(
              [
                ['registrations', s.registrations],
                ['bookings', s.bookings],
                ['doses', s.doses],
                ['noShows', s.noShows],
                ['cancellations', s.cancellations],
                ['aefiReports', s.aefiReports],
              ] as const
            ).map(([key, value]) => (
              <div key={key} className="tile">
                <dt>{t(`summary.${key}`)}</dt>
                <dd data-testid={`summary-${key}`}>{n(value)}</dd>
              </div>
            ))}
            <div className="tile">
              <dt>{t('summary.atLeastOneDose')}</dt>
              <dd>
                {n(s.coverage.atLeastOneDose)}{' '}
                <span className="rate">
                  {s.coverage.atLeastOneDoseRate !== null &&
                    `(${pct(s.coverage.atLeastOneDoseRate)})`}
                </span>
              </dd>
            </div>
            <div className="tile">
              <dt>{t('summary.fullSeries')}</dt>
              <dd>
                {n(s.coverage.fullSeries)}{' '}
                <span className="rate">
                  {s.coverage.fullSeriesRate !== null &&
                    `(${pct(s.coverage.fullSeriesRate)})`}
                </span>
              </dd>
            </div>
          </dl>
        )}
      </LoadState>
    </Section>
  );
}

function Daily({
  filters,
  version,
}: {
  filters: AnalyticsFilters;
  version: number;
}) {
  const { t } = useTranslation('admin');
  const api = useAdminApi();
  const { n, day } = useFormat();
  const state = useLoad(
    (signal) => api.timeSeries(filters, signal),
    [api, JSON.stringify(filters), version],
  );
  const render = (series: TimeSeriesResponse, kind: 'doses' | 'noShows') => {
    if (series.items.length === 0) return <p>{t('empty')}</p>;
    const columns =
      kind === 'doses'
        ? (['doses'] as const)
        : (['noShows', 'bookings', 'cancellations'] as const);
    return (
      <>
        <ChartSlot>
          <TimeChart
            data={series.items}
            category="period"
            series={columns.map((c) => ({ key: c, label: t(`summary.${c}`) }))}
            formatCategory={day}
          />
        </ChartSlot>
        <div className="table-wrap" tabIndex={0}>
          <table data-testid={`table-${kind}`}>
            <caption>
              {t(kind === 'doses' ? 'doses.caption' : 'noShows.caption')}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('day')}</th>
                {columns.map((c) => (
                  <th key={c} scope="col">
                    {t(`summary.${c}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {series.items.map((p) => (
                <tr key={p.period}>
                  <th scope="row">
                    <time dateTime={p.period}>{day(p.period)}</time>
                  </th>
                  {columns.map((c) => (
                    <td key={c}>{n(p[c])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </>
    );
  };
  return (
    <>
      <Section id="dash-doses" title={t('doses.title')}>
        <LoadState state={state}>{(s) => render(s, 'doses')}</LoadState>
      </Section>
      <Section id="dash-no-shows" title={t('noShows.title')}>
        <LoadState state={state}>{(s) => render(s, 'noShows')}</LoadState>
      </Section>
    </>
  );
}

function Coverage({
  filters,
  version,
}: {
  filters: AnalyticsFilters;
  version: number;
}) {
  const { t } = useTranslation('admin');
  const api = useAdminApi();
  const { n, pct } = useFormat();
  const state = useLoad(
    (signal) => api.coverage(filters, signal),
    [api, JSON.stringify(filters), version],
  );
  const render = (c: CoverageResponse) => {
    if (c.items.length === 0) return <p>{t('empty')}</p>;
    const data = c.items.map((i) => ({
      cell: `${i.region} ${i.ageBand}`,
      atLeastOneDose: i.atLeastOneDose,
      fullSeries: i.fullSeries,
    }));
    return (
      <>
        <ChartSlot>
          <BarsChart
            data={data}
            category="cell"
            series={[
              { key: 'atLeastOneDose', label: t('summary.atLeastOneDose') },
              { key: 'fullSeries', label: t('summary.fullSeries') },
            ]}
          />
        </ChartSlot>
        <div className="table-wrap" tabIndex={0}>
          <table data-testid="table-coverage">
            <caption>{t('coverage.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('coverage.region')}</th>
                <th scope="col">{t('coverage.ageBand')}</th>
                <th scope="col">{t('coverage.population')}</th>
                <th scope="col">{t('summary.atLeastOneDose')}</th>
                <th scope="col">{t('summary.fullSeries')}</th>
              </tr>
            </thead>
            <tbody>
              {c.items.map((i) => (
                <tr key={`${i.region}|${i.ageBand}`}>
                  <th scope="row">{i.region}</th>
                  <td>{i.ageBand}</td>
                  <td>
                    {i.population === null
                      ? t('coverage.unknown')
                      : n(i.population)}
                  </td>
                  <td>
                    {n(i.atLeastOneDose)}{' '}
                    {i.atLeastOneDoseRate !== null && (
                      <span className="rate">
                        ({pct(i.atLeastOneDoseRate)})
                      </span>
                    )}
                  </td>
                  <td>
                    {n(i.fullSeries)}{' '}
                    {i.fullSeriesRate !== null && (
                      <span className="rate">({pct(i.fullSeriesRate)})</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={2}>
                  {t('coverage.total')}
                </th>
                <td>
                  {c.totals.population === null
                    ? t('coverage.unknown')
                    : n(c.totals.population)}
                </td>
                <td>{n(c.totals.atLeastOneDose)}</td>
                <td>{n(c.totals.fullSeries)}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      </>
    );
  };
  return (
    <Section id="dash-coverage" title={t('coverage.title')}>
      <p className="hint">{t('coverage.note')}</p>
      <LoadState state={state}>{render}</LoadState>
    </Section>
  );
}

function Utilization({
  filters,
  version,
}: {
  filters: AnalyticsFilters;
  version: number;
}) {
  const { t } = useTranslation('admin');
  const api = useAdminApi();
  const { n, pct, day } = useFormat();
  const state = useLoad(
    (signal) => api.utilization(filters, signal),
    [api, JSON.stringify(filters), version],
  );
  const render = (u: UtilizationResponse) => {
    if (u.items.length === 0) return <p>{t('empty')}</p>;
    const byCenter = new Map<
      string,
      { center: string; scheduled: number; administered: number }
    >();
    for (const row of u.items) {
      const entry = byCenter.get(row.centerId) ?? {
        center: row.name ?? row.centerId.slice(0, 8),
        scheduled: 0,
        administered: 0,
      };
      entry.scheduled += row.scheduled;
      entry.administered += row.administered;
      byCenter.set(row.centerId, entry);
    }
    return (
      <>
        <ChartSlot>
          <BarsChart
            data={[...byCenter.values()]}
            category="center"
            series={[
              { key: 'scheduled', label: t('utilization.scheduled') },
              { key: 'administered', label: t('utilization.administered') },
            ]}
          />
        </ChartSlot>
        <p className="hint">{t('utilization.capacityNote')}</p>
        <div className="table-wrap" tabIndex={0}>
          <table data-testid="table-utilization">
            <caption>{t('utilization.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('utilization.center')}</th>
                <th scope="col">{t('day')}</th>
                <th scope="col">{t('utilization.scheduled')}</th>
                <th scope="col">{t('utilization.administered')}</th>
                <th scope="col">{t('utilization.attendance')}</th>
                <th scope="col">{t('utilization.capacity')}</th>
                <th scope="col">{t('utilization.booked')}</th>
              </tr>
            </thead>
            <tbody>
              {u.items.map((r) => (
                <tr key={`${r.centerId}|${r.day}`}>
                  <th scope="row">{r.name ?? r.centerId}</th>
                  <td>
                    <time dateTime={r.day}>{day(r.day)}</time>
                  </td>
                  <td>{n(r.scheduled)}</td>
                  <td>{n(r.administered)}</td>
                  <td>{pct(r.attendanceRate)}</td>
                  <td>{r.capacity === null ? '—' : n(r.capacity)}</td>
                  <td>{pct(r.bookedRate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </>
    );
  };
  return (
    <Section id="dash-utilization" title={t('utilization.title')}>
      <LoadState state={state}>{render}</LoadState>
    </Section>
  );
}

/** Registrations per day and their total (the dashboard's first table, kept as it was). */
function Registrations({
  filters,
  version,
}: {
  filters: AnalyticsFilters;
  version: number;
}) {
  const { t } = useTranslation('admin');
  const api = useAdminApi();
  const { n, day } = useFormat();
  const state = useLoad(
    (signal) => api.registrations(filters, signal),
    [api, filters.from, filters.to, filters.region, version],
  );
  return (
    <Section id="dash-registrations" title={t('registrations.title')}>
      <LoadState state={state}>
        {(data) => (
          <>
            <p className="total">
              {t('registrations.total')}{' '}
              <strong data-testid="registrations-total">{n(data.total)}</strong>
            </p>
            {data.items.length === 0 ? (
              <p>{t('registrations.none')}</p>
            ) : (
              <div className="table-wrap" tabIndex={0}>
                <table data-testid="table-registrations">
                  <caption>{t('registrations.caption')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('day')}</th>
                      <th scope="col">{t('summary.registrations')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.items.map((d) => (
                      <tr key={d.day}>
                        <th scope="row">
                          <time dateTime={d.day}>{day(d.day)}</time>
                        </th>
                        <td>{n(d.count)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </LoadState>
    </Section>
  );
}

/** Live campaign numbers: filters, then each figure as a chart and as a table. */
export function Dashboard() {
  const { t } = useTranslation('admin');
  const api = useAdminApi();
  const [filters, setFilters] = useState<AnalyticsFilters>(() =>
    defaultFilters(),
  );
  const [version, setVersion] = useState(0);
  const vaccines = useLoad((signal) => api.vaccines(signal), [api]);
  return (
    <>
      <Filters
        value={filters}
        vaccines={vaccines.data ?? []}
        onApply={(f) => {
          setFilters(f);
          setVersion((v) => v + 1);
        }}
        onRefresh={() => setVersion((v) => v + 1)}
      />
      <p className="hint">{t('filters.utcNote')}</p>
      <Summary filters={filters} version={version} />
      <Daily filters={filters} version={version} />
      <Coverage filters={filters} version={version} />
      <Utilization filters={filters} version={version} />
      <Registrations filters={filters} version={version} />
    </>
  );
}
