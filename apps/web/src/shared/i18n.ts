import i18next, { type BackendModule, type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';

/** The languages Jab speaks; the first is the fallback for any missing text. */
export const LANGUAGES = ['en', 'es', 'fr', 'hi', 'ar'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Each language's name in itself, for the picker (never translated). */
export const LANGUAGE_NAMES: Record<Language, string> = {
  en: 'English',
  es: 'Español',
  fr: 'Français',
  hi: 'हिन्दी',
  ar: 'العربية',
};

/**
 * One namespace per area plus `common` (the shell): a citizen's phone downloads the
 * shell and citizen texts of one language, never the staff console's.
 */
export const NAMESPACES = ['common', 'citizen', 'staff', 'admin'] as const;
export type Namespace = (typeof NAMESPACES)[number];

const STORAGE_KEY = 'jab.language';

// Vite splits every locale file into its own chunk, fetched on first use.
const files = import.meta.glob<{ default: Record<string, unknown> }>('../locales/*/*.json');

const lazyLocales: BackendModule = {
  type: 'backend',
  init: () => undefined,
  read(language, namespace, done) {
    const load = files[`../locales/${language}/${namespace}.json`];
    if (!load) return done(new Error(`no ${namespace} texts in ${language}`), false);
    load().then(
      (module) => done(null, module.default),
      (error: unknown) => done(error instanceof Error ? error : new Error(String(error)), false),
    );
  },
};

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** The saved choice, else the browser's first supported language, else English. */
export function initialLanguage(): Language {
  try {
    const saved = window.localStorage.getItem(STORAGE_KEY);
    if (isLanguage(saved)) return saved;
  } catch {
    // Storage may be blocked (private mode); the browser's languages still apply.
  }
  for (const tag of window.navigator.languages ?? []) {
    const base = tag.split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}

/** `lang` and `dir` on <html> follow the language: Arabic lays the whole app out right to left. */
function applyToDocument(i18n: I18n, language: string): void {
  document.documentElement.lang = language;
  document.documentElement.dir = i18n.dir(language);
}

export async function setupI18n(language: Language = initialLanguage()): Promise<I18n> {
  const i18n = i18next.createInstance();
  i18n.on('languageChanged', (lng) => {
    applyToDocument(i18n, lng);
    try {
      window.localStorage.setItem(STORAGE_KEY, lng);
    } catch {
      // Not saved; the choice still holds for this visit.
    }
  });
  await i18n
    .use(lazyLocales)
    .use(initReactI18next)
    .init({
      lng: language,
      fallbackLng: 'en',
      supportedLngs: [...LANGUAGES],
      ns: ['common'],
      defaultNS: 'common',
      interpolation: { escapeValue: false },
      react: { useSuspense: true },
      returnNull: false,
    });
  applyToDocument(i18n, i18n.language);
  return i18n;
}
