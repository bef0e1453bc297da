import { Suspense, lazy, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Route, Router, Switch, useLocation } from 'wouter';
import { useHashLocation } from 'wouter/use-hash-location';
import { LanguagePicker } from '../shared/language-picker';
import { SessionProvider } from '../shared/session';

// One chunk per area: a citizen on a phone never downloads the staff console or the charts.
const CitizenArea = lazy(() => import('../citizen/citizen-area'));
const StaffArea = lazy(() => import('../staff/staff-area'));
const AdminArea = lazy(() => import('../admin/admin-area'));

const AREAS = [
  { path: '/', key: 'areas.citizen' },
  { path: '/staff', key: 'areas.staff' },
  { path: '/admin', key: 'areas.admin' },
] as const;

function areaOf(location: string): (typeof AREAS)[number]['path'] {
  if (location.startsWith('/staff')) return '/staff';
  if (location.startsWith('/admin')) return '/admin';
  return '/';
}

function Loading() {
  const { t } = useTranslation('common');
  return (
    <p role="status" className="loading">
      {t('status.loading')}
    </p>
  );
}

function Shell() {
  const { t } = useTranslation('common');
  const [location] = useLocation();
  const area = areaOf(location);
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  // After a screen change, move focus to the new screen so screen readers announce it.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    // The screen's own title when it marks one, else the first heading; made focusable.
    const heading = main.current?.querySelector<HTMLElement>('[data-screen-title]') ?? main.current?.querySelector<HTMLElement>('h1, h2');
    if (heading && !heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
    (heading ?? main.current)?.focus();
  }, [location]);

  return (
    <>
      <a className="skip-link" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        {t('skipToContent')}
      </a>
      <header className="top">
        <p className="brand">Jab</p>
        <nav aria-label={t('areas.label')}>
          <ul>
            {AREAS.map((a) => (
              <li key={a.path}>
                <Link href={a.path} aria-current={a.path === area ? 'page' : undefined}>
                  {t(a.key)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <LanguagePicker />
      </header>
      <main id="main" tabIndex={-1} ref={main}>
        <Suspense fallback={<Loading />}>
          <Switch>
            <Route path="/staff" nest>
              <StaffArea />
            </Route>
            <Route path="/admin" nest>
              <AdminArea />
            </Route>
            <Route>
              <CitizenArea />
            </Route>
          </Switch>
        </Suspense>
      </main>
    </>
  );
}

export function App() {
  return (
    <Router hook={useHashLocation}>
      <SessionProvider>
        <Suspense fallback={null}>
          <Shell />
        </Suspense>
      </SessionProvider>
    </Router>
  );
}

export default App;
