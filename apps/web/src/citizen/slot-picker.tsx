import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../shared/async';
import { Field } from '../shared/field';
import { formatDate, formatTime } from '../shared/format';
import type { Slot, Vaccine } from './citizen.api';
import { addDays, localToday, seatsFor } from './citizen-format';
import { useLiveAvailability } from './live-availability';

interface SlotPickerProps {
  centerId: string;
  timeZone: string;
  doseNumber: number;
  selected: Slot | undefined;
  onSelect: (slot: Slot | undefined) => void;
  vaccines: Vaccine[];
  /** Only slots of this vaccine (a reschedule keeps the vaccine). */
  vaccineId?: string;
  /** The slot the appointment is in now (a reschedule cannot pick it). */
  currentSlotId?: string;
  /** Changing it asks the server again, past every cache (after a slot turned out to be full). */
  reloadKey?: number;
  error?: string;
}

/**
 * A day, then one of its times, in the center's time zone, with the places left for the
 * dose, kept live: a seat someone else takes leaves the list as it happens.
 */
export function SlotPicker({ centerId, timeZone, doseNumber, selected, onSelect, vaccines, vaccineId, currentSlotId, reloadKey = 0, error }: SlotPickerProps) {
  const { t, i18n } = useTranslation('citizen');
  const today = localToday(timeZone);
  const [date, setDate] = useState(today);
  const state = useLiveAvailability(centerId, date, reloadKey);
  const [taken, setTaken] = useState(false);
  const now = Date.now();
  // Times already begun are of no use to anyone: only the ones still ahead are shown.
  const slots = (state.data?.date === date ? state.data.slots : []).filter(
    (s) => (!vaccineId || s.vaccineId === vaccineId) && Date.parse(s.startsAt) > now,
  );
  const bookable = (s: Slot) => s.id !== currentSlotId && seatsFor(s, doseNumber) > 0;
  const open = slots.filter(bookable);
  const severalVaccines = new Set(slots.map((s) => s.vaccineId)).size > 1;
  const day = formatDate(date, i18n.language);
  // The chosen time was taken by someone else meanwhile: let go of it, and say so.
  const selectedGone = selected !== undefined && state.data?.date === date && !open.some((s) => s.id === selected.id);
  useEffect(() => {
    if (!selectedGone) return;
    setTaken(true);
    onSelect(undefined);
  }, [selectedGone, onSelect]);

  function changeDate(next: string) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(next)) return;
    setDate(next < today ? today : next);
    setTaken(false);
    onSelect(undefined);
  }

  return (
    <div className="slot-picker">
      <div className="day-picker">
        <Field id={`day-${centerId}`} label={t('slots.day')}>
          {(aria) => <input {...aria} type="date" min={today} value={date} onChange={(e) => changeDate(e.target.value)} />}
        </Field>
        <div className="actions">
          <button type="button" className="secondary" disabled={date <= today} onClick={() => changeDate(addDays(date, -1))}>
            {t('slots.previousDay')}
          </button>
          <button type="button" className="secondary" onClick={() => changeDate(addDays(date, 1))}>
            {t('slots.nextDay')}
          </button>
        </div>
      </div>
      {taken && !error && <p className="notice">{t('slots.justTaken')}</p>}
      <p role="status">
        {state.loading ? t('slots.loading') : state.data ? (open.length === 0 ? t('slots.noneFree', { day }) : t('slots.free', { count: open.length, day })) : ''}
      </p>
      {state.error !== undefined && <ErrorMessage error={state.error} onRetry={state.reload} />}
      {slots.length > 0 && (
        <fieldset className="field times" aria-describedby={error ? `times-${centerId}-error` : `times-${centerId}-hint`}>
          <legend>{t('slots.time')}</legend>
          <p id={`times-${centerId}-hint`} className="hint">
            {t('slots.zone', { zone: timeZone })}
          </p>
          <div className="time-grid">
            {slots.map((s) => {
              const seats = seatsFor(s, doseNumber);
              const usable = bookable(s);
              const vaccine = severalVaccines ? vaccines.find((v) => v.id === s.vaccineId)?.name : undefined;
              return (
                <label key={s.id} className={`time${usable ? '' : ' time-unavailable'}`}>
                  <input
                    type="radio"
                    name={`slot-${centerId}`}
                    value={s.id}
                    disabled={!usable}
                    checked={selected?.id === s.id}
                    onChange={() => {
                      setTaken(false);
                      onSelect(s);
                    }}
                  />
                  <span>
                    <strong>{formatTime(s.startsAt, i18n.language, timeZone)}</strong>
                    {vaccine && <> · {vaccine}</>}
                    <br />
                    <span className="muted">
                      {s.id === currentSlotId
                        ? t('slots.current')
                        : seats === 0
                            ? t('slots.full')
                            : t('slots.seats', { count: seats })}
                    </span>
                  </span>
                </label>
              );
            })}
          </div>
          {error && (
            <p id={`times-${centerId}-error`} className="error">
              {error}
            </p>
          )}
        </fieldset>
      )}
    </div>
  );
}
