import { contactSchema, sessionRequest } from '@jab/contracts';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { ApiError } from '../shared/api';
import { ErrorMessage } from '../shared/async';
import { Field } from '../shared/field';
import { isLanguage } from '../shared/i18n';
import { useSessions } from '../shared/session';
import { validateWith, type FieldErrors } from '../shared/validate';
import { RateLimitedError, requestCode, signInWithCode, type Contact } from './citizen.api';
import { focusFirstInvalid, localizeErrors, splitServerErrors } from './form-errors';

type Step = { kind: 'contact' } | { kind: 'code'; contact: Contact; expiresInSeconds: number };

interface CodeSignInProps {
  /** `h1` on its own page, `h2` inside another screen that needs a signed-in citizen. */
  titleLevel?: 'h1' | 'h2';
  /** Why the person is asked to sign in here. */
  intro?: string;
  onSignedIn?: () => void;
}

/**
 * Sign-in by one-time code: the person gives an email address or a phone number, the
 * service sends a 6-digit code there, and the code buys a session (created with the
 * household account on a first sign-in).
 */
export function CodeSignIn({ titleLevel = 'h1', intro, onSignedIn }: CodeSignInProps) {
  const { t, i18n } = useTranslation('citizen');
  const { setCitizen } = useSessions();
  const [channel, setChannel] = useState<Contact['channel']>('email');
  const [address, setAddress] = useState('');
  const [code, setCode] = useState('');
  const [step, setStep] = useState<Step>({ kind: 'contact' });
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<unknown>();
  const [waiting, setWaiting] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const codeInput = useRef<HTMLInputElement>(null);
  const Title = titleLevel;

  // Entering the code step puts the cursor where the code goes.
  useEffect(() => {
    if (step.kind === 'code') codeInput.current?.focus();
  }, [step]);

  function fail(error: unknown) {
    setFailure(error);
    if (error instanceof RateLimitedError) {
      // Sending again before the service allows it would only extend the wait.
      setWaiting(true);
      setTimeout(() => setWaiting(false), (error.retryAfterSeconds ?? 60) * 1000);
    }
  }

  const addressMessage = () => (channel === 'email' ? t('fields.email.invalid') : t('fields.phone.invalid'));

  async function sendCode(event?: FormEvent<HTMLFormElement>) {
    event?.preventDefault();
    setFailure(undefined);
    const checked = validateWith(contactSchema, { channel, address: address.trim() });
    if (!checked.ok) {
      setErrors(localizeErrors(checked.errors, (field) => (field === 'address' ? addressMessage() : undefined)));
      focusFirstInvalid(form.current);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const language = i18n.resolvedLanguage ?? i18n.language;
      const accepted = await requestCode(checked.data, isLanguage(language) ? language : 'en');
      setCode('');
      setStep({ kind: 'code', contact: checked.data, expiresInSeconds: accepted.expiresInSeconds });
    } catch (error) {
      setErrors(splitServerErrors(error, ['address'], { 'contact.address': 'address', contact: 'address' }).fields);
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  async function submitCode(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (step.kind !== 'code') return;
    setFailure(undefined);
    const checked = validateWith(sessionRequest, { contact: step.contact, code: code.trim() });
    if (!checked.ok) {
      setErrors(localizeErrors(checked.errors, (field) => (field === 'code' ? t('signIn.codeFormat') : undefined)));
      focusFirstInvalid(form.current);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const tokens = await signInWithCode(step.contact, checked.data.code);
      setCitizen(tokens);
      onSignedIn?.();
    } catch (error) {
      setBusy(false);
      if (error instanceof ApiError && error.status === 401) {
        // Wrong, expired or used: say so next to the code, and let them type it again.
        setErrors({ code: t('signIn.wrongCode') });
        setCode('');
        focusFirstInvalid(form.current);
        return;
      }
      setErrors(splitServerErrors(error, ['code']).fields);
      fail(error);
    }
  }

  const failureMessage =
    failure instanceof RateLimitedError ? (
      <div role="alert" className="error-panel">
        <p>
          {failure.retryAfterSeconds !== undefined
            ? t('signIn.rateLimited', { count: failure.retryAfterSeconds })
            : t('signIn.rateLimitedLater')}
        </p>
      </div>
    ) : failure !== undefined ? (
      <ErrorMessage error={failure} />
    ) : null;

  if (step.kind === 'code') {
    const minutes = Math.max(1, Math.round(step.expiresInSeconds / 60));
    return (
      <form ref={form} onSubmit={submitCode} aria-labelledby="sign-in-title" noValidate className="citizen-card">
        <Title id="sign-in-title" tabIndex={-1}>
          {t('signIn.title')}
        </Title>
        <p role="status">
          {t('signIn.codeSent', { address: step.contact.address, count: minutes })}
        </p>
        <Field id="sign-in-code" label={t('signIn.code')} hint={t('signIn.codeHint')} error={errors['code']}>
          {(aria) => (
            <input
              {...aria}
              ref={codeInput}
              className="code-input"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              dir="ltr"
              value={code}
              onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
            />
          )}
        </Field>
        {failureMessage}
        <div className="actions">
          <button type="submit" disabled={busy || waiting}>
            {busy ? t('signIn.busy') : t('signIn.submitCode')}
          </button>
          <button type="button" className="secondary" disabled={busy || waiting} onClick={() => void sendCode()}>
            {t('signIn.resend')}
          </button>
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setStep({ kind: 'contact' });
              setErrors({});
              setFailure(undefined);
            }}
          >
            {t('signIn.changeContact')}
          </button>
        </div>
      </form>
    );
  }

  return (
    <form ref={form} onSubmit={sendCode} aria-labelledby="sign-in-title" noValidate className="citizen-card">
      <Title id="sign-in-title" tabIndex={-1}>
        {t('signIn.title')}
      </Title>
      <p>{intro ?? t('signIn.intro')}</p>
      <fieldset className="field">
        <legend>{t('fields.channel.label')}</legend>
        <div className="choices">
          <label className="choice">
            <input type="radio" name="sign-in-channel" value="email" checked={channel === 'email'} onChange={() => setChannel('email')} />
            {t('fields.channel.email')}
          </label>
          <label className="choice">
            <input type="radio" name="sign-in-channel" value="sms" checked={channel === 'sms'} onChange={() => setChannel('sms')} />
            {t('fields.channel.sms')}
          </label>
        </div>
      </fieldset>
      <Field
        id="sign-in-address"
        label={channel === 'email' ? t('fields.email.label') : t('fields.phone.label')}
        hint={channel === 'sms' ? t('fields.phone.hint') : undefined}
        error={errors['address']}
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
      {failureMessage}
      <button type="submit" disabled={busy || waiting}>
        {busy ? t('signIn.sending') : t('signIn.sendCode')}
      </button>
      <p>
        {t('signIn.newHere')} <Link href="/">{t('signIn.registerLink')}</Link>
      </p>
    </form>
  );
}
