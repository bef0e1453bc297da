import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@jab/logger';
import { createApp, finalizeApp } from '@jab/http';
import express from 'express';
import { SignJWT, base64url, importJWK } from 'jose';
import { Registry } from 'prom-client';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authenticate,
  createSigner,
  createVerifier,
  generateSigningKey,
  jwksRouter,
  requireRole,
  type Signer,
  type SigningKey,
  type Verifier,
} from './index.js';

const ISSUER = 'https://jab.test/registration';
const AUDIENCE = 'jab-api';

let key: SigningKey;
let signer: Signer;
let verifier: Verifier;

beforeAll(async () => {
  key = await generateSigningKey();
  signer = createSigner({ privateJwk: key.privateJwk, kid: key.kid, issuer: ISSUER });
  verifier = createVerifier({ jwks: signer.jwks(), issuer: ISSUER, audience: AUDIENCE });
});

const staff = { sub: 'u-1', role: 'staff' as const, centerId: 'c-7', region: 'north', audience: AUDIENCE, ttlSeconds: 60 };

describe('signer and verifier', () => {
  it('round-trips the principal', async () => {
    const token = await signer.issue(staff);
    await expect(verifier.verify(token)).resolves.toEqual({ sub: 'u-1', role: 'staff', centerId: 'c-7', region: 'north' });
    await expect(verifier.verify(await signer.issue({ sub: 'u-2', role: 'citizen', audience: AUDIENCE, ttlSeconds: 60 }))).resolves.toEqual({
      sub: 'u-2',
      role: 'citizen',
    });
  });

  it('publishes only the public key, with its kid', () => {
    const [jwk] = signer.jwks().keys;
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', kid: key.kid, alg: 'ES256', use: 'sig' });
    expect(jwk).not.toHaveProperty('d');
  });

  it('rejects an unsigned alg:none token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const part = (o: object) => base64url.encode(JSON.stringify(o));
    const token = `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'u-1', role: 'national-admin', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 60 })}.`;
    await expect(verifier.verify(token)).rejects.toMatchObject({ status: 401 });
  });

  it('rejects a token signed by another key, even under the same kid', async () => {
    const other = await generateSigningKey();
    const forger = createSigner({ privateJwk: other.privateJwk, kid: key.kid, issuer: ISSUER });
    await expect(verifier.verify(await forger.issue(staff))).rejects.toMatchObject({ status: 401 });
  });

  it('rejects an HS256 token keyed with the public key (algorithm confusion)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const secret = new TextEncoder().encode(JSON.stringify(key.publicJwk));
    const token = await new SignJWT({ role: 'national-admin' })
      .setProtectedHeader({ alg: 'HS256', kid: key.kid })
      .setSubject('u-1')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(secret);
    await expect(verifier.verify(token)).rejects.toMatchObject({ status: 401 });
  });

  it('rejects an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ role: 'staff' })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .setSubject('u-1')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now - 120)
      .setExpirationTime(now - 60)
      .sign(await importJWK(key.privateJwk, 'ES256'));
    await expect(verifier.verify(token)).rejects.toMatchObject({ status: 401 });
  });

  it('rejects the wrong audience and the wrong issuer', async () => {
    await expect(verifier.verify(await signer.issue({ ...staff, audience: 'other-api' }))).rejects.toMatchObject({ status: 401 });
    const stranger = createSigner({ privateJwk: key.privateJwk, kid: key.kid, issuer: 'https://evil.test' });
    await expect(verifier.verify(await stranger.issue(staff))).rejects.toMatchObject({ status: 401 });
  });

  it('rejects malformed tokens and unknown roles', async () => {
    for (const bad of ['', 'abc', 'a.b.c', `${(await signer.issue(staff)).slice(0, -4)}AAAA`]) {
      await expect(verifier.verify(bad)).rejects.toMatchObject({ status: 401 });
    }
    const root = await signer.issue({ ...staff, role: 'root' as never });
    await expect(verifier.verify(root)).rejects.toMatchObject({ status: 401 });
  });
});

describe('authenticate and requireRole', () => {
  function app() {
    const logger = createLogger({ service: 'test', level: 'silent' });
    const a = createApp({ service: 'test', logger, registry: new Registry() });
    a.get('/me', authenticate(verifier), (req, res) => {
      res.json(req.principal);
    });
    a.get('/admin', authenticate(verifier), requireRole('center-admin', 'national-admin'), (_req, res) => {
      res.json({ ok: true });
    });
    return finalizeApp(a);
  }

  it('answers 401 problem without a token or with a bad one', async () => {
    for (const authorization of [undefined, 'Bearer', 'Basic dXNlcjpwYXNz', 'Bearer not.a.token']) {
      const req = request(app()).get('/me');
      const res = await (authorization ? req.set('authorization', authorization) : req);
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it('puts the principal on the request', async () => {
    const res = await request(app()).get('/me').set('authorization', `Bearer ${await signer.issue(staff)}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sub: 'u-1', role: 'staff', centerId: 'c-7', region: 'north' });
  });

  it('answers 403 for the wrong role and passes the right one', async () => {
    const forbidden = await request(app()).get('/admin').set('authorization', `Bearer ${await signer.issue(staff)}`);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers['content-type']).toContain('application/problem+json');
    const admin = await signer.issue({ ...staff, role: 'center-admin' });
    expect((await request(app()).get('/admin').set('authorization', `Bearer ${admin}`)).status).toBe(200);
  });
});

describe('remote JWKS', () => {
  let server: Server;
  let jwksUrl: string;
  let fetches = 0;

  beforeAll(async () => {
    const issuerApp = express();
    issuerApp.use((_req, _res, next) => {
      fetches++;
      next();
    });
    issuerApp.use('/api/registration/v1', jwksRouter(signer));
    server = createServer(issuerApp);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/registration/v1/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('serves the JWKS with cache headers', async () => {
    const res = await fetch(jwksUrl);
    expect(res.headers.get('cache-control')).toContain('max-age=300');
    expect(await res.json()).toEqual(signer.jwks());
  });

  it('verifies tokens against keys fetched over HTTP, caching them', async () => {
    const remote = createVerifier({ jwksUrl, issuer: ISSUER, audience: AUDIENCE });
    const before = fetches;
    await expect(remote.verify(await signer.issue(staff))).resolves.toMatchObject({ sub: 'u-1', role: 'staff' });
    await expect(remote.verify(await signer.issue(staff))).resolves.toMatchObject({ sub: 'u-1' });
    expect(fetches - before).toBe(1);
    const other = await generateSigningKey();
    const forger = createSigner({ privateJwk: other.privateJwk, kid: other.kid, issuer: ISSUER });
    await expect(remote.verify(await forger.issue(staff))).rejects.toMatchObject({ status: 401 });
  });
});
