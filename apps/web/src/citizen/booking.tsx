import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'wouter';
import { ApiError } from '../shared/api';
import { ErrorMessage, LoadState, useLoad } from '../shared/async';
import { Field } from '../shared/field';
import { formatDateTime } from '../shared/format';
import { LANGUAGE_NAMES } from '../shared/i18n';
import { useCitizenRequest, useSessions } from '../shared/session';
import type { FieldErrors } from '../shared/validate';
import { book, getCenter, listHousehold, listVaccines, type BookingChoice, type Center, type Person, type Slot, type Vaccine } from './citizen.api';
import { centerName, newIdempotencyKey } from './citizen-format';
import { useCitizenState } from './citizen-state';
import { splitServerErrors } from './form-errors';
import { CodeSignIn } from './sign-in';
import { SlotPicker } from './slot-picker';

const BOOKING_FIELDS = ['registrantId', 'doseNumber', 'slotId'] as const;

/** The center's facts: where it is, which languages its staff speak. */
export function CenterFacts({ center }: { center: Center }) {
  const { t } = useTranslation('citizen');
  return (
    <dl className="facts">
      <dt>{t('centers.address')}</dt>
      <dd>{center.address}</dd>
      <dt>{t('centers.languages')}</dt>
      <dd>
        {center.languages.map((l, i) => (
          <span key={l} lang={l}>
            {i > 0 && ', '}
            {LANGUAGE_NAMES[l]}
          </span>
        ))}
      </dd>
    </dl>
  );
}

interface BookingFormProps {
  center: Center;
  vaccines: Vaccine[];
  people: Person[];
}

