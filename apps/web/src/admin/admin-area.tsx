import { useCallback, useEffect, useState } from 'react';
import type { StaffSessionResponse as StaffSession } from '@jab/contracts';
import { describeError } from '../shared/api';
import { dailyRegistrations, type DailyRegistrations } from './admin.api';
import { SignInForm } from '../shared/sign-in-form';

function Dashboard({ session }: { session: StaffSession }) {
  const [data, setData] = useState<DailyRegistrations>();
  const [busy, setBusy] = useState(true);
  const [error, setError] = useState<string>();

  const load = useCallback(
    async (signal?: AbortSignal) => {
      setBusy(true);
      setError(undefined);
      try {
        const result = await dailyRegistrations(session.accessToken, signal);
        if (!signal?.aborted) setData(result);
      } catch (e) {
        if (!signal?.aborted) setError(describeError(e));
      } finally {
        if (!signal?.aborted) setBusy(false);
      }
    },
    [session.accessToken],
  );

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  return (
    <>
      <h2>Registrations</h2>
      <p role="status">{busy ? 'Loading…' : data ? 'Figures are up to date.' : ''}</p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="button" onClick={() => void load()} disabled={busy}>
        Refresh
      </button>
      {data && (
        <>
          <p className="total">
            Total registrations: <strong data-testid="registrations-total">{data.total}</strong>
          </p>
          {data.items.length === 0 ? (
            <p>No registrations yet.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <caption>Registrations per day</caption>
                <thead>
                  <tr>
                    <th scope="col">Day</th>
                    <th scope="col">Registrations</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((d) => (
                    <tr key={d.day}>
                      <th scope="row">
                        <time dateTime={d.day}>{d.day}</time>
                      </th>
                      <td>{d.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </>
  );
}

export function AdminArea() {
  const [session, setSession] = useState<StaffSession>();
  return (
    <section aria-labelledby="admin-title">
      <h1 id="admin-title">Admin dashboard</h1>
      {session ? <Dashboard session={session} /> : <SignInForm idPrefix="admin" onSignedIn={setSession} />}
    </section>
  );
}

export default AdminArea;
