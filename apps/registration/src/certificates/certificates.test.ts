import type {
  CertificateList,
  CertificateView,
  DoseCorrected,
  DoseView,
  Problem,
  VerificationResult,
} from '@jab/contracts';
import { decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fhirValidator, type FhirValidator } from '../fhir/fhir-schema.testing.js';
import { SHC_ISSUER, startRecordsWorld, type Person, type RecordsWorld } from './records.testing.js';
import { fromShcNumeric, MAX_SINGLE_QR_JWS } from './shc.js';

let w: RecordsWorld;
let fhir: FhirValidator;
let elodie: Person;
let stranger: Person;
let dose1: DoseView;

const payloadOf = (jws: string) => JSON.parse(inflateRawSync(Buffer.from(jws.split('.')[1], 'base64url')).toString('utf8'));
const verify = (body: unknown) => w.call<VerificationResult & Problem>('POST', '/certificates/verify', { body });
const certificate = (id: string, token: string, headers: Record<string, string> = {}) =>
  w.call<CertificateView & Problem>('GET', `/certificates/${id}`, { token, headers });
const rows = async (sql: string, params: unknown[] = []) => (await w.svc.pool.query(sql, params)).rows;

/** The JWS with one character of its payload part changed (still base64url). */
function flipPayload(jws: string): string {
  const [header, payload, signature] = jws.split('.');
  const i = Math.floor(payload.length / 2);
  return `${header}.${payload.slice(0, i)}${payload[i] === 'A' ? 'B' : 'A'}${payload.slice(i + 1)}.${signature}`;
}

beforeAll(async () => {
  fhir = fhirValidator();
  w = await startRecordsWorld();
  elodie = await w.register('Élodie Martin', '1972-03-09');
  stranger = await w.register('Samir Haddad', '1985-11-30');
  const res = await w.recordDose(elodie, { doseNumber: 1 }, w.parisNurse);
  expect(res.status).toBe(201);
  dose1 = res.body;
});
afterAll(() => w?.svc.stop());

describe('issuing', () => {
  it('issues a certificate with each dose, in the same transaction, and announces it', async () => {
    expect(dose1.certificateId).toEqual(expect.any(String));
    const [row] = await rows(`SELECT dose_id, registrant_id, revoked_at FROM registration.certificates WHERE id = $1`, [dose1.certificateId]);
    expect(row).toEqual({ dose_id: dose1.id, registrant_id: elodie.id, revoked_at: null });
    const [event] = await rows(`SELECT payload FROM registration.outbox WHERE type = 'certificate.issued' AND payload->'data'->>'doseId' = $1`, [
      dose1.id,
    ]);
    expect(event.payload.data).toMatchObject({ certificateId: dose1.certificateId, registrantId: elodie.id, replaces: null });
  });

  it('writes no certificate when the dose is refused', async () => {
    const before = await rows(`SELECT count(*)::int AS n FROM registration.certificates`);
    expect((await w.recordDose(elodie, { doseNumber: 1 }, w.parisNurse)).status).toBe(409);
    expect((await w.recordDose(stranger, { doseNumber: 1, lotNumber: 'NO-SUCH-LOT' }, w.parisNurse)).status).toBe(422);
    expect(await rows(`SELECT count(*)::int AS n FROM registration.certificates`)).toEqual(before);
  });
});

