import { DOSE_SITES, recordDoseRequest, type AppointmentView, type CenterView, type DoseView, type LotView, type VaccineView } from '@jab/contracts';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { ErrorMessage, LoadState, useLoad } from '../shared/async';
import { Field } from '../shared/field';
import { formatDate, formatDateTime } from '../shared/format';
import { FieldGroup, FormProblems, useForm } from '../shared/form';
import { dayIn, useStaffApi } from './staff.api';

interface Visit {
  appointment: AppointmentView;
  vaccine: VaccineView | undefined;
  lots: LotView[];
  center: CenterView;
}

type LotState = 'ok' | 'expired' | 'recalled';
const lotState = (lot: LotView, today: string): LotState => (lot.recalled ? 'recalled' : lot.expiresOn < today ? 'expired' : 'ok');

function Recorded({ dose }: { dose: DoseView }) {
  const { t, i18n } = useTranslation('staff');
  return (
    <section aria-labelledby="staff-dose-done" className="panel ok">
      <h3 id="staff-dose-done">{t('dose.recorded')}</h3>
      <p role="status">
        {dose.seriesComplete
          ? t('dose.seriesComplete')
          : t('dose.nextDose', { date: dose.nextDoseEarliest ? formatDate(dose.nextDoseEarliest, i18n.language) : '—' })}
      </p>
      <dl className="facts">
        <dt>{t('dose.lot')}</dt>
        <dd dir="ltr">{dose.lotNumber}</dd>
        <dt>{t('dose.site')}</dt>
        <dd>{t(`sites.${dose.site}`)}</dd>
        <dt>{t('person.administeredAt')}</dt>
        <dd>{formatDateTime(dose.administeredAt, i18n.language)}</dd>
      </dl>
      <ul className="links">
        <li>
          <Link href={`/doses/${dose.id}/adverse-event`}>{t('aefi.report')}</Link>
        </li>
        <li>
          <Link href="/today">{t('dose.backToToday')}</Link>
        </li>
      </ul>
    </section>
  );
}

function DoseForm({ visit, onRecorded }: { visit: Visit; onRecorded: (dose: DoseView) => void }) {
  const { t, i18n } = useTranslation('staff');
  const api = useStaffApi();
  const { appointment, lots, center } = visit;
  const today = dayIn(center.timeZone);
  const ordered = [...lots].sort((a, b) => Number(lotState(a, today) !== 'ok') - Number(lotState(b, today) !== 'ok') || a.expiresOn.localeCompare(b.expiresOn));
  const [lotNumber, setLotNumber] = useState(ordered.find((l) => lotState(l, today) === 'ok')?.lotNumber ?? '');
  const [doseNumber, setDoseNumber] = useState(String(appointment.doseNumber));
  const [site, setSite] = useState('');
  const { errors, failure, invalid, busy, submit } = useForm();

  const chosen = lots.find((l) => l.lotNumber === lotNumber);
  const chosenState = chosen && lotState(chosen, today);
  const expires = (lot: LotView) => formatDate(lot.expiresOn, i18n.language);
  const lotHint = !chosen
    ? t('dose.lotHint')
    : chosenState === 'recalled'
      ? t('dose.lotRecalled')
      : chosenState === 'expired'
        ? t('dose.lotExpired', { date: expires(chosen) })
        : t('dose.lotExpires', { date: expires(chosen) });

  async function send(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = {
      registrantId: appointment.registrantId,
      appointmentId: appointment.id,
      vaccineId: appointment.vaccineId,
      lotNumber,
      doseNumber: Number(doseNumber),
      site: site || undefined,
      administeredAt: new Date().toISOString(),
    };
    const dose = await submit(recordDoseRequest, value, (body) => api.recordDose(body));
    if (dose) onRecorded(dose);
  }

  return (
    <form onSubmit={send} noValidate aria-labelledby="staff-dose-title">
      <h3 id="staff-dose-title">{t('dose.title')}</h3>
      <p>
        {t('dose.vaccine')}: <strong>{visit.vaccine?.name ?? appointment.vaccineId}</strong>
      </p>
      {errors['vaccineId'] && <p className="error">{errors['vaccineId']}</p>}
      <Field id="staff-lot" label={t('dose.lot')} hint={lotHint} error={errors['lotNumber']}>
        {(aria) => (
          <select {...aria} value={lotNumber} onChange={(e) => setLotNumber(e.target.value)} className={chosenState && chosenState !== 'ok' ? 'warning' : undefined}>
            {ordered.length === 0 && <option value="">{t('dose.noLots')}</option>}
            {ordered.map((lot) => {
              const state = lotState(lot, today);
              return (
                <option key={lot.id} value={lot.lotNumber}>
                  {state === 'ok'
                    ? t('dose.lotOption', { lot: lot.lotNumber, date: expires(lot) })
                    : state === 'expired'
                      ? t('dose.lotOptionExpired', { lot: lot.lotNumber, date: expires(lot) })
                      : t('dose.lotOptionRecalled', { lot: lot.lotNumber })}
                </option>
              );
            })}
          </select>
        )}
      </Field>
      <Field id="staff-dose-number" label={t('dose.doseNumber')} error={errors['doseNumber']}>
        {(aria) => <input {...aria} type="number" min={1} max={10} inputMode="numeric" value={doseNumber} onChange={(e) => setDoseNumber(e.target.value)} />}
      </Field>
      <FieldGroup id="staff-site" legend={t('dose.site')} error={errors['site']}>
        {DOSE_SITES.map((s) => (
          <label key={s} className="choice">
            <input type="radio" name="staff-site" value={s} checked={site === s} onChange={() => setSite(s)} />
            {t(`sites.${s}`)}
          </label>
        ))}
      </FieldGroup>
      {errors['registrantId'] && <p className="error">{errors['registrantId']}</p>}
      <FormProblems invalid={invalid} failure={failure} />
      <button type="submit" disabled={busy}>
        {busy ? t('status.saving', { ns: 'common' }) : t('dose.submit')}
      </button>
    </form>
  );
}

