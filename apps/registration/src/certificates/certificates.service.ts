import type { Principal } from '@jab/auth';
import type {
  CertificateIssuedEvent,
  CertificateListQuery,
  CertificateSummary,
  CertificateView,
  VerificationResult,
  VerifyCertificateRequest,
} from '@jab/contracts';
import { appendEvent } from '@jab/db';
import { BadRequest, Forbidden, NotFound } from '@jab/http';
import type { Pool, PoolClient } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { recordAccess } from '../audit/audit.js';
import { CVX_SYSTEM, healthCardBundle, JAB_SYSTEM } from '../fhir/fhir.mapping.js';
import { findImmunization } from '../fhir/fhir.repo.js';
import type { Pools } from '../pools.js';
import { findAccountContact, findRegistrant } from '../registrants/registrants.repo.js';
import { staffMaySee } from '../registrants/registrants.service.js';
import {
  findCertificate,
  insertCertificate,
  listCertificatesOfAccount,
  listCertificatesOfRegistrant,
  markReplaced,
  revokeCurrentCertificate,
  vaccineNames,
  type CertificateRow,
} from './certificates.repo.js';
import {
  CardRejected,
  certificateIdOf,
  fromShcNumeric,
  HEALTH_CARD_TYPES,
  healthCardPayload,
  qrSvg,
  ridOf,
  toShcNumeric,
  type HealthCardKey,
} from './shc.js';

export const SCHEMA = 'registration';

export interface CertificateDeps extends Pools {
  cards: HealthCardKey;
}

/**
 * Signs a health card for the dose as it is recorded now, stores it and writes
 * `certificate.issued`, on the caller's transaction: the dose (or its correction)
 * and its certificate commit together or not at all.
 */
export async function issueCertificate(
  db: PoolClient,
  cards: HealthCardKey,
  doseId: string,
  { replaces, now }: { replaces: string | null; now: Date },
): Promise<string> {
  const dose = await findImmunization(db, doseId);
  const person = dose && (await findRegistrant(db, dose.registrantId));
  const contact = person && (await findAccountContact(db, person.accountId));
  if (!dose || !person || !contact) throw new Error('a certificate needs a recorded dose of a known person');

  const id = uuidv7();
  const jws = await cards.sign(healthCardPayload(cards.issuer, now, ridOf(id), healthCardBundle(person, [dose])));
  await insertCertificate(db, { id, doseId, registrantId: person.id, kid: cards.kid, jws, issuedAt: now });
  if (replaces) await markReplaced(db, replaces, id);
  const event: CertificateIssuedEvent = {
    id: uuidv7(),
    type: 'certificate.issued',
    v: 1,
    occurredAt: now.toISOString(),
    source: 'registration',
    data: {
      certificateId: id,
      registrantId: person.id,
      accountId: person.accountId,
      preferredLanguage: person.preferredLanguage,
      contact,
      doseId,
      issuedAt: now.toISOString(),
      replaces,
    },
  };
  await appendEvent(db, SCHEMA, event);
  return id;
}

/** After a correction, on its transaction: revokes the dose's current card and issues one for the corrected record. */
export async function reissueCertificate(
  db: PoolClient,
  cards: HealthCardKey,
  doseId: string,
  now: Date,
): Promise<{ certificateId: string; replaced: string | null }> {
  // Revoke first: the partial unique index allows one current certificate per dose.
  const replaced = await revokeCurrentCertificate(db, doseId, 'the dose record was corrected', now);
  return { certificateId: await issueCertificate(db, cards, doseId, { replaces: replaced, now }), replaced };
}

const toSummary = ({ jws: _j, accountId: _a, region: _r, ...summary }: CertificateRow): CertificateSummary => summary;

async function toView(row: CertificateRow): Promise<CertificateView> {
  const qr = toShcNumeric(row.jws);
  return { ...toSummary(row), jws: row.jws, qr, qrSvg: await qrSvg(qr) };
}

/**
 * Citizens list their household's certificates (one person with `registrantId`);
 * staff list one person's, with a reason, scoped to their region and audited. Read from
 * the reader: certificates come from staff's doses, never right after the reader's own write.
 */
export async function listCertificates(
  { pool, readPool }: Pools,
  p: Principal,
  query: CertificateListQuery,
  reason?: string,
): Promise<CertificateSummary[]> {
  const includeRevoked = query.includeRevoked === 'true';
  if (p.role === 'citizen') {
    if (query.registrantId) {
      const person = await findRegistrant(readPool, query.registrantId);
      if (!person || person.accountId !== p.sub) throw new NotFound('No such person in your household.');
    }
    return (await listCertificatesOfAccount(readPool, p.sub, { registrantId: query.registrantId, includeRevoked })).map(toSummary);
  }
  const { registrantId } = query;
  if (!registrantId)
    throw new BadRequest('Staff list the certificates of one person.', { errors: [{ path: 'query.registrantId', message: 'is required for staff' }] });
  const person = await findRegistrant(readPool, registrantId);
  if (!person) throw new NotFound('No such person.');
  if (!staffMaySee(p, person.region)) throw new Forbidden('This person is outside your region.');
  if (!reason) throw new Error('a staff read needs a reason');
  const rows = await listCertificatesOfRegistrant(readPool, registrantId, includeRevoked);
  // On the writer, before answering: nothing is seen without its row in the access log.
  await recordAccess(pool, { actor: p, registrantId, action: 'certificate.list', reason });
  return rows.map(toSummary);
}