describe('a certificate', () => {
  it('is a SMART Health Card: ES256 JWS, zip DEF, the key thumbprint as kid, published in the JWKS', async () => {
    const res = await certificate(dose1.certificateId as string, elodie.token);
    expect(res.status).toBe(200);
    const header = decodeProtectedHeader(res.body.jws);
    expect(header).toMatchObject({ alg: 'ES256', zip: 'DEF' });
    const jwks = await w.call<JSONWebKeySet>('GET', '/.well-known/jwks.json');
    // The token key keeps its configured kid; the card's kid resolves to the same key.
    expect(jwks.body.keys.map((k) => k.kid)).toEqual(['jab-1', header.kid]);
    expect(jwks.body.keys[1]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', x: jwks.body.keys[0].x });
    expect(jwks.body.keys[1]).not.toHaveProperty('d');
  });

  it('carries a minimal FHIR R4 bundle of the person and the dose, valid against the R4 schema', async () => {
    const { jws } = (await certificate(dose1.certificateId as string, elodie.token)).body;
    const payload = payloadOf(jws);
    expect(payload).toMatchObject({
      iss: SHC_ISSUER,
      nbf: expect.any(Number),
      vc: {
        type: ['https://smarthealth.cards#health-card', 'https://smarthealth.cards#immunization'],
        credentialSubject: { fhirVersion: '4.0.1', fhirBundle: { resourceType: 'Bundle', type: 'collection' } },
      },
    });
    const bundle = payload.vc.credentialSubject.fhirBundle;
    const [patient, immunization] = bundle.entry.map((e: { resource: { resourceType: string } }) => e.resource);
    expect(bundle.entry.map((e: { fullUrl: string }) => e.fullUrl)).toEqual(['resource:0', 'resource:1']);
    expect(patient).toEqual({ resourceType: 'Patient', name: [{ family: 'Martin', given: ['Élodie'] }], birthDate: '1972-03-09' });
    expect(immunization).toMatchObject({
      status: 'completed',
      patient: { reference: 'resource:0' },
      lotNumber: 'CV-LOT-1',
      vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '208' }, { system: 'urn:jab:vaccine', code: w.vaccine.id }] },
    });
    // The spec's size rules for one QR: no ids or meta, codings without display, concepts without text.
    expect(JSON.stringify(bundle)).not.toMatch(/"id"|"meta"/);
    expect(immunization.vaccineCode).toEqual({ coding: immunization.vaccineCode.coding.map(({ system, code }: { system: string; code: string }) => ({ system, code })) });
    for (const resource of [patient, immunization]) expect(fhir.errors(resource)).toEqual([]);
    expect(fhir.errors(bundle)).toEqual([]);
  });

  it('comes with its shc:/ QR content, which decodes to the same JWS and fits one QR code, and an SVG of it', async () => {
    const { jws, qr, qrSvg } = (await certificate(dose1.certificateId as string, elodie.token)).body;
    expect(qr).toMatch(/^shc:\/\d+$/);
    expect(fromShcNumeric(qr)).toBe(jws);
    expect(jws.length).toBeLessThanOrEqual(MAX_SINGLE_QR_JWS);
    expect(qrSvg).toMatch(/^<svg/);
  });

  it('is listed for its household, and for no one else', async () => {
    const mine = await w.call<CertificateList>('GET', '/certificates', { token: elodie.token });
    expect(mine.status).toBe(200);
    expect(mine.body.items).toEqual([
      expect.objectContaining({ id: dose1.certificateId, registrantId: elodie.id, doseId: dose1.id, doseNumber: 1, vaccineName: 'Certvax', revoked: false }),
    ]);
    expect((await w.call<CertificateList>('GET', '/certificates', { token: stranger.token })).body.items).toEqual([]);
    expect((await w.call('GET', `/certificates?registrantId=${elodie.id}`, { token: stranger.token })).status).toBe(404);
    expect((await certificate(dose1.certificateId as string, stranger.token)).status).toBe(404);
  });

  it('is read by staff only with a reason, within their region, and every read is audited', async () => {
    const id = dose1.certificateId as string;
    const audited = () => rows(`SELECT actor_role, action, reason FROM registration.access_log WHERE registrant_id = $1 AND action LIKE 'certificate.%'`, [elodie.id]);
    const noReason = await certificate(id, w.parisNurse);
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors?.[0].path).toBe('headers.x-access-reason');
    expect((await certificate(id, w.lyonNurse, { 'X-Access-Reason': 'checking a traveller' })).status).toBe(403);
    expect(await audited()).toEqual([]);
    expect((await certificate(id, w.parisNurse, { 'X-Access-Reason': 'reprint at the desk' })).status).toBe(200);
    const listed = await w.call<CertificateList>('GET', `/certificates?registrantId=${elodie.id}&reason=lost+paper+copy`, { token: w.admin });
    expect(listed.body.items).toHaveLength(1);
    expect(await audited()).toEqual([
      { actor_role: 'staff', action: 'certificate.read', reason: 'reprint at the desk' },
      { actor_role: 'national-admin', action: 'certificate.list', reason: 'lost paper copy' },
    ]);
  });
});

