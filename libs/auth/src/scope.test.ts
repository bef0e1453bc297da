import { createLogger } from '@jab/logger';
import { createApp, finalizeApp } from '@jab/http';
import { Registry } from 'prom-client';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { actsInRegion, authenticate, createSigner, createVerifier, generateSigningKey, missingScope, requireScopedRole, type Principal, type Signer, type Verifier } from './index.js';

const vaccinator: Principal = { sub: 's-1', role: 'staff', region: 'FR-IDF', centerId: 'c-1' };
const centerAdmin: Principal = { sub: 'a-1', role: 'center-admin', region: 'FR-IDF' };
const national: Principal = { sub: 'n-1', role: 'national-admin' };

describe('the staff scope rule', () => {
  it('asks a vaccinator for a region and a center, a center admin for a region, a national admin for nothing', () => {
    expect(missingScope(vaccinator)).toEqual([]);
    expect(missingScope(centerAdmin)).toEqual([]);
    expect(missingScope({ ...centerAdmin, centerId: 'c-1' })).toEqual([]);
    expect(missingScope(national)).toEqual([]);
    expect(missingScope({ sub: 's-2', role: 'staff' })).toEqual(['region', 'center']);
    expect(missingScope({ sub: 's-3', role: 'staff', region: 'FR-IDF' })).toEqual(['center']);
    expect(missingScope({ sub: 's-4', role: 'staff', centerId: 'c-1' })).toEqual(['region']);
    expect(missingScope({ sub: 'a-2', role: 'center-admin', centerId: 'c-1' })).toEqual(['region']);
    expect(missingScope({ sub: 'c', role: 'citizen' })).toEqual([]);
  });

  it('lets national admins act in every region, scoped staff in their own, and nobody unscoped anywhere', () => {
    expect(actsInRegion(national, 'IN-MH')).toBe(true);
    expect(actsInRegion(vaccinator, 'FR-IDF')).toBe(true);
    expect(actsInRegion(vaccinator, 'FR-ARA')).toBe(false);
    expect(actsInRegion(centerAdmin, 'FR-IDF')).toBe(true);
    expect(actsInRegion({ sub: 's-3', role: 'staff', region: 'FR-IDF' }, 'FR-IDF')).toBe(false);
    expect(actsInRegion({ sub: 'c', role: 'citizen', region: 'FR-IDF' }, 'FR-IDF')).toBe(false);
  });
});

describe('requireScopedRole', () => {
  let signer: Signer;
  let verifier: Verifier;
  beforeAll(async () => {
    const key = await generateSigningKey();
    signer = createSigner({ privateJwk: key.privateJwk, kid: key.kid, issuer: 'https://jab.test' });
    verifier = createVerifier({ jwks: signer.jwks(), issuer: 'https://jab.test', audience: 'jab-api' });
  });
  const call = async (p: Principal) => {
    const logger = createLogger({ service: 'test', level: 'silent' });
    const a = createApp({ service: 'test', logger, registry: new Registry() });
    a.get('/work', authenticate(verifier), requireScopedRole('staff', 'center-admin', 'national-admin'), (_req, res) => void res.json({ ok: true }));
    const token = await signer.issue({ ...p, audience: 'jab-api', ttlSeconds: 60 });
    return request(finalizeApp(a)).get('/work').set('authorization', `Bearer ${token}`);
  };

  it('passes scoped staff and refuses a staff token without the region or center its role needs, saying which', async () => {
    for (const p of [vaccinator, centerAdmin, national]) expect((await call(p)).status).toBe(200);
    const unscoped = await call({ sub: 's-2', role: 'staff' });
    expect(unscoped.status).toBe(403);
    expect(unscoped.body.detail).toBe('Your staff account has no region and no center; ask an administrator to set them.');
    expect((await call({ sub: 'a-2', role: 'center-admin' })).status).toBe(403);
    expect((await call({ sub: 'c-1', role: 'citizen' })).status).toBe(403);
  });
});
