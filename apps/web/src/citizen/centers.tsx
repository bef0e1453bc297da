import { centerSearchQuery } from '@jab/contracts';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { ErrorMessage, useLoad } from '../shared/async';
import { Field } from '../shared/field';
import { formatDate } from '../shared/format';
import { LANGUAGE_NAMES, isLanguage } from '../shared/i18n';
import { validateWith, type FieldErrors } from '../shared/validate';
import { LANGUAGES, findCenters, getAvailability, listVaccines, type CenterFilter, type FoundCenter, type Language, type Vaccine } from './citizen.api';
import { centerName, isOpen, localToday } from './citizen-format';
import { localizeErrors } from './form-errors';

interface Query extends CenterFilter {
  date: string;
  onlyAvailable: boolean;
}

type Free = number | 'error';

/** Free times per center on the chosen day, loaded side by side once the centers are known. */
function useFreeTimes(centers: FoundCenter[] | undefined, date: string): Record<string, Free | undefined> {
  const [free, setFree] = useState<Record<string, Free | undefined>>({});
  useEffect(() => {
    if (!centers) return;
    const controller = new AbortController();
    setFree({});
    for (const c of centers)
      getAvailability(c.id, date, controller.signal).then(
        (a) => !controller.signal.aborted && setFree((f) => ({ ...f, [c.id]: a.slots.filter((s) => isOpen(s)).length })),
        () => !controller.signal.aborted && setFree((f) => ({ ...f, [c.id]: 'error' })),
      );
    return () => controller.abort();
  }, [centers, date]);
  return free;
}

function CenterCard({ center, free, date, vaccines }: { center: FoundCenter; free: Free | undefined; date: string; vaccines: Vaccine[] }) {
  const { t, i18n } = useTranslation('citizen');
  const name = centerName(center.names, i18n.language);
  const vaccineNames = center.vaccineIds.map((id) => vaccines.find((v) => v.id === id)?.name).filter(Boolean);
  const day = formatDate(date, i18n.language);
  return (
    <li className="center">
      <h2 className="card-title" lang={name.lang}>
        {name.text}
      </h2>
      <p>{center.place}</p>
      <dl className="facts">
        <dt>{t('centers.languages')}</dt>
        <dd>
          {center.languages.map((l, i) => (
            <span key={l} lang={l}>
              {i > 0 && ', '}
              {LANGUAGE_NAMES[l]}
            </span>
          ))}
        </dd>
        {vaccineNames.length > 0 && (
          <>
            <dt>{t('centers.vaccines')}</dt>
            <dd>{vaccineNames.join(', ')}</dd>
          </>
        )}
        <dt>{t('centers.availability')}</dt>
        <dd>
          {free === undefined
            ? t('status.loading', { ns: 'common' })
            : free === 'error'
              ? t('centers.availabilityUnknown')
              : free === 0
                ? t('centers.noneFree', { day })
                : t('centers.free', { count: free, day })}
        </dd>
      </dl>
      <Link href={`/centers/${center.id}`} className="button-link" aria-label={t('centers.chooseAt', { name: name.text })}>
        {t('centers.choose')}
      </Link>
    </li>
  );
}

/** Find a center by name or place, language spoken and vaccine, with its free times on a day. */
export function CentersPage() {
  const { t } = useTranslation('citizen');
  const [q, setQ] = useState('');
  const [language, setLanguage] = useState<Language | ''>('');
  const [vaccine, setVaccine] = useState('');
  const [date, setDate] = useState(() => localToday());
  const [onlyAvailable, setOnlyAvailable] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [query, setQuery] = useState<Query>({ date: localToday(), onlyAvailable: false });
  const vaccines = useLoad((signal) => listVaccines(signal), []);
  // Every press of Search asks again (a new query object), even with the same words.
  const results = useLoad((signal) => findCenters({ q: query.q, language: query.language, vaccine: query.vaccine }, signal), [query]);
  const free = useFreeTimes(results.data, query.date);
  const heading = useRef<HTMLHeadingElement>(null);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const words = q.trim() || undefined;
    const checked = validateWith(centerSearchQuery, { q: words, language: language || undefined, vaccine: vaccine || undefined });
    if (!checked.ok) {
      setErrors(localizeErrors(checked.errors, (field) => (field === 'q' ? t('centers.qInvalid') : undefined)));
      return;
    }
    setErrors({});
    setQuery({ q: words, language: language || undefined, vaccine: vaccine || undefined, date, onlyAvailable });
  }

  const shown = results.data?.filter((c) => !query.onlyAvailable || (typeof free[c.id] === 'number' && (free[c.id] as number) > 0));
  const pendingFree = results.data?.some((c) => free[c.id] === undefined) ?? false;
  const status = results.loading
    ? t('centers.searching')
    : shown
      ? query.onlyAvailable && pendingFree
        ? t('centers.checking')
        : t('centers.found', { count: shown.length })
      : '';

  return (
    <section aria-labelledby="centers-title">
      <h1 id="centers-title" tabIndex={-1} ref={heading}>
        {t('centers.title')}
      </h1>
      <div role="search">
        <form onSubmit={submit} noValidate className="filters citizen-card" aria-labelledby="centers-title">
          <Field id="center-q" label={t('centers.q')} hint={t('centers.qHint')} error={errors['q']}>
            {(aria) => <input {...aria} type="search" value={q} onChange={(e) => setQ(e.target.value)} autoComplete="off" />}
          </Field>
          <Field id="center-language" label={t('centers.language')}>
            {(aria) => (
              <select {...aria} value={language} onChange={(e) => setLanguage(isLanguage(e.target.value) ? e.target.value : '')}>
                <option value="">{t('centers.anyLanguage')}</option>
                {LANGUAGES.map((l) => (
                  <option key={l} value={l} lang={l}>
                    {LANGUAGE_NAMES[l]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id="center-vaccine" label={t('centers.vaccine')}>
            {(aria) => (
              <select {...aria} value={vaccine} onChange={(e) => setVaccine(e.target.value)}>
                <option value="">{t('centers.anyVaccine')}</option>
                {(vaccines.data ?? []).map((v) => (
                  <option key={v.id} value={v.id}>
                    {v.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id="center-date" label={t('centers.day')}>
            {(aria) => <input {...aria} type="date" min={localToday()} value={date} onChange={(e) => setDate(e.target.value)} />}
          </Field>
          <label className="choice">
            <input type="checkbox" checked={onlyAvailable} onChange={(e) => setOnlyAvailable(e.target.checked)} />
            {t('centers.onlyAvailable')}
          </label>
          <button type="submit">{t('actions.search', { ns: 'common' })}</button>
        </form>
      </div>
      {vaccines.error !== undefined && <ErrorMessage error={vaccines.error} onRetry={vaccines.reload} />}
      <p role="status">{status}</p>
      {results.error !== undefined ? (
        <ErrorMessage error={results.error} onRetry={results.reload} />
      ) : (
        shown &&
        (shown.length === 0 ? (
          <p>{t('centers.none')}</p>
        ) : (
          <ul className="card-list" aria-label={t('centers.results')}>
            {shown.map((c) => (
              <CenterCard key={c.id} center={c} free={free[c.id]} date={query.date} vaccines={vaccines.data ?? []} />
            ))}
          </ul>
        ))
      )}
    </section>
  );
}
