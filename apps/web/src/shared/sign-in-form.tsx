import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { StaffSessionResponse as StaffSession } from '@jab/contracts';
import { signInStaff } from './api';
import { ErrorMessage } from './async';
import { Field } from './field';

interface SignInFormProps {
  idPrefix: string;
  onSignedIn: (session: StaffSession) => void;
}

/** Staff and admin sign-in; the token stays in memory only (never in storage). */
export function SignInForm({ idPrefix, onSignedIn }: SignInFormProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const { t } = useTranslation('common');

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await signInStaff(email.trim(), password));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} aria-labelledby={`${idPrefix}-sign-in-title`} noValidate>
      <h2 id={`${idPrefix}-sign-in-title`}>{t('signIn.title')}</h2>
      <Field id={`${idPrefix}-email`} label={t('signIn.email')}>
        {(aria) => (
          <input
            {...aria}
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        )}
      </Field>
      <Field id={`${idPrefix}-password`} label={t('signIn.password')}>
        {(aria) => (
          <input
            {...aria}
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        )}
      </Field>
      {error !== undefined && <ErrorMessage error={error} />}
      <button type="submit" disabled={busy}>
        {busy ? t('signIn.busy') : t('actions.signIn')}
      </button>
    </form>
  );
}
