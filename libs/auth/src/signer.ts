import { importJWK, SignJWT, type JSONWebKeySet, type JWK } from 'jose';
import { ALG, publicPart } from './keys.js';
import type { Principal } from './roles.js';

export interface SignerOptions {
  privateJwk: JWK;
  kid: string;
  issuer: string;
}

export interface IssueOptions extends Principal {
  audience: string | string[];
  ttlSeconds: number;
}

export interface Signer {
  issue(options: IssueOptions): Promise<string>;
  /** The public JWKS that verifiers fetch. */
  jwks(): JSONWebKeySet;
}

export function createSigner({ privateJwk, kid, issuer }: SignerOptions): Signer {
  if (!privateJwk.d) throw new Error('createSigner needs a private JWK (with `d`)');
  const jwks: JSONWebKeySet = { keys: [publicPart(privateJwk, kid)] };
  const key = importJWK(privateJwk, ALG);
  return {
    async issue({ sub, role, centerId, region, audience, ttlSeconds }) {
      return new SignJWT({ role, ...(centerId ? { centerId } : {}), ...(region ? { region } : {}) })
        .setProtectedHeader({ alg: ALG, kid, typ: 'JWT' })
        .setSubject(sub)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(await key);
    },
    jwks: () => jwks,
  };
}
