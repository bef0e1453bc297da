import { useTranslation } from 'react-i18next';
import { Field } from '../shared/field';
import { LANGUAGE_NAMES } from '../shared/i18n';
import type { FieldErrors } from '../shared/validate';
import { LANGUAGES, type Language } from './citizen.api';

export const SEXES = ['unknown', 'female', 'male', 'other'] as const;
export type Sex = (typeof SEXES)[number];

export interface PersonValues {
  fullName: string;
  birthDate: string;
  region: string;
  preferredLanguage: Language;
  sex: Sex;
}

export const PERSON_FIELDS = ['fullName', 'birthDate', 'region', 'preferredLanguage', 'sex'] as const;

export function emptyPerson(language: Language): PersonValues {
  return { fullName: '', birthDate: '', region: '', preferredLanguage: language, sex: 'unknown' };
}

/** What the service receives: trimmed, the region code in capitals. */
export function personPayload(values: PersonValues): PersonValues {
  return { ...values, fullName: values.fullName.trim(), region: values.region.trim().toUpperCase() };
}

/** The translated text for a field the contracts' schema refused (its own messages are English). */
export function usePersonMessages(): (field: string) => string | undefined {
  const { t } = useTranslation('citizen');
  return (field) => {
    switch (field) {
      case 'fullName':
        return t('fields.fullName.invalid');
      case 'birthDate':
        return t('fields.birthDate.invalid');
      case 'region':
        return t('fields.region.invalid');
      case 'preferredLanguage':
        return t('fields.preferredLanguage.invalid');
      case 'sex':
        return t('fields.sex.invalid');
      default:
        return undefined;
    }
  };
}

interface PersonFieldsProps {
  /** Prefixes the inputs' ids; the first registration uses none (ids as the field names). */
  idPrefix?: string;
  values: PersonValues;
  errors: FieldErrors;
  onChange: (values: PersonValues) => void;
}

/** Name, date of birth, region, language and sex of one person: registration, adding and editing. */
export function PersonFields({ idPrefix = '', values, errors, onChange }: PersonFieldsProps) {
  const { t } = useTranslation('citizen');
  const set = <K extends keyof PersonValues>(key: K, value: PersonValues[K]) => onChange({ ...values, [key]: value });
  const today = new Date().toISOString().slice(0, 10);
  return (
    <>
      <Field id={`${idPrefix}fullName`} label={t('fields.fullName.label')} error={errors['fullName']}>
        {(aria) => <input {...aria} autoComplete="name" value={values.fullName} onChange={(e) => set('fullName', e.target.value)} />}
      </Field>
      <Field id={`${idPrefix}birthDate`} label={t('fields.birthDate.label')} hint={t('fields.birthDate.hint')} error={errors['birthDate']}>
        {(aria) => (
          <input
            {...aria}
            type="date"
            autoComplete="bday"
            min="1900-01-01"
            max={today}
            value={values.birthDate}
            onChange={(e) => set('birthDate', e.target.value)}
          />
        )}
      </Field>
      <Field id={`${idPrefix}region`} label={t('fields.region.label')} hint={t('fields.region.hint')} error={errors['region']}>
        {(aria) => (
          <input {...aria} dir="ltr" autoCapitalize="characters" value={values.region} onChange={(e) => set('region', e.target.value)} />
        )}
      </Field>
      <Field id={`${idPrefix}preferredLanguage`} label={t('fields.preferredLanguage.label')} error={errors['preferredLanguage']}>
        {(aria) => (
          <select {...aria} value={values.preferredLanguage} onChange={(e) => set('preferredLanguage', e.target.value as Language)}>
            {LANGUAGES.map((l) => (
              <option key={l} value={l} lang={l}>
                {LANGUAGE_NAMES[l]}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id={`${idPrefix}sex`} label={t('fields.sex.label')} error={errors['sex']}>
        {(aria) => (
          <select {...aria} value={values.sex} onChange={(e) => set('sex', e.target.value as Sex)}>
            {SEXES.map((s) => (
              <option key={s} value={s}>
                {t(`fields.sex.${s}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
    </>
  );
}
