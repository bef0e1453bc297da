import type { Sex } from '@jab/contracts';

/**
 * The one mapping from Jab's records to FHIR R4 `Patient`, `Immunization` and
 * `Location`, shared by the FHIR export and the SMART Health Card certificates. Two
 * styles: `export` is the full record with ids and references between resources;
 * `card` follows the SMART Health Card rules for a payload that fits one QR code
 * (no ids, no `meta`, no `Coding.display` or `CodeableConcept.text`, `resource:N`
 * references) and carries only what a verifier needs.
 */

export const FHIR_VERSION = '4.0.1';
export const CVX_SYSTEM = 'http://hl7.org/fhir/sid/cvx';
const ACT_SITE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActSite';
/** Jab's own identifier systems: ids that mean something only to this issuer. */
export const JAB_SYSTEM = {
  vaccine: 'urn:jab:vaccine',
  registrant: 'urn:jab:registrant',
  center: 'urn:jab:center',
  dose: 'urn:jab:dose',
} as const;

export type FhirStyle = 'export' | 'card';

export interface FhirResource {
  resourceType: string;
  [element: string]: unknown;
}

export interface FhirBundle {
  resourceType: 'Bundle';
  type: 'collection';
  timestamp?: string;
  entry: { fullUrl: string; resource: FhirResource }[];
}

/** A person as FHIR needs them. */
export interface PersonRecord {
  id: string;
  fullName: string;
  birthDate: string;
  sex: Sex;
}

/** One administered dose with its vaccine, lot and center. */
export interface ImmunizationRecord {
  doseId: string;
  registrantId: string;
  doseNumber: number;
  seriesDoses: number;
  site: 'left-arm' | 'right-arm' | 'left-thigh' | 'right-thigh';
  /** ISO-8601 instant. */
  administeredAt: string;
  /** The center's local day of administration, YYYY-MM-DD. */
  administeredOn: string;
  vaccineId: string;
  vaccineName: string;
  manufacturer: string;
  cvxCode: string | null;
  lotNumber: string;
  lotExpiresOn: string;
  centerId: string;
  /** Center names by language; `en` is always there. */
  centerNames: Record<string, string>;
  centerAddress: string;
  centerLatitude: number;
  centerLongitude: number;
}

const SITES: Record<ImmunizationRecord['site'], { code: string; display: string }> = {
  'left-arm': { code: 'LA', display: 'left arm' },
  'right-arm': { code: 'RA', display: 'right arm' },
  'left-thigh': { code: 'LT', display: 'left thigh' },
  'right-thigh': { code: 'RT', display: 'right thigh' },
};

/**
 * A name as HumanName: the whole name as given in `text`, and family/given split on
 * the last space when there is one. Jab stores one full-name field, so the split is a
 * best effort for verifiers that show given and family names; `text` is authoritative.
 */
export function humanName(fullName: string): { text: string; family?: string; given?: string[] } {
  const words = fullName.trim().split(/\s+/);
  if (words.length < 2) return { text: fullName.trim() };
  return { text: fullName.trim(), family: words[words.length - 1], given: words.slice(0, -1) };
}

export function toPatient(person: PersonRecord, style: FhirStyle): FhirResource {
  if (style === 'card') {
    // Bytes count in a QR code: the parts alone when there are parts, else the text.
    const { text, family, given } = humanName(person.fullName);
    return { resourceType: 'Patient', name: [family ? { family, given } : { text }], birthDate: person.birthDate };
  }
  return {
    resourceType: 'Patient',
    id: person.id,
    identifier: [{ system: JAB_SYSTEM.registrant, value: person.id }],
    name: [humanName(person.fullName)],
    gender: person.sex,
    birthDate: person.birthDate,
  };
}

