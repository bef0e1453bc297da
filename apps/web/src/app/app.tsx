import { Suspense, lazy, type ComponentType, type LazyExoticComponent } from 'react';
import { AREAS, hrefFor, useRoute, type AreaPath } from '../shared/router';

// One chunk per area: a citizen on a phone never downloads the staff console.
const pages: Record<AreaPath, LazyExoticComponent<ComponentType>> = {
  '/': lazy(() => import('../citizen/citizen-area')),
  '/staff': lazy(() => import('../staff/staff-area')),
  '/admin': lazy(() => import('../admin/admin-area')),
};

export function App() {
  const route = useRoute();
  const Page = pages[route];
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <p className="brand">Jab</p>
        <nav aria-label="Areas">
          <ul>
            {AREAS.map((a) => (
              <li key={a.path}>
                <a href={hrefFor(a.path)} aria-current={a.path === route ? 'page' : undefined}>
                  {a.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p role="status">Loading…</p>}>
          <Page />
        </Suspense>
      </main>
    </>
  );
}

export default App;
