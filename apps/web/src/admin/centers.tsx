import { createCenterRequest, LANGUAGES, WEEKDAYS, type CenterView, type VaccineView } from '@jab/contracts';
import { memo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { LoadState, useLoad } from '../shared/async';
import { Field } from '../shared/field';
import { useAdminApi } from './admin.api';
import { FieldGroup, FormProblems, useForm } from '../shared/form';

type Weekday = (typeof WEEKDAYS)[number];
type Language = (typeof LANGUAGES)[number];

interface Hours {
  open: boolean;
  opens: string;
  closes: string;
}

const WORKWEEK: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];

function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return [];
  }
}

/** IANA zones matching what was typed, as suggestions (a short list: there are over 400). */
const TimeZoneList = memo(function TimeZoneList({ id, typed }: { id: string; typed: string }) {
  const needle = typed.trim().toLowerCase().replace(/\s+/g, '_');
  const matches = needle.length < 2 ? [] : timeZones().filter((z) => z.toLowerCase().includes(needle)).slice(0, 30);
  return (
    <datalist id={id}>
      {matches.map((z) => (
        <option key={z} value={z} />
      ))}
    </datalist>
  );
});

function CenterForm({ vaccines, onCreated }: { vaccines: VaccineView[]; onCreated: (c: CenterView) => void }) {
  const { t } = useTranslation('admin');
  const api = useAdminApi();
  const [names, setNames] = useState<Record<Language, string>>({ en: '', es: '', fr: '', hi: '', ar: '' });
  const [address, setAddress] = useState('');
  const [region, setRegion] = useState('');
  const [latitude, setLatitude] = useState('');
  const [longitude, setLongitude] = useState('');
  const [languages, setLanguages] = useState<Language[]>([]);
  const [vaccineIds, setVaccineIds] = useState<string[]>([]);
  const [timeZone, setTimeZone] = useState('');
  const [hours, setHours] = useState<Record<Weekday, Hours>>(
    () => Object.fromEntries(WEEKDAYS.map((d) => [d, { open: WORKWEEK.includes(d), opens: '09:00', closes: '17:00' }])) as Record<Weekday, Hours>,
  );
  const { errors, failure, invalid, busy, submit } = useForm();

  const openDays = WEEKDAYS.filter((d) => hours[d].open);
  /** The schema's errors name the index in the list sent: map it back to the weekday. */
  const hoursError = (day: Weekday, field: 'opens' | 'closes') => {
    const index = openDays.indexOf(day);
    return index < 0 ? undefined : errors[`openingHours.${index}.${field}`];
  };
  const toggle = <T,>(list: T[], value: T) => (list.includes(value) ? list.filter((v) => v !== value) : [...list, value]);
  const number = (s: string) => (s.trim() === '' ? undefined : Number(s.replace(',', '.')));

  async function send(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = {
      names: Object.fromEntries(Object.entries(names).filter(([, v]) => v.trim() !== '')),
      address,
      region: region.trim().toUpperCase(),
      latitude: number(latitude),
      longitude: number(longitude),
      languages,
      vaccineIds,
      timeZone: timeZone.trim(),
      openingHours: openDays.map((day) => ({ day, opens: hours[day].opens, closes: hours[day].closes })),
    };
    const created = await submit(createCenterRequest, value, (body) => api.createCenter(body));
    if (created) onCreated(created);
  }

  return (
    <form onSubmit={send} noValidate aria-labelledby="center-form-title">
      <h3 id="center-form-title">{t('centers.formTitle')}</h3>
      <FieldGroup id="center-names" legend={t('centers.names')} hint={t('centers.namesHint')} error={errors['names']}>
        {LANGUAGES.map((lng) => (
          <Field key={lng} id={`center-name-${lng}`} label={t(`centers.nameIn.${lng}`)} error={errors[`names.${lng}`]}>
            {(aria) => (
              <input {...aria} lang={lng} dir={lng === 'ar' ? 'rtl' : 'auto'} value={names[lng]} onChange={(e) => setNames((n) => ({ ...n, [lng]: e.target.value }))} />
            )}
          </Field>
        ))}
      </FieldGroup>
      <Field id="center-address" label={t('centers.address')} error={errors['address']}>
        {(aria) => <input {...aria} value={address} onChange={(e) => setAddress(e.target.value)} autoComplete="street-address" />}
      </Field>
      <div className="admin-row">
        <Field id="center-region" label={t('centers.region')} hint={t('centers.regionHint')} error={errors['region']}>
          {(aria) => <input {...aria} value={region} onChange={(e) => setRegion(e.target.value)} autoComplete="off" />}
        </Field>
        <Field id="center-time-zone" label={t('centers.timeZone')} hint={t('centers.timeZoneHint')} error={errors['timeZone']}>
          {(aria) => <input {...aria} list="center-time-zones" value={timeZone} onChange={(e) => setTimeZone(e.target.value)} autoComplete="off" />}
        </Field>
        <TimeZoneList id="center-time-zones" typed={timeZone} />
      </div>
      <div className="admin-row">
        <Field id="center-latitude" label={t('centers.latitude')} error={errors['latitude']}>
          {(aria) => <input {...aria} inputMode="decimal" value={latitude} onChange={(e) => setLatitude(e.target.value)} />}
        </Field>
        <Field id="center-longitude" label={t('centers.longitude')} error={errors['longitude']}>
          {(aria) => <input {...aria} inputMode="decimal" value={longitude} onChange={(e) => setLongitude(e.target.value)} />}
        </Field>
      </div>
      <FieldGroup id="center-languages" legend={t('centers.languages')} error={errors['languages']}>
        {LANGUAGES.map((lng) => (
          <label key={lng} className="choice">
            <input type="checkbox" checked={languages.includes(lng)} onChange={() => setLanguages((l) => toggle(l, lng))} />
            {t(`languages.${lng}`)}
          </label>
        ))}
      </FieldGroup>
      <FieldGroup id="center-vaccines" legend={t('centers.vaccines')} error={errors['vaccineIds']}>
        {vaccines.length === 0 && <p>{t('centers.noVaccines')}</p>}
        {vaccines.map((v) => (
          <label key={v.id} className="choice">
            <input type="checkbox" checked={vaccineIds.includes(v.id)} onChange={() => setVaccineIds((l) => toggle(l, v.id))} />
            {v.name}
          </label>
        ))}
      </FieldGroup>
      <FieldGroup id="center-hours" legend={t('centers.hours')} hint={t('centers.hoursHint')} error={errors['openingHours']}>
        <div className="hours">
          {WEEKDAYS.map((day) => (
            <div key={day} className="hours-day">
              <label className="choice">
                <input type="checkbox" checked={hours[day].open} onChange={(e) => setHours((h) => ({ ...h, [day]: { ...h[day], open: e.target.checked } }))} />
                {t(`weekdays.${day}`)}
              </label>
              {hours[day].open && (
                <>
                  <Field id={`center-opens-${day}`} label={t('centers.opens', { day: t(`weekdays.${day}`) })} error={hoursError(day, 'opens')}>
                    {(aria) => <input {...aria} type="time" value={hours[day].opens} onChange={(e) => setHours((h) => ({ ...h, [day]: { ...h[day], opens: e.target.value } }))} />}
                  </Field>
                  <Field id={`center-closes-${day}`} label={t('centers.closes', { day: t(`weekdays.${day}`) })} error={hoursError(day, 'closes')}>
                    {(aria) => <input {...aria} type="time" value={hours[day].closes} onChange={(e) => setHours((h) => ({ ...h, [day]: { ...h[day], closes: e.target.value } }))} />}
                  </Field>
                </>
              )}
            </div>
          ))}
        </div>
      </FieldGroup>
      <FormProblems invalid={invalid} failure={failure} />
      <button type="submit" disabled={busy}>
        {busy ? t('status.saving', { ns: 'common' }) : t('centers.submit')}
      </button>
    </form>
  );
}

