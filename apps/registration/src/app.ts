import { createSigner, generateSigningKey, type Signer } from '@jab/auth';
import { AUDIENCE, ISSUER, type ApiParts, type ServiceContext } from '@jab/runtime';
import { bookingParts } from './booking/booking.parts.js';
import type { RegistrationConfig } from './config.js';
import { identityComponents } from './identity/identity.component.js';

async function signerFor(config: RegistrationConfig, ctx: ServiceContext<RegistrationConfig>): Promise<Signer> {
  if (config.JWT_PRIVATE_JWK) {
    return createSigner({ privateJwk: JSON.parse(config.JWT_PRIVATE_JWK), kid: config.JWT_KEY_ID, issuer: ISSUER });
  }
  // Never in production (the config refuses it): a fresh key per start, so tokens
  // from a previous run stop verifying.
  ctx.logger.warn('no JWT_PRIVATE_JWK set: signing with an ephemeral key');
  const key = await generateSigningKey();
  return createSigner({ privateJwk: key.privateJwk, kid: key.kid, issuer: ISSUER });
}

export async function buildApi(ctx: ServiceContext<RegistrationConfig>): Promise<ApiParts> {
  const signer = await signerFor(ctx.config, ctx);
  const deps = { pool: ctx.pool, signer, audience: AUDIENCE };
  // One entry per component: its routers and the routes it documents in OpenAPI.
  const components: ApiParts[] = [
    ...identityComponents(ctx, deps),
    bookingParts(ctx, deps),
  ];
  return {
    routers: components.flatMap((c) => c.routers),
    routes: components.flatMap((c) => c.routes ?? []),
  };
}
