import { registrantCreateRequest, registrantUpdateRequest } from '@jab/contracts';
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'wouter';
import { ErrorMessage, LoadState, useLoad } from '../shared/async';
import { formatDate } from '../shared/format';
import { LANGUAGE_NAMES, isLanguage } from '../shared/i18n';
import { useCitizenRequest } from '../shared/session';
import { validateWith, type FieldErrors } from '../shared/validate';
import { HOUSEHOLD_SIZE, addMember, changeMember, listHousehold, type MemberChanges, type Person } from './citizen.api';
import { useCitizenState } from './citizen-state';
import { focusFirstInvalid, localizeErrors, splitServerErrors } from './form-errors';
import { PERSON_FIELDS, PersonFields, emptyPerson, personPayload, usePersonMessages, type PersonValues } from './person-fields';

/** The people of the household (the account holder and up to three more). */
export function HouseholdPage() {
  const { t, i18n } = useTranslation('citizen');
  const request = useCitizenRequest();
  const state = useLoad((signal) => listHousehold(request, signal), [request]);
  return (
    <section aria-labelledby="household-title">
      <h1 id="household-title" tabIndex={-1}>
        {t('household.title')}
      </h1>
      <LoadState state={state}>
        {(people) => {
          const full = people.length >= HOUSEHOLD_SIZE;
          return (
            <>
              <p>{t('household.count', { count: people.length, max: HOUSEHOLD_SIZE })}</p>
              {people.length === 0 ? (
                <p>{t('household.empty')}</p>
              ) : (
                <ul className="card-list" aria-labelledby="household-title">
                  {people.map((p) => (
                    <li key={p.id} className="person">
                      <h2 className="card-title">{p.fullName}</h2>
                      <dl className="facts">
                        <dt>{t('fields.birthDate.label')}</dt>
                        <dd>{formatDate(p.birthDate, i18n.language)}</dd>
                        <dt>{t('fields.region.label')}</dt>
                        <dd>
                          <bdi>{p.region}</bdi>
                        </dd>
                        <dt>{t('fields.preferredLanguage.label')}</dt>
                        <dd lang={p.preferredLanguage}>{LANGUAGE_NAMES[p.preferredLanguage]}</dd>
                      </dl>
                      <Link href={`/household/${p.id}`} aria-label={t('household.editPerson', { name: p.fullName })}>
                        {t('household.edit')}
                      </Link>
                    </li>
                  ))}
                </ul>
              )}
              {full ? (
                <p className="notice-box">{t('household.full', { max: HOUSEHOLD_SIZE })}</p>
              ) : (
                <p>
                  <Link href="/household/add" className="button-link">
                    {t('household.add')}
                  </Link>
                </p>
              )}
            </>
          );
        }}
      </LoadState>
    </section>
  );
}

/** Adds a person to the signed-in household; the service refuses a fifth (409) and says why. */
export function AddMemberPage() {
  const { t, i18n } = useTranslation('citizen');
  const request = useCitizenRequest();
  const [, navigate] = useLocation();
  const { notify } = useCitizenState();
  const language = i18n.resolvedLanguage ?? i18n.language;
  const [values, setValues] = useState<PersonValues>(() => emptyPerson(isLanguage(language) ? language : 'en'));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<unknown>();
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const message = usePersonMessages();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFailure(undefined);
    const input = personPayload(values);
    const checked = validateWith(registrantCreateRequest, input);
    if (!checked.ok) {
      setErrors(localizeErrors(checked.errors, message));
      setInvalid(true);
      focusFirstInvalid(form.current);
      return;
    }
    setErrors({});
    setInvalid(false);
    setBusy(true);
    try {
      const person = await addMember(request, input);
      notify(t('household.added', { name: person.fullName }), '/household');
      navigate('/household');
    } catch (error) {
      setErrors(splitServerErrors(error, PERSON_FIELDS).fields);
      setFailure(error);
      setBusy(false);
      focusFirstInvalid(form.current);
    }
  }

  return (
    <form ref={form} onSubmit={submit} aria-labelledby="add-member-title" noValidate className="citizen-card">
      <h1 id="add-member-title" tabIndex={-1}>
        {t('household.addTitle')}
      </h1>
      <p>{t('household.addIntro', { max: HOUSEHOLD_SIZE })}</p>
      <div className="summary">
        {invalid && (
          <p role="alert" className="error-panel">
            {t('form.fixErrors', { ns: 'common' })}
          </p>
        )}
        {failure !== undefined && <ErrorMessage error={failure} />}
      </div>
      <PersonFields idPrefix="member-" values={values} errors={errors} onChange={setValues} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? t('status.saving', { ns: 'common' }) : t('household.addSubmit')}
        </button>
        <Link href="/household">{t('actions.cancel', { ns: 'common' })}</Link>
      </div>
    </form>
  );
}

