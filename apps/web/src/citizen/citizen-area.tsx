import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import { useSessions } from '../shared/session';
import { AccessLogPage } from './access-log';
import { AppointmentPage, AppointmentsPage, ReschedulePage } from './appointments';
import { BookingPage } from './booking';
import { CentersPage } from './centers';
import { CertificatePage, CertificatesPage } from './certificates';
import { signOut, type Registration } from './citizen.api';
import { CitizenStateProvider, useCitizenState } from './citizen-state';
import './citizen.css';
import { Confirmation } from './confirmation';
import { AddMemberPage, EditMemberPage, HouseholdPage } from './household';
import { MessagesPage } from './messages';
import { RegisterForm } from './register-form';
import { CodeSignIn } from './sign-in';

/** The anonymous registration's token lives 15 minutes and comes without a refresh token. */
const REGISTRATION_TOKEN_SECONDS = 15 * 60;

const SIGNED_IN_LINKS = [
  { href: '/', key: 'nav.home' },
  { href: '/centers', key: 'nav.centers' },
  { href: '/appointments', key: 'nav.appointments' },
  { href: '/household', key: 'nav.household' },
  { href: '/messages', key: 'nav.messages' },
  { href: '/certificates', key: 'nav.certificates' },
  { href: '/access-log', key: 'nav.access' },
] as const;

const SIGNED_OUT_LINKS = [
  { href: '/', key: 'nav.register' },
  { href: '/sign-in', key: 'nav.signIn' },
  { href: '/centers', key: 'nav.centers' },
] as const;

/** The link of the section a path belongs to, for `aria-current`. */
function sectionOf(location: string): string {
  const first = location.split('/')[1] ?? '';
  return first === '' ? '/' : `/${first}`;
}

function CitizenNav() {
  const { t } = useTranslation('citizen');
  const { citizen, setCitizen } = useSessions();
  const { setRegistration, setRecent, notify } = useCitizenState();
  const [location, navigate] = useLocation();
  const links = citizen ? SIGNED_IN_LINKS : SIGNED_OUT_LINKS;
  const section = sectionOf(location);

  function leave() {
    const refreshToken = citizen?.refreshToken;
    setCitizen(undefined);
    setRegistration(undefined);
    setRecent(undefined);
    notify(t('nav.signedOut'), '/');
    navigate('/');
    // Best effort: the tokens are already forgotten here; the server revokes the refresh token.
    if (refreshToken) signOut(refreshToken).catch(() => undefined);
  }

  return (
    <nav aria-label={t('nav.label')} className="citizen-nav">
      <ul>
        {links.map((l) => (
          <li key={l.href}>
            <Link href={l.href} aria-current={section === l.href ? 'page' : undefined}>
              {t(l.key)}
            </Link>
          </li>
        ))}
        {citizen && (
          <li>
            <button type="button" className="link-button" onClick={leave}>
              {t('actions.signOut', { ns: 'common' })}
            </button>
          </li>
        )}
      </ul>
    </nav>
  );
}

/** Screens of a household: a signed-out visitor signs in right here and lands on the same screen. */
function SignedIn({ children }: { children: ReactNode }) {
  const { t } = useTranslation('citizen');
  const { citizen } = useSessions();
  return citizen ? children : <CodeSignIn intro={t('signIn.needed')} />;
}

function Home() {
  const { t } = useTranslation('citizen');
  const tiles = [
    { href: '/centers', key: 'centers' },
    { href: '/appointments', key: 'appointments' },
    { href: '/household', key: 'household' },
    { href: '/messages', key: 'messages' },
    { href: '/certificates', key: 'certificates' },
    { href: '/access-log', key: 'access' },
  ] as const;
  return (
    <section aria-labelledby="home-title">
      <h1 id="home-title" tabIndex={-1}>
        {t('home.title')}
      </h1>
      <p>{t('home.intro')}</p>
      <ul className="tiles">
        {tiles.map((tile) => (
          <li key={tile.href}>
            <Link href={tile.href}>{t(`home.${tile.key}.title`)}</Link>
            <p>{t(`home.${tile.key}.text`)}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}

function NotFound() {
  const { t } = useTranslation('citizen');
  return (
    <section aria-labelledby="not-found-title">
      <h1 id="not-found-title" tabIndex={-1}>
        {t('notFound.title')}
      </h1>
      <Link href="/">{t('notFound.home')}</Link>
    </section>
  );
}

function CitizenScreens() {
  const { citizen, setCitizen } = useSessions();
  const { registration, setRegistration, notice, dismiss } = useCitizenState();
  const [location, navigate] = useLocation();

  // A notice belongs to the screen it was made for: once shown there, leaving that screen drops it.
  const shown = useRef<typeof notice>(undefined);
  useEffect(() => {
    if (!notice) return;
    if (notice.path === location) shown.current = notice;
    else if (shown.current === notice) dismiss();
  }, [location, notice, dismiss]);

  function registered(result: Registration) {
    setCitizen({ accessToken: result.accessToken, refreshToken: '', expiresIn: REGISTRATION_TOKEN_SECONDS });
    setRegistration(result);
    navigate('/welcome');
  }

  const register = <RegisterForm onRegistered={registered} />;
  return (
    <>
      <CitizenNav />
      <p role="status" className="notice">
        {notice && notice.path === location ? notice.text : ''}
      </p>
      <Switch>
        <Route path="/sign-in">{citizen ? <Redirect to="/" /> : <CodeSignIn onSignedIn={() => navigate('/')} />}</Route>
        <Route path="/register">{register}</Route>
        <Route path="/welcome">{registration ? <Confirmation registration={registration} /> : <Redirect to="/" />}</Route>
        <Route path="/centers">
          <CentersPage />
        </Route>
        <Route path="/centers/:centerId">{(params) => <BookingPage centerId={params.centerId} />}</Route>
        <Route path="/household">
          <SignedIn>
            <HouseholdPage />
          </SignedIn>
        </Route>
        <Route path="/household/add">
          <SignedIn>
            <AddMemberPage />
          </SignedIn>
        </Route>
        <Route path="/household/:id">
          {(params) => (
            <SignedIn>
              <EditMemberPage id={params.id} />
            </SignedIn>
          )}
        </Route>
        <Route path="/appointments">
          <SignedIn>
            <AppointmentsPage />
          </SignedIn>
        </Route>
        <Route path="/appointments/:id/reschedule">
          {(params) => (
            <SignedIn>
              <ReschedulePage id={params.id} />
            </SignedIn>
          )}
        </Route>
        <Route path="/appointments/:id">
          {(params) => (
            <SignedIn>
              <AppointmentPage id={params.id} />
            </SignedIn>
          )}
        </Route>
        <Route path="/messages">
          <SignedIn>
            <MessagesPage />
          </SignedIn>
        </Route>
        <Route path="/certificates">
          <SignedIn>
            <CertificatesPage />
          </SignedIn>
        </Route>
        <Route path="/certificates/:id">
          {(params) => (
            <SignedIn>
              <CertificatePage id={params.id} />
            </SignedIn>
          )}
        </Route>
        <Route path="/access-log">
          <SignedIn>
            <AccessLogPage />
          </SignedIn>
        </Route>
        <Route path="/">{citizen ? <Home /> : register}</Route>
        <Route>
          <NotFound />
        </Route>
      </Switch>
    </>
  );
}

/** The citizen portal: register or sign in, the household, booking, messages, certificates and the access log. */
export function CitizenArea() {
  return (
    <CitizenStateProvider>
      <div className="citizen">
        <CitizenScreens />
      </div>
    </CitizenStateProvider>
  );
}

export default CitizenArea;
