import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Route, Switch, useLocation } from 'wouter';
import { claimsOf, useSessions } from '../shared/session';
import { StaffGate } from '../shared/staff-gate';
import { AefiScreen } from './aefi';
import { DoseScreen } from './dose';
import { PersonScreen, type OpenedRecords } from './person';
import { SearchScreen, type LastSearch } from './search';
import { TodayScreen } from './today';
import { WalkInScreen } from './walk-in';
import './staff.css';

const STAFF_ROLES = ['staff', 'center-admin', 'national-admin'];

function NotFound() {
  const { t } = useTranslation('staff');
  return (
    <>
      <h2>{t('notFound.title')}</h2>
      <p>
        <Link href="/">{t('nav.search')}</Link>
      </p>
    </>
  );
}

/** The signed-in console: who is working, the screens, and signing out. */
function Console({ onSignOut }: { onSignOut: () => void }) {
  const { t } = useTranslation('staff');
  const { staff } = useSessions();
  const [location] = useLocation();
  const [lastSearch, setLastSearch] = useState<LastSearch>();
  const [opened, setOpened] = useState<OpenedRecords>({});
  const remember = useCallback((id: string, record: OpenedRecords[string]) => setOpened((o) => ({ ...o, [id]: record })), []);
  const claims = staff ? claimsOf(staff.accessToken) : undefined;
  const role = claims?.role ?? staff?.role ?? '';

  return (
    <>
      <div className="staff-bar">
        <p className="staff-who">{t('signedInAs', { role: t(`roles.${role}`, { defaultValue: role }) })}</p>
        <nav aria-label={t('nav.label')} className="staff-nav">
          <ul>
            <li>
              <Link href="/" aria-current={location === '/' ? 'page' : undefined}>
                {t('nav.search')}
              </Link>
            </li>
            <li>
              <Link href="/today" aria-current={location === '/today' ? 'page' : undefined}>
                {t('nav.today')}
              </Link>
            </li>
          </ul>
        </nav>
        <button type="button" className="secondary" onClick={onSignOut}>
          {t('actions.signOut', { ns: 'common' })}
        </button>
      </div>
      <Switch>
        <Route path="/">
          <SearchScreen last={lastSearch} onSearched={setLastSearch} canPickRegion={!claims?.region} />
        </Route>
        <Route path="/today">
          <TodayScreen centerId={claims?.centerId} />
        </Route>
        <Route path="/people/:id">{(params) => <PersonScreen id={params.id} opened={opened} onOpened={remember} canWalkIn={Boolean(claims?.centerId)} />}</Route>
        <Route path="/people/:id/walk-in">{(params) => <WalkInScreen registrantId={params.id} name={opened[params.id]?.fullName} centerId={claims?.centerId} />}</Route>
        <Route path="/visits/:appointmentId">{(params) => <DoseScreen appointmentId={params.appointmentId} />}</Route>
        <Route path="/doses/:doseId/adverse-event">{(params) => <AefiScreen doseId={params.doseId} centerId={claims?.centerId} />}</Route>
        <Route>
          <NotFound />
        </Route>
      </Switch>
    </>
  );
}

/**
 * The staff console (`#/staff`): sign in, find a person, today's appointments, check-in,
 * dose recording, walk-ins and adverse events. A 401 from any call signs the staff member
 * out (see `useStaffRequest`); they are told why, and sign in again.
 */
export function StaffArea() {
  const { t } = useTranslation('staff');
  return (
    <section aria-labelledby="staff-title" className="staff-area">
      <h1 id="staff-title">{t('title')}</h1>
      <StaffGate idPrefix="staff" roles={STAFF_ROLES} endedText={t('sessionEnded')} wrongRoleText={t('notStaff')}>
        {(_role, signOut) => <Console onSignOut={signOut} />}
      </StaffGate>
    </section>
  );
}

export default StaffArea;