/** Only what changed goes to the service (PATCH); nothing changed is said before sending. */
function changesOf(before: Person, after: PersonValues): MemberChanges {
  const changes: MemberChanges = {};
  if (after.fullName !== before.fullName) changes.fullName = after.fullName;
  if (after.birthDate !== before.birthDate) changes.birthDate = after.birthDate;
  if (after.region !== before.region) changes.region = after.region;
  if (after.preferredLanguage !== before.preferredLanguage) changes.preferredLanguage = after.preferredLanguage;
  if (after.sex !== before.sex) changes.sex = after.sex;
  return changes;
}

function EditForm({ person }: { person: Person }) {
  const { t } = useTranslation('citizen');
  const request = useCitizenRequest();
  const [, navigate] = useLocation();
  const { notify } = useCitizenState();
  const [values, setValues] = useState<PersonValues>({
    fullName: person.fullName,
    birthDate: person.birthDate,
    region: person.region,
    preferredLanguage: person.preferredLanguage,
    sex: person.sex,
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [summary, setSummary] = useState<string>();
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const message = usePersonMessages();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFailure(undefined);
    const changes = changesOf(person, personPayload(values));
    const checked = validateWith(registrantUpdateRequest, changes);
    if (!checked.ok) {
      const { '': whole, ...fields } = checked.errors;
      setErrors(localizeErrors(fields, message));
      setSummary(whole !== undefined && Object.keys(fields).length === 0 ? t('household.nothingChanged') : t('form.fixErrors', { ns: 'common' }));
      focusFirstInvalid(form.current);
      return;
    }
    setErrors({});
    setSummary(undefined);
    setBusy(true);
    try {
      const saved = await changeMember(request, person.id, changes);
      notify(t('household.saved', { name: saved.fullName }), '/household');
      navigate('/household');
    } catch (error) {
      setErrors(splitServerErrors(error, PERSON_FIELDS).fields);
      setFailure(error);
      setBusy(false);
      focusFirstInvalid(form.current);
    }
  }

  return (
    <form ref={form} onSubmit={submit} aria-labelledby="edit-member-title" noValidate className="citizen-card">
      <h1 id="edit-member-title" tabIndex={-1}>
        {t('household.editTitle', { name: person.fullName })}
      </h1>
      <div className="summary">
        {summary && (
          <p role="alert" className="error-panel">
            {summary}
          </p>
        )}
        {failure !== undefined && <ErrorMessage error={failure} />}
      </div>
      <PersonFields idPrefix="edit-" values={values} errors={errors} onChange={setValues} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? t('status.saving', { ns: 'common' }) : t('actions.save', { ns: 'common' })}
        </button>
        <Link href="/household">{t('actions.cancel', { ns: 'common' })}</Link>
      </div>
    </form>
  );
}

/** Changes one person of the household (found in the household list, so staff-only reads never happen). */
export function EditMemberPage({ id }: { id: string }) {
  const { t } = useTranslation('citizen');
  const request = useCitizenRequest();
  const state = useLoad((signal) => listHousehold(request, signal), [request]);
  return (
    <LoadState state={state}>
      {(people) => {
        const person = people.find((p) => p.id === id);
        if (!person)
          return (
            <section aria-labelledby="edit-missing-title">
              <h1 id="edit-missing-title" tabIndex={-1}>
                {t('household.notFound')}
              </h1>
              <Link href="/household">{t('household.back')}</Link>
            </section>
          );
        return <EditForm key={person.id} person={person} />;
      }}
    </LoadState>
  );
}