describe('public verification', () => {
  it('accepts the QR content or the JWS and shows what the card says', async () => {
    const { jws, qr } = (await certificate(dose1.certificateId as string, elodie.token)).body;
    for (const body of [{ shc: qr }, { jws }]) {
      const res = await verify(body);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        valid: true,
        revoked: false,
        certificateId: dose1.certificateId,
        issuer: SHC_ISSUER,
        issuedAt: expect.any(String),
        replacedBy: null,
        summary: {
          name: 'Élodie Martin',
          birthDate: '1972-03-09',
          doses: [
            {
              vaccine: 'Certvax',
              vaccineCodes: [
                { system: 'http://hl7.org/fhir/sid/cvx', code: '208' },
                { system: 'urn:jab:vaccine', code: w.vaccine.id },
              ],
              date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
              lotNumber: 'CV-LOT-1',
              doseNumber: 1,
            },
          ],
        },
      });
    }
  });

  it('fails a card whose payload or signature was changed, and says nothing of its content', async () => {
    const { jws } = (await certificate(dose1.certificateId as string, elodie.token)).body;
    const tampered = await verify({ jws: flipPayload(jws) });
    expect(tampered.body).toMatchObject({ valid: false, revoked: false, reason: expect.any(String) });
    expect(tampered.body).not.toHaveProperty('summary');
    const [h, p, s] = jws.split('.');
    const badSignature = await verify({ jws: `${h}.${p}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}` });
    expect(badSignature.body).toMatchObject({ valid: false, reason: 'the signature does not match the content' });
    const qrTampered = await verify({ shc: `shc:/${'56'.repeat(10)}` });
    expect(qrTampered.body.valid).toBe(false);
  });

  it('refuses input that is neither a QR content nor a JWS with 400', async () => {
    for (const body of [{}, { shc: 'shc:/123' }, { jws: 'not a jws' }, { shc: 'shc:/00', jws: 'a.b.c' }]) {
      const res = await verify(body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });
});

