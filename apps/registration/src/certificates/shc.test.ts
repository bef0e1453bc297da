import { createSigner, generateSigningKey } from '@jab/auth';
import { calculateJwkThumbprint, decodeProtectedHeader } from 'jose';
import { randomUUID } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  CardRejected,
  certificateIdOf,
  createHealthCardKey,
  fromShcNumeric,
  healthCardPayload,
  publishingHealthCardKey,
  qrSvg,
  ridOf,
  toShcNumeric,
} from './shc.js';

const bundle = { resourceType: 'Bundle' as const, type: 'collection' as const, entry: [] };

describe('the shc:/ numeric encoding', () => {
  it('writes each JWS character as two digits of its code minus 45, and reads them back', () => {
    expect(toShcNumeric('-.0Az_')).toBe('shc:/000103207750');
    const jws = 'eyJhbGciOiJFUzI1NiIsInppcCI6IkRFRiJ9.3ZJNb-IwEIb_ix_.Ab-c_9';
    expect(fromShcNumeric(toShcNumeric(jws))).toBe(jws);
  });

  it('refuses digits that encode no JWS character, and chunked or foreign content', () => {
    expect(() => fromShcNumeric('shc:/7899')).toThrow(CardRejected);
    expect(() => fromShcNumeric('shc:/1/2/0001')).toThrow(CardRejected);
    expect(() => fromShcNumeric('https://example.org')).toThrow(CardRejected);
  });

  it('draws the QR code as SVG', async () => {
    const svg = await qrSvg(toShcNumeric('abc.def.ghi'));
    expect(svg).toMatch(/^<svg[^>]*viewBox/);
  });
});

describe('revocation ids', () => {
  it('are the certificate id in 22 base64url characters', () => {
    const id = randomUUID();
    const rid = ridOf(id);
    expect(rid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(certificateIdOf(rid)).toBe(id);
    expect(certificateIdOf('too-short')).toBeNull();
  });
});

describe('the health-card key', () => {
  it('signs with the JWK thumbprint as kid and zip DEF, over raw-DEFLATEd minified JSON', async () => {
    const key = await generateSigningKey();
    const cards = await createHealthCardKey({ privateJwk: key.privateJwk, issuer: 'https://jab.example/api/registration/v1' });
    const jws = await cards.sign(healthCardPayload(cards.issuer, new Date('2031-03-14T10:00:00Z'), ridOf(randomUUID()), bundle));
    expect(decodeProtectedHeader(jws)).toEqual({ alg: 'ES256', zip: 'DEF', kid: await calculateJwkThumbprint(key.publicJwk) });
    const json = inflateRawSync(Buffer.from(jws.split('.')[1], 'base64url')).toString();
    expect(json).not.toMatch(/\s/);
    expect(JSON.parse(json)).toMatchObject({ iss: cards.issuer, nbf: 1931248800, vc: { credentialSubject: { fhirVersion: '4.0.1' } } });
    await expect(cards.verify(jws)).resolves.toMatchObject({ kid: cards.kid });
  });

  it('rejects a card of another key under the same kid', async () => {
    const [mine, theirs] = [await generateSigningKey(), await generateSigningKey()];
    const cards = await createHealthCardKey({ privateJwk: mine.privateJwk, issuer: 'https://jab.example' });
    const forger = await createHealthCardKey({ privateJwk: theirs.privateJwk, issuer: 'https://jab.example' });
    const forged = await forger.sign(healthCardPayload('https://jab.example', new Date(), ridOf(randomUUID()), bundle));
    const [, payload, signature] = forged.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', zip: 'DEF', kid: cards.kid })).toString('base64url');
    await expect(cards.verify(`${header}.${payload}.${signature}`)).rejects.toThrow(/signature/);
    await expect(cards.verify(forged)).rejects.toThrow(/key this issuer does not publish/);
  });

  it('is published in the JWKS beside the token key when their kids differ', async () => {
    const key = await generateSigningKey();
    const cards = await createHealthCardKey({ privateJwk: key.privateJwk, issuer: 'https://jab.example' });
    const withOtherKid = publishingHealthCardKey(createSigner({ privateJwk: key.privateJwk, kid: 'jab-1', issuer: 'jab' }), cards);
    expect(withOtherKid.jwks().keys.map((k) => k.kid)).toEqual(['jab-1', cards.kid]);
    const sameKid = publishingHealthCardKey(createSigner({ privateJwk: key.privateJwk, kid: key.kid, issuer: 'jab' }), cards);
    expect(sameKid.jwks().keys.map((k) => k.kid)).toEqual([cards.kid]);
  });
});
