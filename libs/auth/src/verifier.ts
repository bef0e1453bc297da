import { Unauthorized } from '@jab/http';
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JSONWebKeySet } from 'jose';
import { z } from 'zod';
import { ALG } from './keys.js';
import { ROLES, type Principal } from './roles.js';

export type VerifierOptions = ({ jwks: JSONWebKeySet } | { jwksUrl: string | URL }) & {
  issuer: string;
  audience: string;
};

export interface Verifier {
  /** Resolves the caller, or rejects with `Unauthorized` for any bad token. */
  verify(token: string): Promise<Principal>;
}

const claims = z.object({
  sub: z.string().min(1),
  role: z.enum(ROLES),
  centerId: z.string().optional(),
  region: z.string().optional(),
});

// The issuer's JWKS being unreachable or broken is our outage, not the caller's fault: not a 401.
const isServerSide = (error: unknown) => error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid;

export function createVerifier(options: VerifierOptions): Verifier {
  const keys = 'jwks' in options ? createLocalJWKSet(options.jwks) : createRemoteJWKSet(new URL(options.jwksUrl));
  const { issuer, audience } = options;
  return {
    async verify(token) {
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          algorithms: [ALG],
          issuer,
          audience,
          requiredClaims: ['sub', 'exp', 'iat'],
        }));
      } catch (error) {
        if (error instanceof errors.JOSEError && !isServerSide(error))
          throw new Unauthorized('The access token is invalid or expired.', { cause: error });
        throw error;
      }
      const principal = claims.safeParse(payload);
      if (!principal.success) throw new Unauthorized('The access token does not name a known role.');
      const { sub, role, centerId, region } = principal.data;
      return { sub, role, ...(centerId ? { centerId } : {}), ...(region ? { region } : {}) };
    },
  };
}