function vaccineCodings(r: ImmunizationRecord, style: FhirStyle) {
  const display = (d: string) => (style === 'export' ? { display: d } : {});
  return [
    ...(r.cvxCode ? [{ system: CVX_SYSTEM, code: r.cvxCode }] : []),
    { system: JAB_SYSTEM.vaccine, code: r.vaccineId, ...display(r.vaccineName) },
  ];
}

export const centerName = (r: Pick<ImmunizationRecord, 'centerNames'>) => r.centerNames['en'] ?? Object.values(r.centerNames)[0] ?? 'Vaccination center';

/**
 * One dose as an Immunization. `refs` names the Patient (and, in the export, the
 * center's Location) the way the enclosing bundle addresses them.
 */
export function toImmunization(r: ImmunizationRecord, style: FhirStyle, refs: { patient: string; location?: string }): FhirResource {
  const protocolApplied = [{ doseNumberPositiveInt: r.doseNumber, seriesDosesPositiveInt: r.seriesDoses }];
  if (style === 'card')
    return {
      resourceType: 'Immunization',
      status: 'completed',
      vaccineCode: { coding: vaccineCodings(r, style) },
      patient: { reference: refs.patient },
      occurrenceDateTime: r.administeredOn,
      lotNumber: r.lotNumber,
      performer: [{ actor: { display: centerName(r) } }],
      protocolApplied,
    };
  const site = SITES[r.site];
  return {
    resourceType: 'Immunization',
    id: r.doseId,
    identifier: [{ system: JAB_SYSTEM.dose, value: r.doseId }],
    status: 'completed',
    vaccineCode: { coding: vaccineCodings(r, style), text: r.vaccineName },
    patient: { reference: refs.patient },
    occurrenceDateTime: r.administeredAt,
    primarySource: true,
    ...(refs.location ? { location: { reference: refs.location, display: centerName(r) } } : {}),
    manufacturer: { display: r.manufacturer },
    lotNumber: r.lotNumber,
    expirationDate: r.lotExpiresOn,
    site: { coding: [{ system: ACT_SITE_SYSTEM, ...site }], text: site.display },
    performer: [{ actor: { identifier: { system: JAB_SYSTEM.center, value: r.centerId }, display: centerName(r) } }],
    protocolApplied,
  };
}

export function toLocation(r: ImmunizationRecord): FhirResource {
  return {
    resourceType: 'Location',
    id: r.centerId,
    identifier: [{ system: JAB_SYSTEM.center, value: r.centerId }],
    status: 'active',
    name: centerName(r),
    address: { text: r.centerAddress },
    position: { latitude: r.centerLatitude, longitude: r.centerLongitude },
  };
}

/** The bundle inside a health card: the person and the given doses, minimal. */
export function healthCardBundle(person: PersonRecord, doses: ImmunizationRecord[]): FhirBundle {
  return {
    resourceType: 'Bundle',
    type: 'collection',
    entry: [
      { fullUrl: 'resource:0', resource: toPatient(person, 'card') },
      ...doses.map((d, i) => ({ fullUrl: `resource:${i + 1}`, resource: toImmunization(d, 'card', { patient: 'resource:0' }) })),
    ],
  };
}

/** A person's whole record: Patient, one Location per center that vaccinated them, one Immunization per dose. */
export function exportBundle(person: PersonRecord, doses: ImmunizationRecord[], now: Date): FhirBundle {
  const patientUrl = `urn:uuid:${person.id}`;
  const locations = new Map(doses.map((d) => [d.centerId, d]));
  return {
    resourceType: 'Bundle',
    type: 'collection',
    timestamp: now.toISOString(),
    entry: [
      { fullUrl: patientUrl, resource: toPatient(person, 'export') },
      ...[...locations.values()].map((d) => ({ fullUrl: `urn:uuid:${d.centerId}`, resource: toLocation(d) })),
      ...doses.map((d) => ({
        fullUrl: `urn:uuid:${d.doseId}`,
        resource: toImmunization(d, 'export', { patient: patientUrl, location: `urn:uuid:${d.centerId}` }),
      })),
    ],
  };
}
