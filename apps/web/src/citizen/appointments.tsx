import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'wouter';
import { ApiError } from '../shared/api';
import { ErrorMessage, LoadState, useLoad } from '../shared/async';
import { formatDateTime } from '../shared/format';
import { useCitizenRequest, type AuthedRequest } from '../shared/session';
import {
  cancelAppointment,
  getAppointment,
  getCenter,
  listAppointments,
  listHousehold,
  listVaccines,
  rescheduleAppointment,
  type Appointment,
  type Center,
  type Person,
  type Slot,
  type Vaccine,
} from './citizen.api';
import { centerName } from './citizen-format';
import { useCitizenState, type AppointmentOutcome } from './citizen-state';
import { SlotPicker } from './slot-picker';

interface Context {
  centers: Record<string, Center>;
  vaccines: Vaccine[];
  people: Person[];
}

/** Centers (by id), vaccines and the household: what turns ids on an appointment into words. */
async function loadContext(request: AuthedRequest, centerIds: string[], signal: AbortSignal): Promise<Context> {
  const [centers, vaccines, people] = await Promise.all([
    Promise.all([...new Set(centerIds)].map((id) => getCenter(id, signal))),
    listVaccines(signal),
    listHousehold(request, signal),
  ]);
  return { centers: Object.fromEntries(centers.map((c) => [c.id, c])), vaccines, people };
}

function useDescribe(context: Context) {
  const { i18n } = useTranslation('citizen');
  return (a: Appointment) => {
    const center = context.centers[a.centerId];
    return {
      person: context.people.find((p) => p.id === a.registrantId)?.fullName ?? '',
      vaccine: context.vaccines.find((v) => v.id === a.vaccineId)?.name ?? '',
      center: center ? centerName(center.names, i18n.language) : { text: '', lang: i18n.language },
      address: center?.address ?? '',
      timeZone: center?.timeZone,
      when: formatDateTime(a.startsAt, i18n.language, center?.timeZone),
    };
  };
}

const ACTIVE = ['booked', 'checked_in'];

/** The household's appointments: coming ones first, in time order; then the rest, newest first. */
export function AppointmentsPage() {
  const { t } = useTranslation('citizen');
  const request = useCitizenRequest();
  const state = useLoad(async (signal) => {
    const appointments = await listAppointments(request, signal);
    return { appointments, context: await loadContext(request, appointments.map((a) => a.centerId), signal) };
  }, [request]);
  return (
    <section aria-labelledby="appointments-title">
      <h1 id="appointments-title" tabIndex={-1}>
        {t('appointments.title')}
      </h1>
      <p>
        <Link href="/centers" className="button-link">
          {t('appointments.book')}
        </Link>
      </p>
      <LoadState state={state}>{({ appointments, context }) => <AppointmentList appointments={appointments} context={context} />}</LoadState>
    </section>
  );
}

