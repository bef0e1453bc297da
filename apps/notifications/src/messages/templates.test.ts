import { LANGUAGES, type Language } from '@jab/contracts';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, centerNameFor, render, TEMPLATE_NAMES, textFor, type TemplateParams } from './templates.js';

const SAMPLE: TemplateParams = {
  welcome: { firstName: 'Amélie' },
  otp: { code: '483920', minutes: 5 },
  booking_confirmed: {
    center: 'Central Clinic',
    address: '12 MG Road, Pune',
    startsAt: '2031-03-14T04:30:00Z',
    timeZone: 'Asia/Kolkata',
    code: 'JAB-7Q2K',
    doseNumber: 2,
    vaccine: 'Covax',
  },
  appointment_cancelled: { center: 'Central Clinic', startsAt: '2031-03-14T04:30:00Z', timeZone: 'Asia/Kolkata' },
  appointment_rescheduled: {
    center: 'Central Clinic',
    address: '12 MG Road, Pune',
    startsAt: '2031-03-15T04:30:00Z',
    previousStartsAt: '2031-03-14T04:30:00Z',
    timeZone: 'Asia/Kolkata',
    code: 'JAB-7Q2K',
  },
  reminder_24h: { center: 'Central Clinic', address: '12 MG Road, Pune', startsAt: '2031-03-14T04:30:00Z', timeZone: 'Asia/Kolkata', code: 'JAB-7Q2K' },
  reminder_2h: { center: 'Central Clinic', address: '12 MG Road, Pune', startsAt: '2031-03-14T04:30:00Z', timeZone: 'Asia/Kolkata', code: 'JAB-7Q2K' },
  second_dose_due: { vaccine: 'Covax', doseNumber: 2, dueDate: '2031-04-11' },
  certificate_ready: { issuedAt: '2031-03-14T04:30:00Z' },
  lot_recalled: { vaccine: 'Covax', lotNumber: 'LOT-88A', administeredAt: '2031-03-14T04:30:00Z' },
};

/** The values a rendered text must show, as the recipient's language writes them. */
function expectedValues(template: keyof TemplateParams, language: Language): string[] {
  const p = SAMPLE[template] as unknown as Record<string, unknown>;
  const strings = Object.entries(p)
    .filter(([k, v]) => typeof v === 'string' && !['startsAt', 'previousStartsAt', 'dueDate', 'issuedAt', 'administeredAt', 'timeZone'].includes(k))
    .map(([, v]) => v as string);
  // 10:00 in Pune (UTC+5:30): the time is shown in the center's zone, not UTC's 04:30.
  const time = new Intl.DateTimeFormat(language, { hour: 'numeric', minute: '2-digit', timeZone: 'Asia/Kolkata' }).format(new Date('2031-03-14T04:30:00Z'));
  return 'startsAt' in p ? [...strings, time.replace(/\s*(am|pm|AM|PM|ص|م|पूर्वाह्न|अपराह्न)$/u, '')] : strings;
}

describe('templates', () => {
  it('has every template in every language', () => {
    for (const template of TEMPLATE_NAMES)
      for (const language of LANGUAGES) expect(CATALOGUE[template][language], `${template}/${language}`).toBeDefined();
  });

  it.each(TEMPLATE_NAMES.flatMap((t) => LANGUAGES.map((l) => [t, l] as const)))('renders %s in %s with every placeholder filled', (template, language) => {
    const { subject, body } = render(template, language, SAMPLE[template] as never);
    for (const text of [subject, body]) {
      expect(text.trim()).not.toBe('');
      expect(text).not.toMatch(/[{}]/);
      expect(text).not.toMatch(/undefined|NaN|Invalid Date/);
    }
    for (const value of expectedValues(template, language)) expect(body).toContain(value);
    // Translated, not the English text shown to everyone.
    if (language !== 'en') expect(body).not.toBe(render(template, 'en', SAMPLE[template] as never).body);
  });

  it('uses plural rules and the calendar date as given', () => {
    expect(render('otp', 'en', { code: '1', minutes: 1 }).body).toContain('1 minute.');
    expect(render('otp', 'en', { code: '1', minutes: 5 }).body).toContain('5 minutes.');
    expect(render('otp', 'ar', { code: '1', minutes: 2 }).body).toContain('دقيقتين');
    // A calendar date stays that day even for a reader far west of UTC.
    expect(render('second_dose_due', 'en', SAMPLE.second_dose_due).body).toContain('April 11, 2031');
  });

  it('shows the appointment time in the center time zone', () => {
    const paris = render('reminder_2h', 'fr', { ...SAMPLE.reminder_2h, timeZone: 'Europe/Paris', startsAt: '2031-07-01T08:00:00Z' });
    expect(paris.body).toContain('10:00');
    const pune = render('reminder_2h', 'en', SAMPLE.reminder_2h);
    expect(pune.body).toMatch(/10:00\s?AM GMT\+5:30/);
  });

  it('falls back to English for a language without the template, and for the center name', () => {
    const saved = CATALOGUE.welcome.es;
    try {
      delete CATALOGUE.welcome.es;
      expect(textFor('welcome', 'es').language).toBe('en');
      expect(render('welcome', 'es', { firstName: 'Ana' }).subject).toBe('Welcome to Jab');
    } finally {
      CATALOGUE.welcome.es = saved;
    }
    expect(centerNameFor({ en: 'Central Clinic', fr: 'Clinique centrale' }, 'fr')).toBe('Clinique centrale');
    expect(centerNameFor({ en: 'Central Clinic' }, 'hi')).toBe('Central Clinic');
  });
});
