import { jwksRouter, type Signer } from '@jab/auth';
import { staffSessionRequest, type StaffSessionResponse } from '@jab/contracts';
import { parsed, validate } from '@jab/http';
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
