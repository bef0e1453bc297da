import { useRef, useState, type FormEvent } from 'react';
import { ApiError, describeError } from '../shared/api';
import { LANGUAGES, register, type Contact, type Language, type Registration } from './citizen.api';
import { Field } from '../shared/field';

const LANGUAGE_NAMES: Record<Language, string> = {
  en: 'English',
  es: 'Español',
  fr: 'Français',
  hi: 'हिन्दी',
  ar: 'العربية',
};

type FieldName = 'fullName' | 'birthDate' | 'region' | 'preferredLanguage' | 'contact.channel' | 'contact.address';
const FIELDS: readonly FieldName[] = [
  'fullName',
  'birthDate',
  'region',
  'preferredLanguage',
  'contact.channel',
  'contact.address',
];

/** Maps server field paths onto the inputs that show them; the rest go to the form summary. */
function splitErrors(error: ApiError): { fields: Partial<Record<FieldName, string>>; other: string[] } {
  const fields: Partial<Record<FieldName, string>> = {};
  const other: string[] = [];
  for (const { field, message } of error.fieldErrors) {
    // A union mismatch on `contact` is about the address the person typed.
    const name = (field === 'contact' ? 'contact.address' : field) as FieldName;
    if (FIELDS.includes(name)) fields[name] ??= message;
    else other.push(message);
  }
  return { fields, other };
}

interface RegisterFormProps {
  onRegistered: (registration: Registration) => void;
}

export function RegisterForm({ onRegistered }: RegisterFormProps) {
  const [fullName, setFullName] = useState('');
  const [birthDate, setBirthDate] = useState('');
  const [region, setRegion] = useState('');
  const [preferredLanguage, setPreferredLanguage] = useState<Language>('en');
  const [channel, setChannel] = useState<Contact['channel']>('email');
  const [address, setAddress] = useState('');
  const [busy, setBusy] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [formError, setFormError] = useState<string[]>([]);
  const summaryRef = useRef<HTMLDivElement>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setFieldErrors({});
    setFormError([]);
    try {
      const registration = await register({
        fullName: fullName.trim(),
        birthDate,
        region: region.trim().toUpperCase(),
        preferredLanguage,
        contact: { channel, address: address.trim() } as Contact,
      });
      onRegistered(registration);
    } catch (e) {
      if (e instanceof ApiError && e.fieldErrors.length > 0) {
        const { fields, other } = splitErrors(e);
        setFieldErrors(fields);
        setFormError([describeError(e), ...other]);
      } else {
        setFormError([describeError(e)]);
      }
      setBusy(false);
      // Move focus to the summary so keyboard and screen-reader users land on what went wrong.
      queueMicrotask(() => summaryRef.current?.focus());
    }
  }

  return (
    <form onSubmit={submit} aria-labelledby="register-title" noValidate>
      <h2 id="register-title">Register for vaccination</h2>
      <div ref={summaryRef} tabIndex={-1} className="summary">
        {formError.length > 0 && (
          <div role="alert">
            <p>Please check your details.</p>
            <ul>
              {formError.map((m, i) => (
                <li key={i}>{m}</li>
              ))}
            </ul>
          </div>
        )}
      </div>
      <Field id="fullName" label="Full name" error={fieldErrors.fullName}>
        {(aria) => (
          <input
            {...aria}
            autoComplete="name"
            required
            value={fullName}
            onChange={(e) => setFullName(e.target.value)}
          />
        )}
      </Field>
      <Field id="birthDate" label="Date of birth" hint="Format: YYYY-MM-DD" error={fieldErrors.birthDate}>
        {(aria) => (
          <input
            {...aria}
            type="date"
            autoComplete="bday"
            required
            value={birthDate}
            onChange={(e) => setBirthDate(e.target.value)}
          />
        )}
      </Field>
      <Field id="region" label="Region" hint="Region code, for example IN-MH" error={fieldErrors.region}>
        {(aria) => (
          <input {...aria} required value={region} onChange={(e) => setRegion(e.target.value)} />
        )}
      </Field>
      <Field id="preferredLanguage" label="Preferred language" error={fieldErrors.preferredLanguage}>
        {(aria) => (
          <select
            {...aria}
            value={preferredLanguage}
            onChange={(e) => setPreferredLanguage(e.target.value as Language)}
          >
            {LANGUAGES.map((l) => (
              <option key={l} value={l} lang={l}>
                {LANGUAGE_NAMES[l]}
              </option>
            ))}
          </select>
        )}
      </Field>
      <fieldset
        className="field"
        aria-describedby={fieldErrors['contact.channel'] ? 'contact-channel-error' : undefined}
      >
        <legend>How should we contact you?</legend>
        <label className="choice">
          <input
            type="radio"
            name="channel"
            value="email"
            checked={channel === 'email'}
            onChange={() => setChannel('email')}
          />
          Email
        </label>
        <label className="choice">
          <input
            type="radio"
            name="channel"
            value="sms"
            checked={channel === 'sms'}
            onChange={() => setChannel('sms')}
          />
          SMS
        </label>
        {fieldErrors['contact.channel'] && (
          <p id="contact-channel-error" className="error">
            {fieldErrors['contact.channel']}
          </p>
        )}
      </fieldset>
      <Field
        id="contactAddress"
        label={channel === 'email' ? 'Email address' : 'Mobile number'}
        hint={channel === 'sms' ? 'International format, for example +919812345678' : undefined}
        error={fieldErrors['contact.address']}
      >
        {(aria) => (
          <input
            {...aria}
            type={channel === 'email' ? 'email' : 'tel'}
            autoComplete={channel === 'email' ? 'email' : 'tel'}
            required
            value={address}
            onChange={(e) => setAddress(e.target.value)}
          />
        )}
      </Field>
      <button type="submit" disabled={busy}>
        {busy ? 'Registering…' : 'Register'}
      </button>
    </form>
  );
}