function AppointmentList({ appointments, context }: { appointments: Appointment[]; context: Context }) {
  const { t } = useTranslation('citizen');
  const describe = useDescribe(context);
  if (appointments.length === 0) return <p>{t('appointments.none')}</p>;
  const coming = appointments.filter((a) => ACTIVE.includes(a.status)).sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  const past = appointments.filter((a) => !ACTIVE.includes(a.status)).sort((a, b) => b.startsAt.localeCompare(a.startsAt));
  return (
    <ul className="card-list" aria-labelledby="appointments-title">
      {[...coming, ...past].map((a) => {
        const d = describe(a);
        return (
          <li key={a.id} className={`appointment appointment-${a.status}`}>
            <h2 className="card-title">{d.person}</h2>
            <dl className="facts">
              <dt>{t('appointment.when')}</dt>
              <dd>{d.when}</dd>
              <dt>{t('appointment.center')}</dt>
              <dd lang={d.center.lang}>{d.center.text}</dd>
              <dt>{t('appointment.vaccine')}</dt>
              <dd>{t('appointment.vaccineDose', { vaccine: d.vaccine, n: a.doseNumber })}</dd>
              <dt>{t('appointment.status')}</dt>
              <dd>
                <strong className={`status status-${a.status}`}>{t(`appointmentStatuses.${a.status}`)}</strong>
              </dd>
              <dt>{t('appointment.code')}</dt>
              <dd>
                <bdi className="code-inline">{a.code}</bdi>
              </dd>
            </dl>
            <Link href={`/appointments/${a.id}`} aria-label={t('appointments.detailsOf', { person: d.person, when: d.when })}>
              {t('appointments.details')}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}

const TITLES: Record<AppointmentOutcome | 'none', string> = {
  booked: 'appointment.bookedTitle',
  moved: 'appointment.movedTitle',
  cancelled: 'appointment.cancelledTitle',
  none: 'appointment.title',
};

function AppointmentDetail({ initial, outcome: initialOutcome, context }: { initial: Appointment; outcome: AppointmentOutcome | undefined; context: Context }) {
  const { t } = useTranslation('citizen');
  const request = useCitizenRequest();
  const [appointment, setAppointment] = useState(initial);
  const [outcome, setOutcome] = useState(initialOutcome);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>();
  const [announce, setAnnounce] = useState('');
  const confirmTitle = useRef<HTMLHeadingElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const cancelButton = useRef<HTMLButtonElement>(null);
  const d = useDescribe(context)(appointment);

  async function cancel() {
    setBusy(true);
    setFailure(undefined);
    try {
      const cancelled = await cancelAppointment(request, appointment.id);
      setAppointment(cancelled);
      setOutcome('cancelled');
      setConfirming(false);
      setAnnounce(t('appointment.cancelledNotice'));
      setTimeout(() => heading.current?.focus(), 0);
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="appointment-title">
      <h1 id="appointment-title" tabIndex={-1} ref={heading}>
        {t(TITLES[outcome ?? 'none'])}
      </h1>
      <p role="status">{announce}</p>
      <div className="citizen-card code-card">
        <p className="code-label">
          {t('appointment.code')}
        </p>
        <p className="appointment-code" data-testid="appointment-code">
          <bdi>{appointment.code}</bdi>
        </p>
        {appointment.status === 'booked' && <p>{t('appointment.showCode')}</p>}
      </div>
      <dl className="facts citizen-card">
        <dt>{t('appointment.person')}</dt>
        <dd>{d.person}</dd>
        <dt>{t('appointment.vaccine')}</dt>
        <dd>{t('appointment.vaccineDose', { vaccine: d.vaccine, n: appointment.doseNumber })}</dd>
        <dt>{t('appointment.when')}</dt>
        <dd>
          <time dateTime={appointment.startsAt}>{d.when}</time>
          <br />
          <span className="muted">{t('appointment.localTime', { zone: d.timeZone ?? '' })}</span>
        </dd>
        <dt>{t('appointment.center')}</dt>
        <dd lang={d.center.lang}>{d.center.text}</dd>
        <dt>{t('appointment.address')}</dt>
        <dd>{d.address}</dd>
        <dt>{t('appointment.status')}</dt>
        <dd>
          <strong className={`status status-${appointment.status}`}>{t(`appointmentStatuses.${appointment.status}`)}</strong>
        </dd>
      </dl>
      {failure !== undefined && <ErrorMessage error={failure} />}
      {appointment.status === 'booked' &&
        (confirming ? (
          <section aria-labelledby="cancel-confirm-title" className="citizen-card confirm-box">
            <h2 id="cancel-confirm-title" tabIndex={-1} ref={confirmTitle}>
              {t('appointment.cancelQuestion')}
            </h2>
            <p>{t('appointment.cancelExplain', { when: d.when })}</p>
            <div className="actions">
              <button type="button" className="danger" disabled={busy} onClick={() => void cancel()}>
                {busy ? t('appointment.cancelling') : t('appointment.cancelYes')}
              </button>
              <button
                type="button"
                className="secondary"
                disabled={busy}
                onClick={() => {
                  setConfirming(false);
                  setTimeout(() => cancelButton.current?.focus(), 0);
                }}
              >
                {t('appointment.cancelNo')}
              </button>
            </div>
          </section>
        ) : (
          <div className="actions">
            <Link href={`/appointments/${appointment.id}/reschedule`} className="button-link">
              {t('appointment.reschedule')}
            </Link>
            <button
              type="button"
              ref={cancelButton}
              className="secondary"
              onClick={() => {
                setConfirming(true);
                setTimeout(() => confirmTitle.current?.focus(), 0);
              }}
            >
              {t('appointment.cancel')}
            </button>
          </div>
        ))}
      <p>
        <Link href="/appointments">{t('appointment.all')}</Link>
      </p>
    </section>
  );
}

/** One appointment: its code to show at the center, where and when (the center's local time); cancel or move it. */
export function AppointmentPage({ id }: { id: string }) {
  const request = useCitizenRequest();
  const { recent, setRecent } = useCitizenState();
  // What was just booked or moved is shown once without another request; later visits read it afresh.
  const [known] = useState(() => (recent?.appointment.id === id ? recent : undefined));
  useEffect(() => {
    if (known) setRecent(undefined);
  }, [known, setRecent]);
  const state = useLoad(async (signal) => {
    const appointment = known?.appointment ?? (await getAppointment(request, id, signal));
    return { appointment, context: await loadContext(request, [appointment.centerId], signal) };
  }, [id, request]);
  return (
    <LoadState state={state}>
      {({ appointment, context }) => (
        <AppointmentDetail key={appointment.id} initial={appointment} outcome={known?.outcome === 'cancelled' ? undefined : known?.outcome} context={context} />
      )}
    </LoadState>
  );
}

function RescheduleForm({ appointment, context }: { appointment: Appointment; context: Context }) {
  const { t } = useTranslation('citizen');
  const request = useCitizenRequest();
  const [, navigate] = useLocation();
  const { setRecent } = useCitizenState();
  const [slot, setSlot] = useState<Slot>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>();
  const [slotError, setSlotError] = useState<string>();
  const [taken, setTaken] = useState(false);
  const [reloadKey, setReloadKey] = useState(0);
  const takenAlert = useRef<HTMLDivElement>(null);
  const center = context.centers[appointment.centerId];
  const d = useDescribe(context)(appointment);

  async function move() {
    setFailure(undefined);
    setTaken(false);
    if (!slot) {
      setSlotError(t('book.chooseTime'));
      return;
    }
    setSlotError(undefined);
    setBusy(true);
    try {
      const moved = await rescheduleAppointment(request, appointment.id, slot.id);
      setRecent({ appointment: moved, outcome: 'moved' });
      navigate(`/appointments/${appointment.id}`);
    } catch (error) {
      setBusy(false);
      if (error instanceof ApiError && error.status === 409 && error.byField()['slotId']) {
        // The new time filled up first; nothing changed on the server.
        setSlot(undefined);
        setTaken(true);
        setReloadKey((k) => k + 1);
        setTimeout(() => takenAlert.current?.focus(), 0);
        return;
      }
      setSlotError(error instanceof ApiError ? error.byField()['slotId'] : undefined);
      setFailure(error);
    }
  }

  if (!center) return null;
  if (appointment.status !== 'booked')
    return (
      <section aria-labelledby="reschedule-title">
        <h1 id="reschedule-title" tabIndex={-1}>
          {t('reschedule.title')}
        </h1>
        <p>{t('reschedule.notBooked', { status: t(`appointmentStatuses.${appointment.status}`) })}</p>
        <Link href="/appointments">{t('appointment.all')}</Link>
      </section>
    );
  return (
    <section aria-labelledby="reschedule-title">
      <h1 id="reschedule-title" tabIndex={-1}>
        {t('reschedule.title')}
      </h1>
      <p>{t('reschedule.current', { person: d.person, when: d.when, center: d.center.text })}</p>
      <div className="citizen-card">
        {taken && (
          <div ref={takenAlert} tabIndex={-1} role="alert" className="error-panel">
            <p>{t('book.slotTaken')}</p>
          </div>
        )}
        <SlotPicker
          centerId={center.id}
          timeZone={center.timeZone}
          doseNumber={appointment.doseNumber}
          selected={slot}
          onSelect={(s) => {
            setSlot(s);
            setTaken(false);
            setSlotError(undefined);
          }}
          vaccines={context.vaccines}
          vaccineId={appointment.vaccineId}
          currentSlotId={appointment.slotId}
          reloadKey={reloadKey}
          error={slotError}
        />
      </div>
      {failure !== undefined && <ErrorMessage error={failure} />}
      <div className="actions">
        <button type="button" disabled={busy} onClick={() => void move()}>
          {busy ? t('reschedule.busy') : t('reschedule.submit')}
        </button>
        <Link href={`/appointments/${appointment.id}`}>{t('reschedule.keep')}</Link>
      </div>
    </section>
  );
}

/** Moves an appointment to another time at the same center; the server moves it atomically or not at all. */
export function ReschedulePage({ id }: { id: string }) {
  const request = useCitizenRequest();
  const state = useLoad(async (signal) => {
    const appointment = await getAppointment(request, id, signal);
    return { appointment, context: await loadContext(request, [appointment.centerId], signal) };
  }, [id, request]);
  return <LoadState state={state}>{({ appointment, context }) => <RescheduleForm appointment={appointment} context={context} />}</LoadState>;
}
