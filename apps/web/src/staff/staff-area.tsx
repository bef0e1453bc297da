import { useState, type FormEvent } from 'react';
import type { StaffSessionResponse as StaffSession } from '@jab/contracts';
import { describeError } from '../shared/api';
import { searchRegistrants, type RegistrantHit } from './staff.api';
import { SignInForm } from '../shared/sign-in-form';

type Results = { query: string; items: RegistrantHit[] };

function Search({ session }: { session: StaffSession }) {
  const [q, setQ] = useState('');
  const [busy, setBusy] = useState(false);
  const [results, setResults] = useState<Results>();
  const [error, setError] = useState<string>();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const query = q.trim();
    if (!query) return;
    setBusy(true);
    setError(undefined);
    try {
      setResults({ query, items: await searchRegistrants(session.accessToken, query) });
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  }

  const status = busy
    ? 'Searching…'
    : results
      ? `${results.items.length} ${results.items.length === 1 ? 'person' : 'people'} found for “${results.query}”.`
      : '';

  return (
    <>
      <div role="search">
        <form onSubmit={submit} className="inline-form">
          <label htmlFor="staff-q">Name</label>
          <input id="staff-q" type="search" value={q} onChange={(e) => setQ(e.target.value)} autoComplete="off" />
          <button type="submit" disabled={busy}>
            Search
          </button>
        </form>
      </div>
      <p role="status">{status}</p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {results && results.items.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption>Search results</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Birth year</th>
                <th scope="col">Region</th>
                <th scope="col">Registration number</th>
              </tr>
            </thead>
            <tbody>
              {results.items.map((r) => (
                <tr key={r.id}>
                  <th scope="row">{r.fullName}</th>
                  <td>{r.birthYear}</td>
                  <td>{r.region}</td>
                  <td className="id">{r.id}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export function StaffArea() {
  const [session, setSession] = useState<StaffSession>();
  return (
    <section aria-labelledby="staff-title">
      <h1 id="staff-title">Staff console</h1>
      {session ? (
        <>
          <h2>Find a person</h2>
          <Search session={session} />
        </>
      ) : (
        <SignInForm idPrefix="staff" onSignedIn={setSession} />
      )}
    </section>
  );
}

export default StaffArea;