function BookingForm({ center, vaccines, people }: BookingFormProps) {
  const { t, i18n } = useTranslation('citizen');
  const request = useCitizenRequest();
  const [, navigate] = useLocation();
  const { setRecent } = useCitizenState();
  const [registrantId, setRegistrantId] = useState(people[0]?.id ?? '');
  const [doseNumber, setDoseNumber] = useState(1);
  const [slot, setSlot] = useState<Slot>();
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<unknown>();
  const [slotTaken, setSlotTaken] = useState(false);
  const [reloadKey, setReloadKey] = useState(0);
  const takenAlert = useRef<HTMLDivElement>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  // One key per confirmation attempt: pressing again after a lost answer replays the same booking.
  const attempt = useRef<{ choice: string; key: string } | undefined>(undefined);

  const offered = vaccines.filter((v) => center.vaccineIds.includes(v.id));
  const slotVaccine = vaccines.find((v) => v.id === slot?.vaccineId);
  const maxDoses = slotVaccine?.seriesDoses ?? Math.max(1, ...offered.map((v) => v.seriesDoses));
  const person = people.find((p) => p.id === registrantId);

  function choose(next: Slot | undefined) {
    setSlot(next);
    setSlotTaken(false);
    setErrors((e) => ({ ...e, slotId: '' }));
  }

  function keyFor(choice: BookingChoice): string {
    const signature = JSON.stringify(choice);
    if (attempt.current?.choice !== signature) attempt.current = { choice: signature, key: newIdempotencyKey() };
    return attempt.current.key;
  }

  async function confirm() {
    setFailure(undefined);
    setSlotTaken(false);
    if (!registrantId || !slot) {
      setErrors({
        ...(registrantId ? {} : { registrantId: t('book.choosePerson') }),
        ...(slot ? {} : { slotId: t('book.chooseTime') }),
      });
      return;
    }
    const choice: BookingChoice = { registrantId, slotId: slot.id, doseNumber };
    setErrors({});
    setBusy(true);
    try {
      const appointment = await book(request, choice, keyFor(choice));
      setRecent({ appointment, outcome: 'booked' });
      navigate(`/appointments/${appointment.id}`);
    } catch (error) {
      setBusy(false);
      const fields = splitServerErrors(error, BOOKING_FIELDS).fields;
      if (error instanceof ApiError && error.status === 409 && fields['slotId']) {
        // Someone took the last place first: stay on the times, fresh from the server.
        setSlot(undefined);
        setSlotTaken(true);
        setReloadKey((k) => k + 1);
        setTimeout(() => takenAlert.current?.focus(), 0);
        return;
      }
      setErrors(fields);
      setFailure(error);
      setTimeout(() => summaryRef.current?.focus(), 0);
    }
  }

  return (
    <>
      <section aria-labelledby="who-title" className="citizen-card">
        <h2 id="who-title">{t('book.who')}</h2>
        <Field id="book-person" label={t('book.person')} error={errors['registrantId']}>
          {(aria) => (
            <select {...aria} value={registrantId} onChange={(e) => setRegistrantId(e.target.value)}>
              {people.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.fullName}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="book-dose" label={t('book.dose')} error={errors['doseNumber']}>
          {(aria) => (
            <select {...aria} value={doseNumber} onChange={(e) => setDoseNumber(Number(e.target.value))}>
              {Array.from({ length: maxDoses }, (_, i) => i + 1).map((n) => (
                <option key={n} value={n}>
                  {t('book.doseN', { n })}
                </option>
              ))}
            </select>
          )}
        </Field>
        <p>
          <Link href="/household">{t('book.manageHousehold')}</Link>
        </p>
      </section>
      <section aria-labelledby="when-title" className="citizen-card">
        <h2 id="when-title">{t('book.when')}</h2>
        {slotTaken && (
          <div ref={takenAlert} tabIndex={-1} role="alert" className="error-panel">
            <p>{t('book.slotTaken')}</p>
          </div>
        )}
        <SlotPicker
          centerId={center.id}
          timeZone={center.timeZone}
          doseNumber={doseNumber}
          selected={slot}
          onSelect={choose}
          vaccines={vaccines}
          reloadKey={reloadKey}
          error={errors['slotId'] || undefined}
        />
      </section>
      <section aria-labelledby="confirm-title" className="citizen-card">
        <h2 id="confirm-title">{t('book.confirmTitle')}</h2>
        {slot && person ? (
          <p>
            {t('book.review', {
              person: person.fullName,
              n: doseNumber,
              vaccine: slotVaccine?.name ?? '',
              when: formatDateTime(slot.startsAt, i18n.language, center.timeZone),
              zone: center.timeZone,
              center: centerName(center.names, i18n.language).text,
            })}
          </p>
        ) : (
          <p>{t('book.reviewPending')}</p>
        )}
        <div ref={summaryRef} tabIndex={-1} className="summary">
          {failure !== undefined && (
            <>
              {failure instanceof ApiError && failure.status === 422 && <p className="error">{t('book.notEligible')}</p>}
              <ErrorMessage error={failure} />
            </>
          )}
        </div>
        <button type="button" onClick={() => void confirm()} disabled={busy}>
          {busy ? t('book.busy') : t('book.submit')}
        </button>
      </section>
    </>
  );
}

/** What a signed-in household needs to book: its people (asking to add one when there is nobody yet). */
function SignedInBooking({ center, vaccines }: { center: Center; vaccines: Vaccine[] }) {
  const { t } = useTranslation('citizen');
  const request = useCitizenRequest();
  const people = useLoad((signal) => listHousehold(request, signal), [request]);
  return (
    <LoadState state={people}>
      {(list) =>
        list.length === 0 ? (
          <section className="citizen-card" aria-labelledby="nobody-title">
            <h2 id="nobody-title">{t('book.who')}</h2>
            <p>{t('book.nobody')}</p>
            <Link href="/household/add" className="button-link">
              {t('household.add')}
            </Link>
          </section>
        ) : (
          <BookingForm center={center} vaccines={vaccines} people={list} />
        )
      }
    </LoadState>
  );
}

/** One center: its free times, and the booking of one for a person of the household. */
export function BookingPage({ centerId }: { centerId: string }) {
  const { t, i18n } = useTranslation('citizen');
  const { citizen } = useSessions();
  const state = useLoad(async (signal) => {
    const [center, vaccines] = await Promise.all([getCenter(centerId, signal), listVaccines(signal)]);
    return { center, vaccines };
  }, [centerId]);
  const [preview, setPreview] = useState<Slot>();

  return (
    <LoadState state={state}>
      {({ center, vaccines }) => {
        const name = centerName(center.names, i18n.language);
        return (
          <section aria-labelledby="center-title">
            <p>
              <Link href="/centers">{t('book.backToCenters')}</Link>
            </p>
            <h1 id="center-title" tabIndex={-1} lang={name.lang}>
              {name.text}
            </h1>
            <CenterFacts center={center} />
            {citizen ? (
              <SignedInBooking center={center} vaccines={vaccines} />
            ) : (
              <>
                <section aria-labelledby="when-title" className="citizen-card">
                  <h2 id="when-title">{t('book.when')}</h2>
                  <SlotPicker centerId={center.id} timeZone={center.timeZone} doseNumber={1} selected={preview} onSelect={setPreview} vaccines={vaccines} />
                </section>
                <CodeSignIn titleLevel="h2" intro={t('book.signInIntro')} />
              </>
            )}
          </section>
        );
      }}
    </LoadState>
  );
}
