import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../shared/api';
import type { Loaded } from '../shared/async';
import { availabilityStreamUrl, getAvailability, type Availability } from './citizen.api';

interface State {
  data: Availability | undefined;
  error: unknown;
  loading: boolean;
}

/** The newer of two answers for the same center-day (by version); a different day replaces it. */
function newer(current: Availability | undefined, next: Availability): Availability {
  const same = current && current.centerId === next.centerId && current.date === next.date;
  return same && current.version > next.version ? current : next;
}

/** The state once `view` arrived, from the stream or a plain read: the newer answer wins. */
const arrived = (view: Availability) => (s: State): State => ({ data: newer(s.data, view), error: undefined, loading: false });

/**
 * A center-day's seats, kept current: the server's stream of versions (Server-Sent Events)
 * replaces the answer whenever a seat is taken or freed anywhere, without a reload. Where
 * the stream cannot be had (no EventSource, refused, offline) one ordinary read stands in
 * and says why it failed. `reloadKey` asks the server once more, past every cache.
 */
export function useLiveAvailability(centerId: string, date: string, reloadKey = 0): Loaded<Availability> {
  const [state, setState] = useState<State>({ data: undefined, error: undefined, loading: true });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let live = true;
    const controller = new AbortController();
    const accept = (view: Availability) => live && setState(arrived(view));
    // A refusal (an unknown center, a bad day) will not change by asking again.
    let refused = false;
    const fail = (error: unknown) => {
      refused = error instanceof ApiError && error.status < 500;
      if (live) setState((s) => ({ ...s, error, loading: false }));
    };
    const readOnce = () => getAvailability(centerId, date, controller.signal).then(accept, fail);
    setState((s) => ({ ...s, loading: true, error: undefined }));

    if (typeof EventSource !== 'function') {
      void readOnce();
      return () => {
        live = false;
        controller.abort();
      };
    }
    // The browser reconnects an open stream by itself (a restarted server, a network blip); a
    // refused one (503 from a task that is stopping, 404) is closed, so it is opened again.
    let source: EventSource | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let fellBack = false;
    const open = () => {
      const current = new EventSource(availabilityStreamUrl(centerId, date));
      source = current;
      current.addEventListener('availability', (event) => accept(JSON.parse((event as MessageEvent<string>).data) as Availability));
      current.addEventListener('error', () => {
        // Until the stream answers, one plain read shows the seats, or why there are none.
        if (!fellBack) {
          fellBack = true;
          void readOnce();
        }
        if (current.readyState === EventSource.CLOSED && live && !refused) retry = setTimeout(open, 2_000 + Math.random() * 3_000);
      });
    };
    open();
    return () => {
      live = false;
      controller.abort();
      clearTimeout(retry);
      source?.close();
    };
  }, [centerId, date, generation]);

  // After a refused booking or a retry: the truth from the server now, whatever the caches hold.
  useEffect(() => {
    if (reloadKey === 0) return;
    const controller = new AbortController();
    getAvailability(centerId, date, controller.signal, true).then(
      (view) => !controller.signal.aborted && setState(arrived(view)),
      () => undefined,
    );
    return () => controller.abort();
  }, [centerId, date, reloadKey]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload };
}
