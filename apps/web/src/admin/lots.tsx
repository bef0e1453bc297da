import {
  recallLotRequest,
  type LotView,
  type VaccineView,
} from '@jab/contracts';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { LoadState, useLoad } from '../shared/async';
import { Field } from '../shared/field';
import { formatDate, formatDateTime } from '../shared/format';
import { useAdminApi } from './admin.api';
import { FormProblems, useForm } from '../shared/form';

/** The confirmation step: recalling is final, so the admin says why and confirms. */
function ConfirmRecall({
  lot,
  vaccine,
  onDone,
  onCancel,
}: {
  lot: LotView;
  vaccine: string;
  onDone: (lot: LotView) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation('admin');
  const api = useAdminApi();
  const [reason, setReason] = useState('');
  const { errors, failure, invalid, busy, submit } = useForm();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  async function send(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const done = await submit(recallLotRequest, { reason }, (body) =>
      api.recallLot(lot.id, body.reason),
    );
    if (done) onDone(done);
  }

  return (
    <form
      onSubmit={send}
      noValidate
      aria-labelledby="recall-title"
      className="panel warning"
    >
      <h3 id="recall-title" tabIndex={-1} ref={heading}>
        {t('lots.confirmTitle', { lot: lot.lotNumber })}
      </h3>
      <p>{t('lots.confirmText', { lot: lot.lotNumber, vaccine })}</p>
      <Field
        id="recall-reason"
        label={t('lots.reason')}
        hint={t('lots.reasonHint')}
        error={errors['reason']}
      >
        {(aria) => (
          <textarea
            {...aria}
            rows={3}
            maxLength={500}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        )}
      </Field>
      <FormProblems invalid={invalid} failure={failure} />
      <div className="button-row">
        <button type="submit" className="danger" disabled={busy}>
          {busy
            ? t('status.saving', { ns: 'common' })
            : t('lots.confirm', { lot: lot.lotNumber })}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          {t('actions.cancel', { ns: 'common' })}
        </button>
      </div>
    </form>
  );
}

function LotTable({
  lots,
  vaccines,
  reload,
}: {
  lots: LotView[];
  vaccines: VaccineView[];
  reload: () => void;
}) {
  const { t, i18n } = useTranslation('admin');
  const [recalling, setRecalling] = useState<LotView>();
  const [done, setDone] = useState<LotView>();
  const vaccineName = (id: string) =>
    vaccines.find((v) => v.id === id)?.name ?? id;
  const today = new Date().toISOString().slice(0, 10);
  const status = (lot: LotView) =>
    lot.recalled
      ? t('lots.recalledOn', {
          date: lot.recalledAt
            ? formatDateTime(lot.recalledAt, i18n.language)
            : '—',
        })
      : lot.expiresOn < today
        ? t('lots.expired')
        : t('lots.usable');

  return (
    <>
      <p role="status">
        {done ? t('lots.recalledDone', { lot: done.lotNumber }) : ''}
      </p>
      {lots.length === 0 ? (
        <p>{t('lots.none')}</p>
      ) : (
        <div className="table-wrap" tabIndex={0}>
          <table>
            <caption>{t('lots.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('lots.lot')}</th>
                <th scope="col">{t('lots.vaccine')}</th>
                <th scope="col">{t('lots.expires')}</th>
                <th scope="col">{t('lots.status')}</th>
                <th scope="col">{t('lots.action')}</th>
              </tr>
            </thead>
            <tbody>
              {lots.map((lot) => (
                <tr key={lot.id}>
                  <th scope="row" dir="ltr">
                    {lot.lotNumber}
                  </th>
                  <td>{vaccineName(lot.vaccineId)}</td>
                  <td>{formatDate(lot.expiresOn, i18n.language)}</td>
                  <td>
                    {status(lot)}
                    {lot.recallReason && (
                      <span className="hint"> — {lot.recallReason}</span>
                    )}
                  </td>
                  <td>
                    {!lot.recalled && (
                      <button
                        type="button"
                        className="small danger"
                        onClick={() => {
                          setDone(undefined);
                          setRecalling(lot);
                        }}
                      >
                        {t('lots.recall', { lot: lot.lotNumber })}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {recalling && (
        <ConfirmRecall
          key={recalling.id}
          lot={recalling}
          vaccine={vaccineName(recalling.vaccineId)}
          onCancel={() => setRecalling(undefined)}
          onDone={(lot) => {
            setRecalling(undefined);
            setDone(lot);
            reload();
          }}
        />
      )}
    </>
  );
}

/** Vaccine lots, and recalling one: the services then refuse it and notify whom it reached. */
export function LotsScreen() {
  const { t } = useTranslation('admin');
  const api = useAdminApi();
  const data = useLoad(
    async (signal) => {
      const [lots, vaccines] = await Promise.all([
        api.lots(signal),
        api.vaccines(signal),
      ]);
      return { lots, vaccines };
    },
    [api],
  );
  return (
    <>
      <h2>{t('lots.title')}</h2>
      <LoadState state={data}>
        {(d) => (
          <LotTable lots={d.lots} vaccines={d.vaccines} reload={data.reload} />
        )}
      </LoadState>
    </>
  );
}
