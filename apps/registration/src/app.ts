import { createSigner, generateSigningKey, type Signer } from '@jab/auth';
import { registerRequest, registerResponse, staffSessionRequest, staffSessionResponse } from '@jab/contracts';
import { AUDIENCE, ISSUER, type ApiParts, type ServiceContext } from '@jab/runtime';
import type { RegistrationConfig } from './config.js';
import { identityRouter } from './identity/identity.routes.js';
import { registrantsRouter } from './registrants/registrants.routes.js';

async function signerFor(config: RegistrationConfig, ctx: ServiceContext<RegistrationConfig>): Promise<Signer> {
  if (config.JWT_PRIVATE_JWK) {
    return createSigner({ privateJwk: JSON.parse(config.JWT_PRIVATE_JWK), kid: config.JWT_KEY_ID, issuer: ISSUER });
  }
  // Local stacks only (the config refuses this in production unless explicitly
  // allowed): a fresh key per start, so tokens from a previous run stop verifying.
  ctx.logger.warn('no JWT_PRIVATE_JWK set: signing with an ephemeral key');
  const key = await generateSigningKey();
  return createSigner({ privateJwk: key.privateJwk, kid: key.kid, issuer: ISSUER });
}

export async function buildApi(ctx: ServiceContext<RegistrationConfig>): Promise<ApiParts> {
  const signer = await signerFor(ctx.config, ctx);
  const deps = { pool: ctx.pool, signer, audience: AUDIENCE };
  return {
    routers: [registrantsRouter(deps), identityRouter(deps)],
    routes: [
      {
        method: 'post',
        path: '/registrants',
        summary: 'Register a person under a new household account',
        request: { body: registerRequest },
        responses: { 201: { description: 'Registered; carries a citizen access token', schema: registerResponse } },
      },
      {
        method: 'post',
        path: '/staff-sessions',
        summary: 'Sign in as staff',
        request: { body: staffSessionRequest },
        responses: { 201: { description: 'Signed in', schema: staffSessionResponse } },
      },
    ],
  };
}
