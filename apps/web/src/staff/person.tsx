import {
  accessReason,
  type CertificateSummary,
  type StaffRegistrantView,
} from '@jab/contracts';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { LoadState, useLoad } from '../shared/async';
import { Field } from '../shared/field';
import { formatDate, formatDateTime } from '../shared/format';
import { FormProblems, useForm } from '../shared/form';
import { useStaffApi } from './staff.api';

/** Records opened in this sitting: the reason given once is reused for the same person. */
export type OpenedRecords = Record<
  string,
  { reason: string; fullName?: string }
>;

const REASONS = ['vaccination', 'doseCheck', 'aefiFollowUp'] as const;

function ReasonForm({ onReason }: { onReason: (reason: string) => void }) {
  const { t } = useTranslation('staff');
  const [reason, setReason] = useState('');
  const { errors, failure, invalid, busy, submit } = useForm();

  async function send(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await submit(accessReason, reason, async (checked) => onReason(checked));
  }

  return (
    <form onSubmit={send} noValidate aria-labelledby="staff-reason-title">
      <h3 id="staff-reason-title">{t('person.reasonTitle')}</h3>
      <p className="hint">{t('person.reasonWhy')}</p>
      <Field
        id="staff-reason"
        label={t('person.reason')}
        hint={t('person.reasonHint')}
        error={errors[''] ?? errors['reason']}
      >
        {(aria) => (
          <input
            {...aria}
            list="staff-reasons"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            maxLength={200}
          />
        )}
      </Field>
      <datalist id="staff-reasons">
        {REASONS.map((r) => (
          <option key={r} value={t(`person.reasons.${r}`)} />
        ))}
      </datalist>
      <FormProblems invalid={invalid} failure={failure} />
      <button type="submit" disabled={busy}>
        {t('person.open')}
      </button>
    </form>
  );
}

function Doses({ items }: { items: CertificateSummary[] }) {
  const { t, i18n } = useTranslation('staff');
  const current = items.filter((c) => !c.revoked);
  if (current.length === 0) return <p>{t('person.noDoses')}</p>;
  return (
    <div className="table-wrap" tabIndex={0}>
      <table>
        <caption>{t('person.doses')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('dose.doseNumber')}</th>
            <th scope="col">{t('dose.vaccine')}</th>
            <th scope="col">{t('person.administeredAt')}</th>
            <th scope="col">{t('person.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {current.map((c) => (
            <tr key={c.id}>
              <th scope="row">{t('dose.number', { number: c.doseNumber })}</th>
              <td>{c.vaccineName}</td>
              <td>{formatDateTime(c.administeredAt, i18n.language)}</td>
              <td>
                <Link href={`/doses/${c.doseId}/adverse-event`}>
                  {t('aefi.reportFor', { number: c.doseNumber })}
                </Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Record({
  person,
  id,
  reason,
  canWalkIn,
}: {
  person: StaffRegistrantView;
  id: string;
  reason: string;
  canWalkIn: boolean;
}) {
  const { t, i18n } = useTranslation('staff');
  const api = useStaffApi();
  const doses = useLoad(
    (signal) => api.certificates(id, reason, signal),
    [api, id, reason],
  );
  return (
    <>
      <dl className="facts">
        <dt>{t('person.fullName')}</dt>
        <dd>{person.fullName}</dd>
        <dt>{t('person.birthDate')}</dt>
        <dd>{formatDate(person.birthDate, i18n.language)}</dd>
        <dt>{t('search.region')}</dt>
        <dd>{person.region}</dd>
        <dt>{t('person.language')}</dt>
        <dd>{t(`languages.${person.preferredLanguage}`)}</dd>
        <dt>{t('person.sex')}</dt>
        <dd>{t(`sexes.${person.sex}`)}</dd>
        <dt>{t('person.nationalId')}</dt>
        <dd dir="ltr">{person.nationalIdMasked ?? t('person.none')}</dd>
        <dt>{t('person.registeredOn')}</dt>
        <dd>{formatDate(person.createdAt, i18n.language)}</dd>
        <dt>{t('person.recordNumber')}</dt>
        <dd className="id" data-testid="staff-record-id">
          {person.id}
        </dd>
      </dl>
      {canWalkIn && (
        <p>
          <Link href={`/people/${id}/walk-in`} className="button-link">
            {t('walkIn.start')}
          </Link>
        </p>
      )}
      <h3>{t('person.doses')}</h3>
      <LoadState state={doses}>
        {(list) => <Doses items={list.items} />}
      </LoadState>
    </>
  );
}

/** Reads the record with the reason given (its own component: loading starts with the reason). */
function RecordLoader({
  id,
  reason,
  onOpened,
  canWalkIn,
}: {
  id: string;
  reason: string;
  onOpened: (id: string, r: OpenedRecords[string]) => void;
  canWalkIn: boolean;
}) {
  const api = useStaffApi();
  const person = useLoad(
    async (signal) => {
      const view = await api.registrant(id, reason, signal);
      onOpened(id, { reason, fullName: view.fullName });
      return view;
    },
    [api, id, reason],
  );
  return (
    <LoadState state={person}>
      {(view) => (
        <Record person={view} id={id} reason={reason} canWalkIn={canWalkIn} />
      )}
    </LoadState>
  );
}

/** One person's record: staff say why first (every read is audited with that reason). */
export function PersonScreen({
  id,
  opened,
  onOpened,
  canWalkIn,
}: {
  id: string;
  opened: OpenedRecords;
  onOpened: (id: string, r: OpenedRecords[string]) => void;
  canWalkIn: boolean;
}) {
  const { t } = useTranslation('staff');
  const reason = opened[id]?.reason;
  return (
    <>
      <h2>{t('person.title')}</h2>
      <p>
        <Link href="/">{t('person.backToSearch')}</Link>
      </p>
      {reason ? (
        <RecordLoader
          id={id}
          reason={reason}
          onOpened={onOpened}
          canWalkIn={canWalkIn}
        />
      ) : (
        <ReasonForm onReason={(r) => onOpened(id, { reason: r })} />
      )}
    </>
  );
}
