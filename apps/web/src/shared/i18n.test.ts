import { allResources, testI18n } from '../testing/render';
import { LANGUAGES, NAMESPACES } from './i18n';

/** Every leaf key of a nested texts object, as `a.b.c`. */
function keysOf(texts: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(texts).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null ? keysOf(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

function valueAt(texts: Record<string, unknown>, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], texts);
}

const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)[^}]*\}\}/g)].map((m) => m[1]).sort();

describe('translations', () => {
  const resources = allResources();

  it.each(LANGUAGES.flatMap((language) => NAMESPACES.map((ns) => [language, ns] as const)))(
    '%s has every %s text English has, none empty, with the same placeholders',
    (language, ns) => {
      const english = resources['en']?.[ns];
      const texts = resources[language]?.[ns];
      expect(english, `en/${ns}.json exists`).toBeDefined();
      expect(texts, `${language}/${ns}.json exists`).toBeDefined();
      // Plural forms differ per language (Arabic has six): compare the base keys.
      const base = (keys: string[]) => [...new Set(keys.map((k) => k.replace(/_(zero|one|two|few|many|other)$/, '')))].sort();
      expect(base(keysOf(texts!))).toEqual(base(keysOf(english!)));
      for (const key of keysOf(texts!)) {
        const value = valueAt(texts!, key);
        expect(typeof value === 'string' && value.trim().length > 0, `${language}/${ns}: ${key} is a text`).toBe(true);
        const englishKey = valueAt(english!, key) === undefined ? key.replace(/_(zero|one|two|few|many)$/, '_other') : key;
        const englishValue = valueAt(english!, englishKey);
        if (typeof englishValue === 'string') expect(placeholders(value as string), `${language}/${ns}: ${key}`).toEqual(placeholders(englishValue));
      }
    },
  );

  it('switches the document to right-to-left for Arabic only', async () => {
    const i18n = await testI18n('ar');
    expect(i18n.dir()).toBe('rtl');
    expect(i18n.t('actions.retry')).toBe('حاول مرة أخرى');
    for (const language of LANGUAGES.filter((l) => l !== 'ar')) expect(i18n.dir(language)).toBe('ltr');
  });
});
