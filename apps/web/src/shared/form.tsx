import { useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import { ErrorMessage } from './async';
import { serverFieldErrors, validateWith, type FieldErrors } from './validate';

/**
 * One form's life: checked with the service's own schema first, then sent; the service's
 * field errors land next to the same fields, anything else in one alert above the button.
 */
export function useForm() {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<unknown>();
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);
  const busyRef = useRef(false);

  async function submit<S extends z.ZodType, T>(schema: S, value: unknown, send: (data: z.infer<S>) => Promise<T>): Promise<T | undefined> {
    if (busyRef.current) return undefined;
    setFailure(undefined);
    const checked = validateWith(schema, value);
    if (!checked.ok) {
      setErrors(checked.errors);
      setInvalid(true);
      return undefined;
    }
    setErrors({});
    setInvalid(false);
    busyRef.current = true;
    setBusy(true);
    try {
      return await send(checked.data);
    } catch (error) {
      setErrors(serverFieldErrors(error));
      setFailure(error);
      return undefined;
    } finally {
      busyRef.current = false;
      setBusy(false);
    }
  }

  return { errors, failure, invalid, busy, submit };
}

/** Above the submit button: what went wrong with the whole form, announced. */
export function FormProblems({ invalid, failure }: { invalid: boolean; failure: unknown }) {
  const { t } = useTranslation('common');
  if (failure !== undefined) return <ErrorMessage error={failure} />;
  if (!invalid) return null;
  return (
    <p role="alert" className="error">
      {t('form.fixErrors')}
    </p>
  );
}

/** A group of radios or checkboxes: one legend, one error, announced together. */
export function FieldGroup({ id, legend, error, hint, children }: { id: string; legend: string; error?: string; hint?: string; children: ReactNode }) {
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <fieldset className="field" id={id} aria-describedby={describedBy}>
      <legend>{legend}</legend>
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      <div className="choices">{children}</div>
      {error && (
        <p id={`${id}-error`} className="error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
