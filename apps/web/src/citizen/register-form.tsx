import { registerRequest } from '@jab/contracts';
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { ApiError } from '../shared/api';
import { ErrorMessage } from '../shared/async';
import { Field } from '../shared/field';
import { isLanguage } from '../shared/i18n';
import { validateWith, type FieldErrors } from '../shared/validate';
import { register, type Contact, type RegisterInput, type Registration } from './citizen.api';
import { focusFirstInvalid, localizeErrors, splitServerErrors } from './form-errors';
import { PERSON_FIELDS, PersonFields, emptyPerson, personPayload, usePersonMessages, type PersonValues } from './person-fields';

const FIELDS = [...PERSON_FIELDS, 'contact.channel', 'contact.address', 'nationalId'] as const;
/** Server paths shown on another field: a mismatch of the whole `contact` is about the address typed. */
const ALIAS = { contact: 'contact.address' };

interface RegisterFormProps {
  onRegistered: (registration: Registration) => void;
}

/** First registration, without an account: the person and how to reach them. */
export function RegisterForm({ onRegistered }: RegisterFormProps) {
  const { t, i18n } = useTranslation('citizen');
  const language = i18n.resolvedLanguage ?? i18n.language;
  const [person, setPerson] = useState<PersonValues>(() => emptyPerson(isLanguage(language) ? language : 'en'));
  const [channel, setChannel] = useState<Contact['channel']>('email');
  const [address, setAddress] = useState('');
  const [nationalId, setNationalId] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<unknown>();
  const [other, setOther] = useState<string[]>([]);
  const [invalid, setInvalid] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const personMessage = usePersonMessages();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFailure(undefined);
    setOther([]);
    const input: RegisterInput = {
      ...personPayload(person),
      contact: { channel, address: address.trim() } as Contact,
      ...(nationalId.trim() ? { nationalId: nationalId.trim() } : {}),
    };
    const checked = validateWith(registerRequest, input);
    if (!checked.ok) {
      setErrors(
        localizeErrors(checked.errors, (field) => {
          if (field === 'contact.address' || field === 'contact')
            return channel === 'email' ? t('fields.email.invalid') : t('fields.phone.invalid');
          if (field === 'nationalId') return t('fields.nationalId.invalid');
          return personMessage(field);
        }),
      );
      setInvalid(true);
      focusFirstInvalid(form.current);
      return;
    }
    setErrors({});
    setInvalid(false);
    setBusy(true);
    try {
      onRegistered(await register(input));
    } catch (error) {
      const split = splitServerErrors(error, FIELDS, ALIAS);
      // The service's reasons are English: the two "already registered" ones are said in the reader's language.
      if (error instanceof ApiError && error.status === 409) {
        if (split.fields['contact.address']) split.fields['contact.address'] = t('register.contactTaken');
        if (split.fields['nationalId']) split.fields['nationalId'] = t('register.nationalIdTaken');
      }
      setErrors(split.fields);
      setOther(split.other);
      setFailure(error);
      setBusy(false);
      focusFirstInvalid(form.current);
    }
  }

  const conflict = failure instanceof ApiError && failure.status === 409;
  const contactTaken = conflict && Boolean(errors['contact.address']);
  const nationalIdTaken = conflict && !contactTaken && Boolean(errors['nationalId']);

  return (
    <form ref={form} onSubmit={submit} aria-labelledby="register-title" noValidate className="citizen-card">
      <h1 id="register-title" tabIndex={-1}>
        {t('register.title')}
      </h1>
      <p>{t('register.intro')}</p>
      <div className="summary">
        {invalid && (
          <p role="alert" className="error-panel">
            {t('form.fixErrors', { ns: 'common' })}
          </p>
        )}
        {failure !== undefined && <ErrorMessage error={failure} />}
        {other.length > 0 && (
          <ul className="error-list">
            {other.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        )}
        {contactTaken && (
          <p>
            <Link href="/sign-in">{t('register.signInInstead')}</Link>
          </p>
        )}
        {nationalIdTaken && (
          <p>
            <Link href="/sign-in">{t('register.nationalIdSignIn')}</Link>
          </p>
        )}
      </div>
      <PersonFields values={person} errors={errors} onChange={setPerson} />
      <fieldset className="field" aria-describedby={errors['contact.channel'] ? 'contact-channel-error' : undefined}>
        <legend>{t('fields.channel.label')}</legend>
        <div className="choices">
          <label className="choice">
            <input type="radio" name="channel" value="email" checked={channel === 'email'} onChange={() => setChannel('email')} />
            {t('fields.channel.email')}
          </label>
          <label className="choice">
            <input type="radio" name="channel" value="sms" checked={channel === 'sms'} onChange={() => setChannel('sms')} />
            {t('fields.channel.sms')}
          </label>
        </div>
        {errors['contact.channel'] && (
          <p id="contact-channel-error" className="error">
            {errors['contact.channel']}
          </p>
        )}
      </fieldset>
      <Field
        id="contactAddress"
        label={channel === 'email' ? t('fields.email.label') : t('fields.phone.label')}
        hint={channel === 'sms' ? t('fields.phone.hint') : undefined}
        error={errors['contact.address']}
      >
        {(aria) => (
          <input
            {...aria}
            type={channel === 'email' ? 'email' : 'tel'}
            autoComplete={channel === 'email' ? 'email' : 'tel'}
            dir="ltr"
            value={address}
            onChange={(e) => setAddress(e.target.value)}
          />
        )}
      </Field>
      <Field id="nationalId" label={t('fields.nationalId.label')} hint={t('fields.nationalId.hint')} error={errors['nationalId']}>
        {(aria) => <input {...aria} dir="ltr" autoComplete="off" value={nationalId} onChange={(e) => setNationalId(e.target.value)} />}
      </Field>
      <button type="submit" disabled={busy}>
        {busy ? t('register.busy') : t('register.submit')}
      </button>
      <p className="alternative">
        {t('register.returning')} <Link href="/sign-in">{t('register.signInLink')}</Link>
      </p>
    </form>
  );
}
