import { createSigner, generateSigningKey } from '@jab/auth';
import { outboxSignal } from '@jab/db';
import { AUDIENCE, ISSUER, type ApiParts, type ServiceContext } from '@jab/runtime';
import type { JWK } from 'jose';
import { bookingParts } from './booking/booking.parts.js';
import { recordsParts } from './certificates/records.parts.js';
import { createHealthCardKey, publishingHealthCardKey } from './certificates/shc.js';
import type { RegistrationConfig } from './config.js';
import { identityComponents } from './identity/identity.component.js';

async function signingKeyFor(config: RegistrationConfig, ctx: ServiceContext<RegistrationConfig>): Promise<{ privateJwk: JWK; kid: string }> {
  if (config.JWT_PRIVATE_JWK) return { privateJwk: JSON.parse(config.JWT_PRIVATE_JWK) as JWK, kid: config.JWT_KEY_ID };
  // Never in production (the config refuses it): a fresh key per start, so tokens
  // and certificates from a previous run stop verifying.
  ctx.logger.warn('no JWT_PRIVATE_JWK set: signing with an ephemeral key');
  const key = await generateSigningKey();
  return { privateJwk: key.privateJwk, kid: key.kid };
}

export async function buildApi(ctx: ServiceContext<RegistrationConfig>): Promise<ApiParts> {
  const key = await signingKeyFor(ctx.config, ctx);
  // One key pair signs tokens and health cards; the JWKS publishes it under both kids.
  const cards = await createHealthCardKey({ privateJwk: key.privateJwk, issuer: ctx.config.SHC_ISSUER_URL });
  const signer = publishingHealthCardKey(createSigner({ privateJwk: key.privateJwk, kid: key.kid, issuer: ISSUER }), cards);
  // Writes and what they decide on go to the writer; lists and exports may use the reader (decision 0006).
  // Commits that write events outside withTransaction (group commit, code requests) wake the relay through the pool's one coalesced signal.
  const wakeRelay = outboxSignal(ctx.pool, 'registration');
  const deps = { pool: ctx.pool, readPool: ctx.readPool, signer, audience: AUDIENCE, wakeRelay };
  // One entry per component: its routers and the routes it documents in OpenAPI.
  const components: ApiParts[] = [
    ...identityComponents(ctx, deps),
    bookingParts(ctx, { ...deps, cards }),
    recordsParts({ ...deps, cards }),
  ];
  const hotPaths = components.flatMap((c) => (c.hotPath ? [c.hotPath] : []));
  return {
    routers: components.flatMap((c) => c.routers),
    routes: components.flatMap((c) => c.routes ?? []),
    hotPath: (req, res) => hotPaths.some((answer) => answer(req, res)),
    drain: () => {
      for (const c of components) c.drain?.();
    },
  };
}
