import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Route, Switch, useLocation } from 'wouter';
import { useStaffRequest } from '../shared/session';
import { StaffGate } from '../shared/staff-gate';
import { QUEUE_BOARD_SESSION_URL, QUEUE_BOARD_URL } from './admin.api';
import { CenterScreen } from './centers';
import { Dashboard } from './dashboard';
import { LotsScreen } from './lots';
import { ReportsScreen } from './reports';
import { SessionsScreen } from './sessions';
import './admin.css';

const ADMIN_ROLES = ['center-admin', 'national-admin'];

const SCREENS = [
  { path: '/', key: 'nav.dashboard' },
  { path: '/centers', key: 'nav.centers' },
  { path: '/sessions', key: 'nav.sessions' },
  { path: '/lots', key: 'nav.lots' },
  { path: '/reports', key: 'nav.reports' },
] as const;

/**
 * Opens the queue dashboard in a new tab: the tab is opened within the click (so no
 * popup blocker stops it), then sent to the board once the board's cookie is set.
 */
function QueueBoardLink({ label, newTab }: { label: string; newTab: string }) {
  const request = useStaffRequest();
  return (
    <a
      href={QUEUE_BOARD_URL}
      target="_blank"
      rel="noopener noreferrer"
      onClick={(event) => {
        event.preventDefault();
        const tab = window.open('about:blank', '_blank');
        if (tab) tab.opener = null;
        request(QUEUE_BOARD_SESSION_URL, { method: 'POST' }).then(
          () => tab?.location.assign(QUEUE_BOARD_URL),
          () => tab?.close(),
        );
      }}
    >
      {label}
      <span className="visually-hidden"> {newTab}</span>
    </a>
  );
}

function Console({ role, onSignOut }: { role: string; onSignOut: () => void }) {
  const { t } = useTranslation('admin');
  const [location] = useLocation();
  // A center just created is offered first on the slot schedule screen.
  const [lastCenterId, setLastCenterId] = useState<string>();

  return (
    <>
      <div className="admin-bar">
        <p className="admin-who">{t('signedInAs', { role: t(`roles.${role}`, { defaultValue: role }) })}</p>
        <nav aria-label={t('nav.label')} className="admin-nav">
          <ul>
            {SCREENS.map((s) => (
              <li key={s.path}>
                <Link href={s.path} aria-current={location === s.path ? 'page' : undefined}>
                  {t(s.key)}
                </Link>
              </li>
            ))}
            {role === 'national-admin' && (
              <li>
                <QueueBoardLink label={t('nav.queues')} newTab={t('nav.newTab')} />
              </li>
            )}
          </ul>
        </nav>
        <button type="button" className="secondary" onClick={onSignOut}>
          {t('actions.signOut', { ns: 'common' })}
        </button>
      </div>
      <Switch>
        <Route path="/">
          <Dashboard />
        </Route>
        <Route path="/centers">
          <CenterScreen onCreated={setLastCenterId} />
        </Route>
        <Route path="/sessions">
          <SessionsScreen preselected={lastCenterId} />
        </Route>
        <Route path="/lots">
          <LotsScreen />
        </Route>
        <Route path="/reports">
          <ReportsScreen />
        </Route>
        <Route>
          <h2>{t('notFound')}</h2>
        </Route>
      </Switch>
    </>
  );
}

/**
 * The admin dashboard (`#/admin`): campaign charts with their numbers, centers and slot
 * schedules, lot recalls, report exports and the queue dashboard. Center and national
 * admins only; a 401 signs the admin out and says so.
 */
export function AdminArea() {
  const { t } = useTranslation('admin');
  return (
    <section aria-labelledby="admin-title" className="admin-area">
      <h1 id="admin-title">{t('title')}</h1>
      <StaffGate idPrefix="admin" roles={ADMIN_ROLES} endedText={t('sessionEnded')} wrongRoleText={t('notAdmin')}>
        {(role, signOut) => <Console role={role} onSignOut={signOut} />}
      </StaffGate>
    </section>
  );
}

export default AdminArea;