/** One certificate with its JWS and QR: its household, or staff of the person's region with a reason (audited). */
export async function getCertificate({ pool, readPool }: Pools, p: Principal, id: string, reason?: string): Promise<CertificateView> {
  const row = await findCertificate(readPool, id);
  if (p.role === 'citizen') {
    if (!row || row.accountId !== p.sub) throw new NotFound('No such certificate.');
    return toView(row);
  }
  if (!row) throw new NotFound('No such certificate.');
  if (!staffMaySee(p, row.region)) throw new Forbidden('This person is outside your region.');
  if (!reason) throw new Error('a staff read needs a reason');
  await recordAccess(pool, { actor: p, registrantId: row.registrantId, action: 'certificate.read', reason });
  return toView(row);
}

// ---- verification ----

const coding = z.object({ system: z.string(), code: z.string() });
const cardPayload = z.object({
  iss: z.string(),
  nbf: z.number(),
  vc: z.object({
    type: z.array(z.string()).refine((t) => t.includes(HEALTH_CARD_TYPES[0]), 'is not a health card'),
    rid: z.string().optional(),
    credentialSubject: z.object({
      fhirVersion: z.string(),
      fhirBundle: z.object({
        resourceType: z.literal('Bundle'),
        entry: z.array(z.object({ resource: z.looseObject({ resourceType: z.string() }) })),
      }),
    }),
  }),
});
const cardPatient = z.looseObject({
  resourceType: z.literal('Patient'),
  name: z.array(z.object({ text: z.string().optional(), family: z.string().optional(), given: z.array(z.string()).optional() })).min(1),
  birthDate: z.string(),
});
const cardImmunization = z.looseObject({
  resourceType: z.literal('Immunization'),
  vaccineCode: z.object({ coding: z.array(coding).min(1) }),
  occurrenceDateTime: z.string(),
  lotNumber: z.string().optional(),
  protocolApplied: z.array(z.object({ doseNumberPositiveInt: z.number().int().optional() })).optional(),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const rejected = (reason: string): VerificationResult => ({ valid: false, revoked: false, reason });

/** What a verifier is shown of a card whose signature is this issuer's. */
async function summarize(pool: Pool, resources: { resourceType: string }[]): Promise<VerificationResult['summary'] | null> {
  const patient = cardPatient.safeParse(resources.find((r) => r.resourceType === 'Patient'));
  const doses = resources.filter((r) => r.resourceType === 'Immunization').map((r) => cardImmunization.safeParse(r));
  if (!patient.success || doses.some((d) => !d.success)) return null;
  const immunizations = doses.flatMap((d) => (d.success ? [d.data] : []));
  const jabCode = (codes: z.infer<typeof coding>[]) => codes.find((c) => c.system === JAB_SYSTEM.vaccine)?.code;
  const ids = immunizations.map((i) => jabCode(i.vaccineCode.coding)).filter((id): id is string => id !== undefined && UUID.test(id));
  const names = await vaccineNames(pool, ids);
  const [name] = patient.data.name;
  return {
    name: name.text ?? [...(name.given ?? []), name.family ?? ''].join(' ').trim(),
    birthDate: patient.data.birthDate,
    doses: immunizations.map((i) => {
      const codes = i.vaccineCode.coding.map(({ system, code }) => ({ system, code }));
      const jab = jabCode(codes);
      const cvx = codes.find((c) => c.system === CVX_SYSTEM)?.code;
      return {
        vaccine: (jab && names.get(jab)) ?? (cvx ? `CVX ${cvx}` : codes[0].code),
        vaccineCodes: codes,
        date: i.occurrenceDateTime,
        lotNumber: i.lotNumber ?? null,
        doseNumber: i.protocolApplied?.[0]?.doseNumberPositiveInt ?? null,
      };
    }),
  };
}

/**
 * Public verification of a card from a QR (`shc:/…`) or a JWS: the signature must be
 * this issuer's key, the payload a health card, and the certificate on record and not
 * revoked. Anything else is `valid: false` with the reason; nothing of an unverified
 * card is echoed back. Read from the reader: a public endpoint must not load the writer,
 * and a revocation is seen within the replica's lag (a second at most).
 */
export async function verifyCertificate({ readPool: pool, cards }: CertificateDeps, input: VerifyCertificateRequest): Promise<VerificationResult> {
  let jws: string;
  let verified;
  try {
    jws = input.shc !== undefined ? fromShcNumeric(input.shc) : (input.jws ?? '');
    verified = await cards.verify(jws);
  } catch (error) {
    if (error instanceof CardRejected) return rejected(error.message);
    throw error;
  }
  const payload = cardPayload.safeParse(verified.payload);
  if (!payload.success) return rejected('the signed payload is not a SMART Health Card');
  const certificateId = payload.data.vc.rid ? certificateIdOf(payload.data.vc.rid) : null;
  const row = certificateId ? await findCertificate(pool, certificateId) : null;
  if (!row || row.jws !== jws) return rejected('this issuer has no record of the certificate');
  const summary = await summarize(pool, payload.data.vc.credentialSubject.fhirBundle.entry.map((e) => e.resource));
  if (!summary) return rejected('the card does not hold a patient and immunizations');
  const base = { certificateId: row.id, issuer: payload.data.iss, issuedAt: row.issuedAt, replacedBy: row.replacedBy, summary };
  if (row.revoked)
    return {
      valid: false,
      revoked: true,
      reason: row.replacedBy ? 'revoked: the record was corrected and a new certificate replaces this one' : 'revoked',
      ...base,
    };
  return { valid: true, revoked: false, ...base };
}