function VisitView({ visit, reload }: { visit: Visit; reload: () => void }) {
  const { t, i18n } = useTranslation('staff');
  const api = useStaffApi();
  const [dose, setDose] = useState<DoseView>();
  const [checkIn, setCheckIn] = useState<{ busy: boolean; error?: unknown }>({ busy: false });
  const { appointment, center } = visit;

  async function checkInNow() {
    setCheckIn({ busy: true });
    try {
      await api.checkIn(appointment.code);
      setCheckIn({ busy: false });
      reload();
    } catch (error) {
      setCheckIn({ busy: false, error });
    }
  }

  return (
    <>
      <dl className="facts">
        <dt>{t('checkIn.code')}</dt>
        <dd dir="ltr" className="id">
          {appointment.code}
        </dd>
        <dt>{t('today.time')}</dt>
        <dd>{formatDateTime(appointment.startsAt, i18n.language, center.timeZone)}</dd>
        <dt>{t('dose.vaccine')}</dt>
        <dd>
          {visit.vaccine?.name ?? appointment.vaccineId} · {t('dose.number', { number: appointment.doseNumber })}
        </dd>
        <dt>{t('today.status')}</dt>
        <dd data-testid="staff-visit-status">{t(`statuses.${dose ? 'completed' : appointment.status}`)}</dd>
        <dt>{t('dose.person')}</dt>
        <dd>
          <Link href={`/people/${appointment.registrantId}`}>{t('dose.openRecord')}</Link>
        </dd>
      </dl>
      {appointment.status === 'booked' && !dose && (
        <p>
          <button type="button" onClick={() => void checkInNow()} disabled={checkIn.busy}>
            {t('checkIn.submit')}
          </button>
        </p>
      )}
      {checkIn.error !== undefined && <ErrorMessage error={checkIn.error} />}
      {dose ? (
        <Recorded dose={dose} />
      ) : appointment.status === 'booked' || appointment.status === 'checked_in' ? (
        <DoseForm visit={visit} onRecorded={setDose} />
      ) : (
        <p className="notice">{t(appointment.status === 'completed' ? 'dose.alreadyDone' : 'dose.cancelled')}</p>
      )}
    </>
  );
}

/** One visit: the appointment, check-in if not yet, and the dose with its lot checked. */
export function DoseScreen({ appointmentId }: { appointmentId: string }) {
  const { t } = useTranslation('staff');
  const api = useStaffApi();
  const visit = useLoad(
    async (signal): Promise<Visit> => {
      const appointment = await api.appointment(appointmentId, signal);
      const [vaccines, lots, center] = await Promise.all([
        api.vaccines(signal),
        api.lots(appointment.vaccineId, signal),
        api.center(appointment.centerId, signal),
      ]);
      return { appointment, vaccine: vaccines.find((v) => v.id === appointment.vaccineId), lots, center };
    },
    [api, appointmentId],
  );
  return (
    <>
      <h2>{t('dose.visitTitle')}</h2>
      <LoadState state={visit}>{(v) => <VisitView visit={v} reload={visit.reload} />}</LoadState>
    </>
  );
}
