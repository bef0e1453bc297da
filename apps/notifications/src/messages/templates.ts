import type { Language } from '@jab/contracts';
import { IntlMessageFormat, type Formats } from 'intl-messageformat';
import { CATALOGUE, DATE_PARAMS, type TemplateName, type TemplateParams, type Text } from './catalogue.js';

export { CATALOGUE, type TemplateName, type TemplateParams } from './catalogue.js';
export const TEMPLATE_NAMES = Object.keys(CATALOGUE) as TemplateName[];

export interface Rendered {
  subject: string;
  body: string;
}

function formatsFor(timeZone: string): Partial<Formats> {
  return {
    date: {
      day: { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone },
      calendar: { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' },
    },
    time: { clock: { hour: 'numeric', minute: '2-digit', timeZone, timeZoneName: 'short' } },
  };
}

// Parsing ICU is the costly part; one compiled message per (template, language, zone, part).
const compiled = new Map<string, IntlMessageFormat>();
function compile(key: string, source: string, language: Language, timeZone: string): IntlMessageFormat {
  let message = compiled.get(key);
  if (!message) {
    message = new IntlMessageFormat(source, language, formatsFor(timeZone), { ignoreTag: true });
    compiled.set(key, message);
  }
  return message;
}

/** The text for `language`, or English when that language lacks the template. */
export function textFor(template: TemplateName, language: Language): { text: Text; language: Language } {
  const entry = CATALOGUE[template];
  const text = language === 'en' ? undefined : entry[language];
  return text ? { text, language } : { text: entry.en, language: 'en' };
}

/**
 * Renders a message in the recipient's language (English fallback), numbers and plurals
 * by the language's rules, instants in the center's time zone (`params.timeZone`).
 */
export function render<T extends TemplateName>(template: T, language: Language, params: TemplateParams[T]): Rendered {
  const { text, language: used } = textFor(template, language);
  const raw = params as Record<string, unknown>;
  const timeZone = typeof raw['timeZone'] === 'string' ? raw['timeZone'] : 'UTC';
  const values: Record<string, unknown> = { ...raw };
  for (const name of DATE_PARAMS) if (typeof raw[name] === 'string') values[name] = parseDate(raw[name]);
  const format = (part: keyof Text) =>
    String(compile(`${template}|${used}|${timeZone}|${part}`, text[part], used, timeZone).format(values as Record<string, string>));
  return { subject: format('subject'), body: format('body') };
}

/** A calendar date (`2025-03-01`) means that day, not the instant at local midnight. */
function parseDate(value: string): Date {
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
}

/** The center's name in the person's language when registration gave one, else English. */
export function centerNameFor(names: Record<string, string>, language: Language): string {
  return names[language] ?? names['en'] ?? Object.values(names)[0] ?? '';
}
