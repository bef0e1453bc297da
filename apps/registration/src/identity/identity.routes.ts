import { jwksRouter, type Signer } from '@jab/auth';
import { staffSessionRequest, staffSessionResponse, type StaffSessionResponse } from '@jab/contracts';
import { parsed, validate, type ApiRoute } from '@jab/http';
import { Router, type RequestHandler } from 'express';
import type { Pool } from 'pg';
import { signInStaff } from './staff.service.js';

const schemas = { body: staffSessionRequest };

/**
 * Staff sign-in and the JWKS. `staffSignInLimit` runs after parsing (it is keyed by
 * the email) and counts failed attempts only, so password guessing is throttled per
 * email and client IP while a nurse signing in all day is not.
 */
export function identityRouter(
  deps: { pool: Pool; signer: Signer; audience: string },
  staffSignInLimit: RequestHandler,
): Router {
  const router = Router();
  router.use(jwksRouter(deps.signer));
  router.post('/staff-sessions', validate(schemas), staffSignInLimit, async (req, res) => {
    const { body } = parsed(req, schemas);
    const session: StaffSessionResponse = await signInStaff(deps, body.email, body.password);
    res.status(201).json(session);
  });
  return router;
}

export const identityRoutes: ApiRoute[] = [
  {
    method: 'post',
    path: '/staff-sessions',
    summary: 'Sign in as staff (token carries role, region and center); failed attempts are rate-limited per email and IP',
    tags: ['identity'],
    request: schemas,
    responses: {
      201: { description: 'Signed in', schema: staffSessionResponse },
      401: { description: 'Email or password is wrong' },
      429: { description: 'Too many failed attempts; see Retry-After' },
    },
  },
];