describe('correcting a dose', () => {
  let corrected: DoseCorrected;

  it('is refused outside the dose’s center, without a reason, or when it changes nothing', async () => {
    const path = `/doses/${dose1.id}`;
    expect((await w.call('PATCH', path, { token: w.lyonNurse, body: { lotNumber: 'CV-LOT-2', reason: 'wrong lot typed' } })).status).toBe(403);
    expect((await w.call('PATCH', path, { token: elodie.token, body: { lotNumber: 'CV-LOT-2', reason: 'wrong lot typed' } })).status).toBe(403);
    const noReason = await w.call<Problem>('PATCH', path, { token: w.parisNurse, body: { lotNumber: 'CV-LOT-2' } });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors?.map((e) => e.path)).toContain('body.reason');
    const same = await w.call<Problem>('PATCH', path, { token: w.parisNurse, body: { lotNumber: 'CV-LOT-1', reason: 'double checking' } });
    expect(same.status).toBe(422);
    const unknownLot = await w.call<Problem>('PATCH', path, { token: w.parisNurse, body: { lotNumber: 'CV-LOT-9', reason: 'wrong lot typed' } });
    expect(unknownLot.status).toBe(422);
    expect(unknownLot.body.errors?.[0].path).toBe('body.lotNumber');
    expect(await rows(`SELECT * FROM registration.dose_corrections`)).toEqual([]);
  });

  it('changes the record, revokes the old certificate and issues a new one that replaces it', async () => {
    const res = await w.call<DoseCorrected>('PATCH', `/doses/${dose1.id}`, {
      token: w.parisNurse,
      body: { lotNumber: 'CV-LOT-2', site: 'right-arm', reason: 'wrong lot typed at the desk' },
    });
    expect(res.status).toBe(200);
    corrected = res.body;
    expect(corrected.dose).toMatchObject({ id: dose1.id, lotNumber: 'CV-LOT-2', site: 'right-arm', certificateId: corrected.certificateId });
    expect(corrected.replacedCertificateId).toBe(dose1.certificateId);
    expect(corrected.certificateId).not.toBe(dose1.certificateId);

    const [event] = await rows(`SELECT payload FROM registration.outbox WHERE type = 'certificate.issued' AND payload->'data'->>'certificateId' = $1`, [
      corrected.certificateId,
    ]);
    expect(event.payload.data).toMatchObject({ doseId: dose1.id, replaces: dose1.certificateId });
    const [history] = await rows(`SELECT before, after, reason FROM registration.dose_corrections WHERE dose_id = $1`, [dose1.id]);
    expect(history).toMatchObject({
      before: { lotNumber: 'CV-LOT-1', site: 'left-arm' },
      after: { lotNumber: 'CV-LOT-2', site: 'right-arm' },
      reason: 'wrong lot typed at the desk',
    });
    expect(await rows(`SELECT actor_role, reason FROM registration.access_log WHERE action = 'dose.correct'`)).toEqual([
      { actor_role: 'staff', reason: 'wrong lot typed at the desk' },
    ]);
  });

  it('shows the old certificate as revoked, pointing to its replacement, which verifies with the corrected lot', async () => {
    const old = (await certificate(dose1.certificateId as string, elodie.token)).body;
    expect(old).toMatchObject({ revoked: true, revokedAt: expect.any(String), replacedBy: corrected.certificateId });
    const oldVerdict = await verify({ shc: old.qr });
    expect(oldVerdict.body).toMatchObject({ valid: false, revoked: true, replacedBy: corrected.certificateId, reason: expect.stringContaining('revoked') });

    const fresh = (await certificate(corrected.certificateId, elodie.token)).body;
    const verdict = await verify({ shc: fresh.qr });
    expect(verdict.body).toMatchObject({ valid: true, revoked: false, certificateId: corrected.certificateId });
    expect(verdict.body.summary?.doses[0].lotNumber).toBe('CV-LOT-2');

    const current = await w.call<CertificateList>('GET', '/certificates', { token: elodie.token });
    expect(current.body.items.map((c) => c.id)).toEqual([corrected.certificateId]);
    const all = await w.call<CertificateList>('GET', '/certificates?includeRevoked=true', { token: elodie.token });
    expect(all.body.items.map((c) => c.id)).toEqual([corrected.certificateId, dose1.certificateId]);
  });

  it('keeps the dose in its series order', async () => {
    const dose2 = await w.recordDose(elodie, { doseNumber: 2, hoursAgo: 1 }, w.parisNurse);
    expect(dose2.status).toBe(201);
    const afterDose2 = new Date(Date.now() - 10 * 60_000).toISOString();
    const res = await w.call<Problem>('PATCH', `/doses/${dose1.id}`, {
      token: w.parisNurse,
      body: { administeredAt: afterDose2, reason: 'time entered wrongly' },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors?.[0]).toMatchObject({ path: 'body.administeredAt', message: expect.stringContaining('must be before dose 2') });
  });

  it('can never un-revoke, rewrite or delete a certificate, even in SQL', async () => {
    await expect(w.svc.pool.query(`UPDATE registration.certificates SET revoked_at = NULL, revoke_reason = NULL WHERE id = $1`, [dose1.certificateId])).rejects.toThrow(
      /immutable/,
    );
    await expect(w.svc.pool.query(`UPDATE registration.certificates SET jws = 'a.b.c' WHERE id = $1`, [corrected.certificateId])).rejects.toThrow(/immutable/);
    await expect(w.svc.pool.query(`DELETE FROM registration.certificates`)).rejects.toThrow(/never deleted/);
    await expect(
      w.svc.pool.query(`INSERT INTO registration.certificates (id, dose_id, registrant_id, kid, jws, issued_at) SELECT gen_random_uuid(), dose_id, registrant_id, kid, jws, now() FROM registration.certificates WHERE id = $1`, [
        corrected.certificateId,
      ]),
    ).rejects.toThrow(/certificates_current_dose_unique/);
  });
});

describe('the OpenAPI document', () => {
  it('covers the records routes', async () => {
    const doc = await w.call<{ paths: Record<string, unknown> }>('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/certificates',
        '/certificates/{certificateId}',
        '/certificates/verify',
        '/registrants/{id}/fhir',
        '/doses/{doseId}',
        '/centers/{centerId}/appointments',
      ]),
    );
  });
});