function Created({ center, onAnother }: { center: CenterView; onAnother: () => void }) {
  const { t, i18n } = useTranslation('admin');
  const name = center.names[i18n.language] ?? center.names['en'] ?? '';
  return (
    <section aria-labelledby="center-created" className="panel ok">
      <h3 id="center-created">{t('centers.created')}</h3>
      <p role="status">{t('centers.createdDetail', { name, region: center.region })}</p>
      <p>
        {t('centers.id')}: <span className="id" data-testid="center-id">{center.id}</span>
      </p>
      <ul className="links">
        <li>
          <Link href="/sessions">{t('centers.addSessions')}</Link>
        </li>
        <li>
          <button type="button" className="link-button" onClick={onAnother}>
            {t('centers.another')}
          </button>
        </li>
      </ul>
    </section>
  );
}

/** A new vaccination center: names in several languages, where, what, and when it opens. */
export function CenterScreen({ onCreated }: { onCreated: (id: string) => void }) {
  const { t } = useTranslation('admin');
  const api = useAdminApi();
  const vaccines = useLoad((signal) => api.vaccines(signal), [api]);
  const [created, setCreated] = useState<CenterView>();
  return (
    <>
      <h2>{t('centers.title')}</h2>
      {created ? (
        <Created center={created} onAnother={() => setCreated(undefined)} />
      ) : (
        <LoadState state={vaccines}>
          {(list) => (
            <CenterForm
              vaccines={list}
              onCreated={(c) => {
                setCreated(c);
                onCreated(c.id);
              }}
            />
          )}
        </LoadState>
      )}
    </>
  );
}
