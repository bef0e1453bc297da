import { Forbidden, Unauthorized } from '@jab/http';
import { Router, type RequestHandler } from 'express';
import { missingScopeProblem, type Principal, type Role } from './roles.js';
import type { Signer } from './signer.js';
import type { Verifier } from './verifier.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by `authenticate` once the bearer token is verified. */
      principal?: Principal;
    }
  }
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

/** Puts the verified caller on `req.principal`; 401 without a valid bearer token. */
export function authenticate(verifier: Verifier): RequestHandler {
  return async (req, _res, next) => {
    const token = BEARER.exec(req.headers.authorization ?? '')?.[1];
    if (!token) throw new Unauthorized('A bearer token is required.');
    req.principal = await verifier.verify(token);
    next();
  };
}

/** The verified caller of a route behind `authenticate`; 401 if there is none. */
export function principalOf(req: { principal?: Principal }): Principal {
  if (!req.principal) throw new Unauthorized('A bearer token is required.');
  return req.principal;
}

/** After `authenticate`: 403 unless the caller has one of `roles`. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!roles.includes(principalOf(req).role)) throw new Forbidden('Your role may not do this.');
    next();
  };
}

/**
 * After `authenticate`: `requireRole`, and a staff token must also name the scope its role
 * needs (`missingScope`): an account without a region, or a vaccinator without a center,
 * is refused everywhere rather than let loose on every region.
 */
export function requireScopedRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    const principal = principalOf(req);
    if (!roles.includes(principal.role)) throw new Forbidden('Your role may not do this.');
    const problem = missingScopeProblem(principal);
    if (problem) throw new Forbidden(problem);
    next();
  };
}

/** Serves the signer's public keys at `/.well-known/jwks.json`; mount under the issuer's API base. */
export function jwksRouter(signer: Signer): Router {
  const router = Router();
  router.get('/.well-known/jwks.json', (_req, res) => {
    // Short enough that a rotated key reaches verifiers within minutes.
    res.set('Cache-Control', 'public, max-age=300, stale-while-revalidate=60').json(signer.jwks());
  });
  return router;
}
