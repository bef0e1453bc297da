import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  analyticsFilters,
  availabilityQuery,
  centerAppointmentsQuery,
  centerSearchQuery,
  correctDoseRequest,
  createCampaignRequest,
  createLotRequest,
  createReportRequest,
  createSessionRequest,
  dailyRegistrationsQuery,
  limitedQuery,
  recordDoseRequest,
  registerRequest,
  registrantUpdateRequest,
  reportAefiRequest,
  timeSeriesQuery,
} from './index.js';

const uuid = '0190a7e4-5b8c-7c3e-9f1a-2b3c4d5e6f70';

/** Every request field that takes a calendar day, with an input that is valid around it. */
const DAY_FIELDS: [string, z.ZodType, Record<string, unknown>, string][] = [
  ['availability', availabilityQuery, {}, 'date'],
  ["a center's day list", centerAppointmentsQuery, {}, 'date'],
  ['public center search', centerSearchQuery, {}, 'date'],
  ['a lot', createLotRequest, { vaccineId: uuid, lotNumber: 'LOT-1' }, 'expiresOn'],
  ['a campaign start', createCampaignRequest, campaign({ endsOn: '2200-12-31' }), 'startsOn'],
  ['a campaign end', createCampaignRequest, campaign({ startsOn: '1900-01-01' }), 'endsOn'],
  ['a session', createSessionRequest, session(), 'date'],
  ['an adverse event onset', reportAefiRequest, { severity: 'mild', description: 'a sore arm' }, 'onsetDate'],
  ['analytics from', analyticsFilters, {}, 'from'],
  ['analytics to', analyticsFilters, {}, 'to'],
  ['an analytics series', timeSeriesQuery, {}, 'to'],
  ['analytics top lists', limitedQuery, {}, 'from'],
  ['daily registrations', dailyRegistrationsQuery, {}, 'from'],
];

function campaign(dates: Record<string, string>) {
  return { name: 'Winter', vaccineIds: [uuid], regions: ['FR-IDF'], targetAgeBands: [{ minAge: 18 }], ...dates };
}
function session() {
  return { vaccineId: uuid, startTime: '09:00', endTime: '12:00', slotMinutes: 15, capacityDose1: 10, capacityLaterDoses: 0, walkInQuota: 0 };
}

const issuesOf = (schema: z.ZodType, input: unknown) => {
  const result = schema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};

describe('calendar days', () => {
  // PostgreSQL rejects year 0000 ("date/time field value out of range"); nothing Jab stores is outside 1900–2200.
  const OUT_OF_RANGE = ['0000-01-01', '0001-01-01', '1899-12-31', '2201-01-01', '9999-12-31'];

  it.each(DAY_FIELDS)('%s: refuses a day outside 1900-01-01..2200-12-31 with a field message', (_, schema, valid, field) => {
    for (const day of OUT_OF_RANGE) {
      expect(issuesOf(schema, { ...valid, [field]: day }), day).toContainEqual({ path: field, message: 'must be a date from 1900-01-01 to 2200-12-31' });
    }
  });

  it.each(DAY_FIELDS)('%s: accepts the first and last day of the range', (_, schema, valid, field) => {
    const both = field === 'from' || field === 'to' ? { from: '1900-01-01', to: '2200-12-31' } : {};
    for (const day of ['1900-01-01', '2200-12-31']) expect(issuesOf(schema, { ...valid, ...both, [field]: day }), day).toEqual([]);
  });

  it('names a malformed day once, with the format it wants', () => {
    for (const day of ['tomorrow', '2024-02-30', '24-01-01', '2024-1-1', '']) {
      expect(issuesOf(availabilityQuery, { date: day }), day).toEqual([{ path: 'date', message: 'must be a date as YYYY-MM-DD' }]);
    }
  });

  it('refuses a birth date in the future or before 1900, on registration and on a change', () => {
    const person = { fullName: 'Zoë Ångström', region: 'FR-IDF', preferredLanguage: 'fr', contact: { channel: 'email', address: 'zoe@example.org' } };
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    for (const [schema, input] of [
      [registerRequest, person],
      [registrantUpdateRequest, {}],
    ] as const) {
      expect(issuesOf(schema, { ...input, birthDate: tomorrow })).toEqual([{ path: 'birthDate', message: 'must not be in the future' }]);
      expect(issuesOf(schema, { ...input, birthDate: '0000-01-01' })).toEqual([{ path: 'birthDate', message: 'must be a date from 1900-01-01 to 2200-12-31' }]);
      expect(issuesOf(schema, { ...input, birthDate: '1900-01-01' })).toEqual([]);
      expect(issuesOf(schema, { ...input, birthDate: new Date().toISOString().slice(0, 10) })).toEqual([]);
    }
  });
});

describe('instants of administration', () => {
  const dose = { registrantId: uuid, vaccineId: uuid, lotNumber: 'LOT-1', doseNumber: 1, site: 'left-arm' };
  const correction = { reason: 'wrong time' };
  const at = (ms: number) => new Date(Date.now() + ms).toISOString();

  it.each([
    ['recording a dose', recordDoseRequest, dose],
    ['correcting a dose', correctDoseRequest, correction],
  ] as const)('%s: refuses an instant outside the range, or more than 5 minutes ahead', (_, schema, valid) => {
    const range = 'must be an instant from 1900-01-01T00:00:00Z to 2200-12-31T23:59:59Z';
    for (const instant of ['0000-01-01T00:00:00Z', '0000-06-01T10:00:00+02:00', '1899-12-31T23:59:59Z', '1900-01-01T00:30:00+01:00', '9999-12-31T23:59:59Z']) {
      expect(issuesOf(schema, { ...valid, administeredAt: instant }), instant).toEqual([{ path: 'administeredAt', message: range }]);
    }
    expect(issuesOf(schema, { ...valid, administeredAt: at(10 * 60_000) })).toEqual([
      { path: 'administeredAt', message: 'must not be more than 5 minutes in the future' },
    ]);
    for (const instant of [at(-60_000), at(4 * 60_000), '1900-01-01T00:00:00Z', '1980-05-05T09:30:00+05:30'])
      expect(issuesOf(schema, { ...valid, administeredAt: instant }), instant).toEqual([]);
  });

  it('names a malformed instant once, with the form it wants', () => {
    for (const instant of ['yesterday', '2026-11-23', '2026-11-23T09:30:00', '2026-02-30T09:30:00Z']) {
      expect(issuesOf(recordDoseRequest, { ...dose, administeredAt: instant }), instant).toEqual([
        { path: 'administeredAt', message: 'must be a date and time with a time zone, e.g. 2026-11-23T09:30:00Z' },
      ]);
    }
  });

  it('refuses a report whose filters hold a day PostgreSQL cannot store', () => {
    expect(issuesOf(createReportRequest, { kind: 'coverage', filters: { from: '0000-01-01' } })).toEqual([
      { path: 'filters.from', message: 'must be a date from 1900-01-01 to 2200-12-31' },
    ]);
  });
});
