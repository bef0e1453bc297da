import type { Signer } from '@jab/auth';
import { registerRequest, registerResponse, type RegisterResponse } from '@jab/contracts';
import { parsed, validate, type ApiRoute } from '@jab/http';
import { Router } from 'express';
import type { Pool } from 'pg';
import { registerRegistrant } from './registrants.service.js';

export const CITIZEN_TOKEN_TTL_SECONDS = 15 * 60;

export function registrantsRouter(deps: { pool: Pool; signer: Signer; audience: string }): Router {
  const router = Router();
  const schemas = { body: registerRequest };
  router.post('/registrants', validate(schemas), async (req, res) => {
    const { body } = parsed(req, schemas);
    const { registrant, accountId } = await registerRegistrant(deps.pool, body);
    const accessToken = await deps.signer.issue({
      sub: accountId,
      role: 'citizen',
      audience: deps.audience,
      ttlSeconds: CITIZEN_TOKEN_TTL_SECONDS,
    });
    const response: RegisterResponse = { registrant, accessToken };
    res.status(201).location(`registrants/${registrant.id}`).json(response);
  });
  return router;
}

export const registrantsRoutes: ApiRoute[] = [
  {
    method: 'post',
    path: '/registrants',
    summary: 'Register a person under a new household account',
    request: { body: registerRequest },
    responses: { 201: { description: 'Registered; carries a citizen access token', schema: registerResponse } },
  },
];
