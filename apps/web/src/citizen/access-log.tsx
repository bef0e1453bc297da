import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LoadState, useLoad } from '../shared/async';
import { Field } from '../shared/field';
import { formatDateTime } from '../shared/format';
import { useCitizenRequest } from '../shared/session';
import { accessLogOf, getCenter, listHousehold, type AccessEntry, type Person } from './citizen.api';
import { centerName } from './citizen-format';

const ACTIONS = [
  'read',
  'appointment.read',
  'appointment.cancel',
  'appointment.reschedule',
  'check-in',
  'walk-in',
  'dose.record',
  'dose.correct',
  'aefi.report',
  'certificate.list',
  'certificate.read',
  'fhir.export',
] as const;
const ROLES = ['staff', 'center-admin', 'national-admin'] as const;

const keyOf = (value: string) => value.replace(/[.-]/g, '_');

function Entries({ person }: { person: Person }) {
  const { t, i18n } = useTranslation('citizen');
  const request = useCitizenRequest();
  const state = useLoad(async (signal) => {
    const entries = await accessLogOf(request, person.id, signal);
    const ids = [...new Set(entries.map((e) => e.centerId).filter((id): id is string => id !== null))];
    // A center that cannot be read is named by its region only.
    const centers = await Promise.all(ids.map((id) => getCenter(id, signal).catch(() => undefined)));
    return { entries, centers: Object.fromEntries(centers.filter((c) => c !== undefined).map((c) => [c.id, c])) };
  }, [person.id, request]);

  const action = (e: AccessEntry) => ((ACTIONS as readonly string[]).includes(e.action) ? t(`access.actions.${keyOf(e.action)}`) : e.action);
  const role = (e: AccessEntry) => ((ROLES as readonly string[]).includes(e.role) ? t(`access.roles.${keyOf(e.role)}`) : e.role);

  return (
    <LoadState state={state}>
      {({ entries, centers }) =>
        entries.length === 0 ? (
          <p>{t('access.none', { name: person.fullName })}</p>
        ) : (
          <ul className="card-list" aria-label={t('access.listLabel', { name: person.fullName })}>
            {entries.map((e, i) => {
              const center = e.centerId ? centers[e.centerId] : undefined;
              const where = center ? centerName(center.names, i18n.language).text : e.region ?? t('access.nationwide');
              return (
                <li key={`${e.occurredAt}-${i}`}>
                  <strong>{action(e)}</strong>
                  <br />
                  {t('access.by', { role: role(e), where })}
                  <br />
                  <time dateTime={e.occurredAt} className="muted">
                    {formatDateTime(e.occurredAt, i18n.language)}
                  </time>
                </li>
              );
            })}
          </ul>
        )
      }
    </LoadState>
  );
}

/** "Who viewed my record": every staff read or change of a household member's record, newest first. */
export function AccessLogPage() {
  const { t } = useTranslation('citizen');
  const request = useCitizenRequest();
  const household = useLoad((signal) => listHousehold(request, signal), [request]);
  const [chosen, setChosen] = useState<string>();
  return (
    <section aria-labelledby="access-title">
      <h1 id="access-title" tabIndex={-1}>
        {t('access.title')}
      </h1>
      <p>{t('access.intro')}</p>
      <LoadState state={household}>
        {(people) => {
          const person = people.find((p) => p.id === chosen) ?? people[0];
          if (!person) return <p>{t('household.empty')}</p>;
          return (
            <>
              <Field id="access-person" label={t('access.person')}>
                {(aria) => (
                  <select {...aria} value={person.id} onChange={(e) => setChosen(e.target.value)}>
                    {people.map((p) => (
                      <option key={p.id} value={p.id}>
                        {p.fullName}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <h2>{t('access.of', { name: person.fullName })}</h2>
              <Entries key={person.id} person={person} />
            </>
          );
        }}
      </LoadState>
    </section>
  );
}
