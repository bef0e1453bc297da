import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, errorKey } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again (after a change, or from the error screen's retry button). */
  reload: () => void;
}

/**
 * Runs `load` on mount and whenever `deps` change, aborting the previous call, so a slow
 * answer to an old question never overwrites a newer one.
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true, error: undefined }));
    loadRef.current(controller.signal).then(
      (data) => !controller.signal.aborted && setState({ data, error: undefined, loading: false }),
      (error: unknown) => !controller.signal.aborted && setState((s) => ({ ...s, error, loading: false })),
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller names what the load depends on
  }, [...deps, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload };
}

/** The message of a failure, in the reader's language, with the server's detail when it gave one. */
export function ErrorMessage({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation('common');
  const detail = error instanceof ApiError && error.status < 500 ? error.detail : undefined;
  return (
    <div role="alert" className="error-panel">
      <p>{t(errorKey(error))}</p>
      {detail && <p className="detail">{detail}</p>}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('actions.retry')}
        </button>
      )}
    </div>
  );
}

/** Loading, failed or loaded: every data screen shows exactly one of the three. */
export function LoadState<T>({ state, children, label }: { state: Loaded<T>; children: (data: T) => ReactNode; label?: string }) {
  const { t } = useTranslation('common');
  if (state.error) return <ErrorMessage error={state.error} onRetry={state.reload} />;
  if (state.data === undefined) {
    return (
      <p role="status" className="loading">
        {label ?? t('status.loading')}
      </p>
    );
  }
  return <>{children(state.data)}</>;
}
