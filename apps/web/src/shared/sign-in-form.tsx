import { useState, type FormEvent } from 'react';
import { describeError, signInStaff, type StaffSession } from './api';
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
  const [error, setError] = useState<string>();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await signInStaff(email.trim(), password));
    } catch (e) {
      setError(describeError(e));
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} aria-labelledby={`${idPrefix}-sign-in-title`} noValidate>
      <h2 id={`${idPrefix}-sign-in-title`}>Sign in</h2>
      <Field id={`${idPrefix}-email`} label="Email">
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
      <Field id={`${idPrefix}-password`} label="Password">
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
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
