import type { FhirBundle, Problem } from '@jab/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecordsWorld, type Person, type RecordsWorld } from '../certificates/records.testing.js';
import { fhirValidator, type FhirValidator } from './fhir-schema.testing.js';

let w: RecordsWorld;
let fhir: FhirValidator;
let amara: Person;
let other: Person;
const doseIds: string[] = [];

const exportOf = (id: string, token: string, headers: Record<string, string> = {}) =>
  w.call<FhirBundle & Problem>('GET', `/registrants/${id}/fhir`, { token, headers });
const resources = (bundle: FhirBundle, type: string) => bundle.entry.map((e) => e.resource).filter((r) => r.resourceType === type);

beforeAll(async () => {
  fhir = fhirValidator();
  w = await startRecordsWorld();
  amara = await w.register('Amara Okafor Nwosu', '1990-07-14');
  other = await w.register('Lin', '2001-01-31');
  // Dose 1 in Paris, dose 2 in Lyon: outside her region, so the Lyon vaccinator states why.
  for (const [doseNumber, staff, lotNumber, reason] of [
    [1, w.parisNurse, 'CV-LOT-1', undefined],
    [2, w.lyonNurse, 'CV-LOT-2', 'second dose while travelling'],
  ] as const) {
    const res = await w.recordDose(amara, { doseNumber, lotNumber, hoursAgo: doseNumber === 1 ? 30 * 24 : 2 }, staff, reason);
    expect(res.status).toBe(201);
    doseIds.push(res.body.id);
  }
});
afterAll(() => w?.svc.stop());

describe('the FHIR R4 export', () => {
  it('is a collection Bundle of the Patient, the Locations and one Immunization per dose, every resource valid against the R4 schema', async () => {
    const res = await exportOf(amara.id, amara.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/fhir+json');
    const bundle = res.body;
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection', timestamp: expect.any(String) });
    expect(bundle.entry.map((e) => e.resource.resourceType)).toEqual(['Patient', 'Location', 'Location', 'Immunization', 'Immunization']);
    for (const { resource } of bundle.entry) expect(fhir.errors(resource), resource.resourceType).toEqual([]);
    expect(fhir.errors(bundle)).toEqual([]);

    const [patient] = resources(bundle, 'Patient');
    expect(patient).toMatchObject({
      id: amara.id,
      name: [{ text: 'Amara Okafor Nwosu', family: 'Nwosu', given: ['Amara', 'Okafor'] }],
      gender: 'female',
      birthDate: '1990-07-14',
    });
    const [first, second] = resources(bundle, 'Immunization');
    expect(first).toMatchObject({
      id: doseIds[0],
      status: 'completed',
      patient: { reference: `urn:uuid:${amara.id}` },
      vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '208' }, { system: 'urn:jab:vaccine', code: w.vaccine.id, display: 'Certvax' }] },
      lotNumber: 'CV-LOT-1',
      expirationDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      site: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActSite', code: 'LA' }] },
      location: { reference: `urn:uuid:${w.paris.id}`, display: 'Paris Vaccination Hall' },
      performer: [{ actor: { identifier: { system: 'urn:jab:center', value: w.paris.id } } }],
      protocolApplied: [{ doseNumberPositiveInt: 1, seriesDosesPositiveInt: 2 }],
    });
    expect(first.occurrenceDateTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(second).toMatchObject({ lotNumber: 'CV-LOT-2', location: { reference: `urn:uuid:${w.lyon.id}` } });
    // Every reference resolves inside the bundle.
    const urls = new Set(bundle.entry.map((e) => e.fullUrl));
    for (const imm of [first, second]) {
      expect(urls).toContain((imm.patient as { reference: string }).reference);
      expect(urls).toContain((imm.location as { reference: string }).reference);
    }
  });

  it('is valid for a person without doses or a family name too', async () => {
    const bundle = (await exportOf(other.id, other.token)).body;
    expect(bundle.entry.map((e) => e.resource)).toEqual([expect.objectContaining({ resourceType: 'Patient', name: [{ text: 'Lin' }] })]);
    expect(fhir.errors(bundle.entry[0].resource)).toEqual([]);
    expect(fhir.errors(bundle)).toEqual([]);
  });

  it('is checked by a validator that does refuse invalid resources', () => {
    expect(fhir.errors({ resourceType: 'Patient', gender: 'f' })).not.toEqual([]);
    expect(fhir.errors({ resourceType: 'Immunization', status: 'completed', patient: { reference: 'x' } })).not.toEqual([]);
  });

  it('is the household’s own: another citizen gets 404', async () => {
    expect((await exportOf(amara.id, other.token)).status).toBe(404);
  });

  it('is read by staff of the person’s region with a reason, audited; refused without one or outside the region', async () => {
    const audited = () => w.svc.pool.query(`SELECT actor_role, reason FROM registration.access_log WHERE registrant_id = $1 AND action = 'fhir.export'`, [amara.id]);
    const noReason = await exportOf(amara.id, w.parisNurse);
    expect(noReason.status).toBe(400);
    expect((await exportOf(amara.id, w.lyonNurse, { 'X-Access-Reason': 'transfer of records' })).status).toBe(403);
    expect((await audited()).rows).toEqual([]);
    const ok = await exportOf(amara.id, w.parisNurse, { 'X-Access-Reason': 'transfer of records' });
    expect(ok.status).toBe(200);
    expect(resources(ok.body, 'Immunization')).toHaveLength(2);
    expect((await exportOf(amara.id, w.admin, { 'X-Access-Reason': 'national registry audit' })).status).toBe(200);
    expect((await audited()).rows).toEqual([
      { actor_role: 'staff', reason: 'transfer of records' },
      { actor_role: 'national-admin', reason: 'national registry audit' },
    ]);
  });

  it('is 404 for an unknown person', async () => {
    expect((await exportOf('0190a6f0-0000-7000-8000-00000000ffff', w.admin, { 'X-Access-Reason': 'looking up' })).status).toBe(404);
  });
});
