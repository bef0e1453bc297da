import { registrantSearchQuery } from '@jab/contracts';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { Field } from '../shared/field';
import { FormProblems, useForm } from '../shared/form';
import {
  useStaffApi,
  type RegistrantHit,
  type SearchCriteria,
} from './staff.api';

/** The last search, kept by the console so that coming back from a record shows it again. */
export interface LastSearch {
  form: { q: string; phoneSuffix: string; birthYear: string; region: string };
  criteria: SearchCriteria;
  items: RegistrantHit[];
  nextCursor: string | null;
}

const EMPTY = { q: '', phoneSuffix: '', birthYear: '', region: '' };

/**
 * Finds a person among millions: a name in any script and with typos (the search
 * service folds accents and matches fuzzily), the last 4 digits of their phone, a birth
 * year. Results show only what identifies a person at a desk: no full birth date, and
 * the phone masked to its last 2 digits.
 */
export function SearchScreen({
  last,
  onSearched,
  canPickRegion,
}: {
  last?: LastSearch;
  onSearched: (s: LastSearch) => void;
  canPickRegion: boolean;
}) {
  const { t, i18n } = useTranslation('staff');
  const api = useStaffApi();
  const [form, setForm] = useState(last?.form ?? EMPTY);
  const [result, setResult] = useState<LastSearch | undefined>(last);
  const [more, setMore] = useState<{ busy: boolean; error?: unknown }>({
    busy: false,
  });
  const { errors, failure, invalid, busy, submit } = useForm();

  const set = (key: keyof typeof EMPTY) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));

  async function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = {
      q: form.q.trim() || undefined,
      phoneSuffix: form.phoneSuffix.trim() || undefined,
      birthYear: form.birthYear.trim() || undefined,
      region: canPickRegion
        ? form.region.trim().toUpperCase() || undefined
        : undefined,
    };
    await submit(registrantSearchQuery, value, async (query) => {
      const criteria: SearchCriteria = {
        q: query.q,
        phoneSuffix: query.phoneSuffix,
        birthYear: query.birthYear,
        region: query.region,
      };
      const page = await api.search(criteria);
      const next: LastSearch = {
        form,
        criteria,
        items: page.items,
        nextCursor: page.nextCursor,
      };
      setResult(next);
      onSearched(next);
    });
  }

  async function showMore() {
    if (!result?.nextCursor) return;
    setMore({ busy: true });
    try {
      const page = await api.search({
        ...result.criteria,
        cursor: result.nextCursor,
      });
      const next = {
        ...result,
        items: [...result.items, ...page.items],
        nextCursor: page.nextCursor,
      };
      setResult(next);
      onSearched(next);
      setMore({ busy: false });
    } catch (error) {
      setMore({ busy: false, error });
    }
  }

  const described = result?.criteria.q ?? result?.criteria.phoneSuffix ?? '';
  const year = (y: number) =>
    new Intl.NumberFormat(i18n.language, { useGrouping: false }).format(y);

  return (
    <>
      <h2>{t('search.title')}</h2>
      <div role="search" aria-label={t('search.title')}>
        <form onSubmit={search} noValidate className="staff-search">
          <Field
            id="staff-q"
            label={t('search.name')}
            hint={t('search.nameHint')}
            error={errors['q']}
          >
            {(aria) => (
              <input
                {...aria}
                type="search"
                value={form.q}
                onChange={set('q')}
                autoComplete="off"
                spellCheck={false}
              />
            )}
          </Field>
          <div className="staff-row">
            <Field
              id="staff-phone"
              label={t('search.phoneSuffix')}
              hint={t('search.phoneSuffixHint')}
              error={errors['phoneSuffix']}
            >
              {(aria) => (
                <input
                  {...aria}
                  inputMode="numeric"
                  maxLength={4}
                  value={form.phoneSuffix}
                  onChange={set('phoneSuffix')}
                  autoComplete="off"
                />
              )}
            </Field>
            <Field
              id="staff-birth-year"
              label={t('search.birthYear')}
              error={errors['birthYear']}
            >
              {(aria) => (
                <input
                  {...aria}
                  inputMode="numeric"
                  maxLength={4}
                  value={form.birthYear}
                  onChange={set('birthYear')}
                  autoComplete="off"
                />
              )}
            </Field>
            {canPickRegion && (
              <Field
                id="staff-region"
                label={t('search.region')}
                hint={t('search.regionHint')}
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
            )}
          </div>
          <FormProblems invalid={invalid} failure={failure} />
          <button type="submit" disabled={busy}>
            {t('actions.search', { ns: 'common' })}
          </button>
        </form>
      </div>

      <p role="status" className="staff-status">
        {busy
          ? t('search.searching')
          : result
            ? t('search.found', {
                count: result.items.length,
                query: described,
              })
            : ''}
      </p>

      {result && result.items.length > 0 && (
        <div className="table-wrap" tabIndex={0}>
          <table>
            <caption>{t('search.results')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('search.name')}</th>
                <th scope="col">{t('search.birthYear')}</th>
                <th scope="col">{t('search.region')}</th>
                <th scope="col">{t('search.phone')}</th>
              </tr>
            </thead>
            <tbody>
              {result.items.map((r) => (
                <tr key={r.id}>
                  <th scope="row">
                    <Link href={`/people/${r.id}`}>{r.fullName}</Link>
                  </th>
                  <td>{year(r.birthYear)}</td>
                  <td>{r.region}</td>
                  <td>
                    {r.phoneHint ? (
                      <>
                        <span dir="ltr" aria-hidden="true">
                          {r.phoneHint}
                        </span>
                        <span className="visually-hidden">
                          {t('search.phoneMasked', {
                            digits: r.phoneHint.replace(/\D/g, ''),
                          })}
                        </span>
                      </>
                    ) : (
                      t('search.noPhone')
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {result?.nextCursor && (
        <button
          type="button"
          className="secondary"
          onClick={() => void showMore()}
          disabled={more.busy}
        >
          {more.busy ? t('status.loading', { ns: 'common' }) : t('search.more')}
        </button>
      )}
      {more.error !== undefined && (
        <FormProblems invalid={false} failure={more.error} />
      )}
    </>
  );
}
