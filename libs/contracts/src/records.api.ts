import { z } from 'zod';
import { isoInstant } from './common.js';

/**
 * HTTP payloads of registration's records out: SMART Health Card certificates, their
 * public verification, and the FHIR R4 export of a person.
 */

const instant = isoInstant;
const compactJws = z
  .string()
  .trim()
  .max(10_000)
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'must be a compact JWS (three base64url parts)');

// ---- certificates ----
export const certificateParams = z.object({ certificateId: z.uuid() });
export const certificateListQuery = z.object({
  /** One person of the household (citizen: optional; staff: required). */
  registrantId: z.uuid().optional(),
  /** Also list certificates that were revoked (after a correction). */
  includeRevoked: z.enum(['true', 'false']).default('false'),
  /** Staff say why they open a person's certificates (or in header X-Access-Reason). */
  reason: z.string().optional(),
});
export type CertificateListQuery = z.infer<typeof certificateListQuery>;

export const certificateSummary = z.object({
  id: z.uuid(),
  registrantId: z.uuid(),
  doseId: z.uuid(),
  doseNumber: z.number().int(),
  vaccineId: z.uuid(),
  vaccineName: z.string(),
  administeredAt: instant,
  issuedAt: instant,
  revoked: z.boolean(),
  revokedAt: instant.nullable(),
  /** The certificate that replaced this one after a correction, if any. */
  replacedBy: z.uuid().nullable(),
});
export type CertificateSummary = z.infer<typeof certificateSummary>;
export const certificateList = z.object({ items: z.array(certificateSummary) });
export type CertificateList = z.infer<typeof certificateList>;

export const certificateView = certificateSummary.extend({
  /** The SMART Health Card: compact JWS, ES256, DEFLATE-compressed payload. */
  jws: z.string(),
  /** The numeric QR content, `shc:/` followed by two digits per JWS character. */
  qr: z.string().startsWith('shc:/'),
  /** The QR code as an SVG document (byte segment `shc:/` + numeric segment, error correction L). */
  qrSvg: z.string(),
});
export type CertificateView = z.infer<typeof certificateView>;

export const verifyCertificateRequest = z
  .object({
    /** What a QR scanner reads: `shc:/` and digits. */
    shc: z
      .string()
      .trim()
      .max(20_000)
      .regex(/^shc:\/(\d\d)+$/i, 'must be a single-QR health card: shc:/ followed by digit pairs'),
    /** Or the JWS itself (e.g. from a `.smart-health-card` file). */
    jws: compactJws,
  })
  .partial()
  .refine((r) => (r.shc === undefined) !== (r.jws === undefined), { path: ['shc'], message: 'give exactly one of shc or jws' });
export type VerifyCertificateRequest = z.infer<typeof verifyCertificateRequest>;

export const verifiedDose = z.object({
  /** Vaccine name as this issuer knows it, else the code. */
  vaccine: z.string(),
  vaccineCodes: z.array(z.object({ system: z.string(), code: z.string() })),
  /** Day (or instant) of administration as the card states it. */
  date: z.string(),
  lotNumber: z.string().nullable(),
  doseNumber: z.number().int().nullable(),
});
export const verificationResult = z.object({
  /** True only when the signature is this issuer's, the card is well-formed and not revoked. */
  valid: z.boolean(),
  revoked: z.boolean(),
  /** Why the card is not valid; absent when it is. */
  reason: z.string().optional(),
  certificateId: z.uuid().optional(),
  issuer: z.string().optional(),
  issuedAt: instant.optional(),
  /** After a correction: the certificate that replaces this one. */
  replacedBy: z.uuid().nullable().optional(),
  /** What the card says; only present when its signature verifies. */
  summary: z
    .object({
      name: z.string(),
      birthDate: z.string(),
      doses: z.array(verifiedDose),
    })
    .optional(),
});
export type VerificationResult = z.infer<typeof verificationResult>;

// ---- FHIR R4 ----
/** A FHIR R4 resource (validated against the official R4 JSON schema in the service's tests). */
export const fhirResource = z.looseObject({ resourceType: z.string() });
export const fhirBundle = z.object({
  resourceType: z.literal('Bundle'),
  type: z.literal('collection'),
  timestamp: instant,
  entry: z.array(z.object({ fullUrl: z.string(), resource: fhirResource })),
});
export type FhirBundle = z.infer<typeof fhirBundle>;
