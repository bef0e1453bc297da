import { jwksRouter, type Signer } from '@jab/auth';
import { staffSessionRequest, staffSessionResponse, type StaffSessionResponse } from '@jab/contracts';
import { parsed, validate, type ApiRoute } from '@jab/http';
import { Router } from 'express';
import type { Pool } from 'pg';
import { signInStaff } from './staff.service.js';

export function identityRouter(deps: { pool: Pool; signer: Signer; audience: string }): Router {
  const router = Router();
  router.use(jwksRouter(deps.signer));
  const schemas = { body: staffSessionRequest };
  router.post('/staff-sessions', validate(schemas), async (req, res) => {
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
    summary: 'Sign in as staff',
    request: { body: staffSessionRequest },
    responses: { 201: { description: 'Signed in', schema: staffSessionResponse } },
  },
];
