import { useTranslation } from 'react-i18next';
import { LANGUAGES, LANGUAGE_NAMES, isLanguage } from './i18n';

/** Switches the whole app's language (and direction) at once; the choice is remembered. */
export function LanguagePicker() {
  const { t, i18n } = useTranslation('common');
  return (
    <div className="language-picker">
      <label htmlFor="language-picker">{t('language')}</label>
      <select
        id="language-picker"
        value={i18n.resolvedLanguage ?? i18n.language}
        onChange={(e) => {
          if (isLanguage(e.target.value)) void i18n.changeLanguage(e.target.value);
        }}
      >
        {LANGUAGES.map((lng) => (
          <option key={lng} value={lng} lang={lng}>
            {LANGUAGE_NAMES[lng]}
          </option>
        ))}
      </select>
    </div>
  );
}
