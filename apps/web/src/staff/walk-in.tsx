import { bookAppointmentRequest, type AvailabilityView, type CenterView, type VaccineView } from '@jab/contracts';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'wouter';
import { LoadState, useLoad } from '../shared/async';
import { Field } from '../shared/field';
import { formatDate, formatTime } from '../shared/format';
import { FieldGroup, FormProblems, useForm } from '../shared/form';
import { dayIn, useStaffApi } from './staff.api';

interface Day {
  center: CenterView;
  availability: AvailabilityView;
  vaccines: VaccineView[];
}

function WalkInForm({ registrantId, day }: { registrantId: string; day: Day }) {
  const { t, i18n } = useTranslation('staff');
  const api = useStaffApi();
  const [, navigate] = useLocation();
  const now = Date.now();
  // Only slots still running or to come today, with a walk-in seat left.
  const open = day.availability.slots.filter((s) => s.remaining.walkIn > 0 && Date.parse(s.endsAt) > now);
  const [slotId, setSlotId] = useState(open[0]?.id ?? '');
  const [doseNumber, setDoseNumber] = useState('1');
  const { errors, failure, invalid, busy, submit } = useForm();
  const vaccineName = (id: string) => day.vaccines.find((v) => v.id === id)?.name ?? id;

  async function send(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const done = await submit(bookAppointmentRequest, { registrantId, slotId, doseNumber: Number(doseNumber) }, (body) => api.walkIn(body));
    if (done) navigate(`/visits/${done.id}`);
  }

  if (open.length === 0) return <p className="notice">{t('walkIn.noSeats')}</p>;
  return (
    <form onSubmit={send} noValidate aria-labelledby="staff-walk-in-form">
      <h3 id="staff-walk-in-form" className="visually-hidden">
        {t('walkIn.title')}
      </h3>
      <FieldGroup id="staff-slot" legend={t('walkIn.slot')} error={errors['slotId']}>
        {open.map((s) => (
          <label key={s.id} className="choice">
            <input type="radio" name="staff-slot" value={s.id} checked={slotId === s.id} onChange={() => setSlotId(s.id)} />
            {t('walkIn.slotOption', {
              time: formatTime(s.startsAt, i18n.language, day.availability.timeZone),
              vaccine: vaccineName(s.vaccineId),
              count: s.remaining.walkIn,
            })}
          </label>
        ))}
      </FieldGroup>
      <Field id="staff-walk-in-dose" label={t('dose.doseNumber')} error={errors['doseNumber']}>
        {(aria) => <input {...aria} type="number" min={1} max={10} inputMode="numeric" value={doseNumber} onChange={(e) => setDoseNumber(e.target.value)} />}
      </Field>
      {errors['registrantId'] && <p className="error">{errors['registrantId']}</p>}
      <FormProblems invalid={invalid} failure={failure} />
      <button type="submit" disabled={busy}>
        {busy ? t('status.saving', { ns: 'common' }) : t('walkIn.submit')}
      </button>
    </form>
  );
}

/** A person who came without a booking: a seat from today's walk-in quota, checked in at once. */
export function WalkInScreen({ registrantId, name, centerId }: { registrantId: string; name?: string; centerId?: string }) {
  const { t, i18n } = useTranslation('staff');
  const api = useStaffApi();
  const day = useLoad(
    async (signal): Promise<Day | null> => {
      if (!centerId) return null;
      const center = await api.center(centerId, signal);
      const [availability, vaccines] = await Promise.all([api.availability(centerId, dayIn(center.timeZone), signal), api.vaccines(signal)]);
      return { center, availability, vaccines };
    },
    [api, centerId],
  );
  return (
    <>
      <h2>{t('walkIn.title')}</h2>
      <p>{name ? t('walkIn.for', { name }) : t('walkIn.forRecord', { id: registrantId })}</p>
      <p>
        <Link href={`/people/${registrantId}`}>{t('walkIn.back')}</Link>
      </p>
      {!centerId ? (
        <p className="notice">{t('today.noCenter')}</p>
      ) : (
        <LoadState state={day}>
          {(d) =>
            d && (
              <>
                <p>{t('today.where', { center: d.center.names[i18n.language] ?? d.center.names['en'] ?? '', date: formatDate(d.availability.date, i18n.language) })}</p>
                <WalkInForm registrantId={registrantId} day={d} />
              </>
            )
          }
        </LoadState>
      )}
    </>
  );
}
