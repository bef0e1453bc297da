import type { Signer } from '@jab/auth';
import {
  calculateJwkThumbprint,
  CompactSign,
  compactVerify,
  createLocalJWKSet,
  errors,
  importJWK,
  type JSONWebKeySet,
  type JWK,
} from 'jose';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import QRCode from 'qrcode';
import { FHIR_VERSION, type FhirBundle } from '../fhir/fhir.mapping.js';

/**
 * SMART Health Cards (https://spec.smarthealth.cards): the VC payload, compact JWS
 * ES256 with `zip: "DEF"` over the raw-DEFLATEd minified JSON, and the numeric
 * `shc:/` QR encoding. Pure functions and the issuer's key; no database.
 */

export const HEALTH_CARD_TYPES = ['https://smarthealth.cards#health-card', 'https://smarthealth.cards#immunization'];
/** The longest JWS one QR code (version 22, error correction L) carries. */
export const MAX_SINGLE_QR_JWS = 1195;
/** Inflated payloads larger than this are refused (a small card cannot need more). */
const MAX_PAYLOAD_BYTES = 64 * 1024;

export interface HealthCardPayload {
  iss: string;
  nbf: number;
  vc: {
    type: string[];
    /** Revocation id: the certificate id, base64url (22 characters). */
    rid: string;
    credentialSubject: { fhirVersion: string; fhirBundle: FhirBundle };
  };
}

export function healthCardPayload(issuer: string, issuedAt: Date, rid: string, fhirBundle: FhirBundle): HealthCardPayload {
  return {
    iss: issuer,
    nbf: Math.floor(issuedAt.getTime() / 1000),
    vc: { type: HEALTH_CARD_TYPES, rid, credentialSubject: { fhirVersion: FHIR_VERSION, fhirBundle } },
  };
}

/** A certificate id (UUID) as a card's `rid`, and back: base64url of its 16 bytes. */
export function ridOf(certificateId: string): string {
  return Buffer.from(certificateId.replace(/-/g, ''), 'hex').toString('base64url');
}

export function certificateIdOf(rid: string): string | null {
  if (!/^[A-Za-z0-9_-]{22}$/.test(rid)) return null;
  const hex = Buffer.from(rid, 'base64url').toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `shc:/` and two digits per JWS character: its code minus 45 (`-`, the lowest base64url/`.` code). */
export function toShcNumeric(jws: string): string {
  let digits = '';
  for (const char of jws) digits += String(char.charCodeAt(0) - 45).padStart(2, '0');
  return `shc:/${digits}`;
}

export class CardRejected extends Error {}

export function fromShcNumeric(shc: string): string {
  const match = /^shc:\/((?:\d\d)+)$/i.exec(shc.trim());
  if (!match) throw new CardRejected('not a single-QR health card (shc:/ followed by digit pairs)');
  let jws = '';
  for (let i = 0; i < match[1].length; i += 2) {
    const value = Number(match[1].slice(i, i + 2));
    // 45 + 0..77 spans '-' to 'z': every base64url character and '.'.
    if (value > 77) throw new CardRejected('the QR digits do not encode a JWS');
    jws += String.fromCharCode(value + 45);
  }
  return jws;
}

/** The QR code as SVG: a byte segment for `shc:/` and a numeric one for the digits, as the spec requires. */
export async function qrSvg(shc: string): Promise<string> {
  return QRCode.toString(
    [
      { data: Buffer.from('shc:/'), mode: 'byte' },
      { data: shc.slice('shc:/'.length), mode: 'numeric' },
    ],
    { type: 'svg', errorCorrectionLevel: 'L', margin: 2 },
  );
}

export interface VerifiedCard {
  kid: string;
  payload: unknown;
}

/** The issuer's health-card key: signs cards and verifies its own. */
export interface HealthCardKey {
  /** The `iss` of every card; its JWKS is `<issuer>/.well-known/jwks.json`. */
  issuer: string;
  /** base64url SHA-256 JWK thumbprint (RFC 7638) of the public key, as the spec requires. */
  kid: string;
  /** The public key as published in the JWKS. */
  publicJwk: JWK;
  sign(payload: HealthCardPayload): Promise<string>;
  /** Resolves the inflated payload, or rejects with CardRejected naming what is wrong. */
  verify(jws: string): Promise<VerifiedCard>;
}

export async function createHealthCardKey(options: { privateJwk: JWK; issuer: string }): Promise<HealthCardKey> {
  const { kty, crv, x, y, d } = options.privateJwk;
  if (kty !== 'EC' || crv !== 'P-256' || !x || !y || !d) throw new Error('a health-card key must be a private EC P-256 JWK');
  const kid = await calculateJwkThumbprint({ kty, crv, x, y }, 'sha256');
  const publicJwk: JWK = { kty, crv, x, y, kid, alg: 'ES256', use: 'sig' };
  const privateKey = await importJWK({ kty, crv, x, y, d }, 'ES256');
  const keys = createLocalJWKSet({ keys: [publicJwk] });
  return {
    issuer: options.issuer,
    kid,
    publicJwk,
    async sign(payload) {
      // Minified JSON (JSON.stringify adds no whitespace), raw DEFLATE (no zlib header).
      const compressed = deflateRawSync(Buffer.from(JSON.stringify(payload)));
      return new CompactSign(compressed).setProtectedHeader({ alg: 'ES256', zip: 'DEF', kid }).sign(privateKey);
    },
    async verify(jws) {
      let verified;
      try {
        verified = await compactVerify(jws, keys, { algorithms: ['ES256'] });
      } catch (error) {
        if (error instanceof errors.JWKSNoMatchingKey) throw new CardRejected('signed with a key this issuer does not publish');
        if (error instanceof errors.JWSSignatureVerificationFailed) throw new CardRejected('the signature does not match the content');
        if (error instanceof errors.JOSEError) throw new CardRejected('not a well-formed ES256 JWS');
        throw error;
      }
      if (verified.protectedHeader.zip !== 'DEF') throw new CardRejected('the payload is not DEFLATE-compressed (zip: DEF)');
      let json: string;
      try {
        json = inflateRawSync(verified.payload, { maxOutputLength: MAX_PAYLOAD_BYTES }).toString('utf8');
      } catch {
        throw new CardRejected('the payload does not inflate');
      }
      try {
        return { kid, payload: JSON.parse(json) as unknown };
      } catch {
        throw new CardRejected('the payload is not JSON');
      }
    },
  };
}

/**
 * The service's token signer, publishing the health-card key beside the token key.
 * Both are the same key pair; the card needs its thumbprint as `kid`, while tokens
 * keep the configured `JWT_KEY_ID`. When the two ids agree there is one entry.
 */
export function publishingHealthCardKey(signer: Signer, card: HealthCardKey): Signer {
  const base = signer.jwks();
  const jwks: JSONWebKeySet = base.keys.some((k) => k.kid === card.kid) ? base : { keys: [...base.keys, card.publicJwk] };
  return { issue: (options) => signer.issue(options), jwks: () => jwks };
}
