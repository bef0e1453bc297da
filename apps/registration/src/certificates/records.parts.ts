import { createVerifier, type Signer } from '@jab/auth';
import { ISSUER, type ApiParts } from '@jab/runtime';
import { fhirRouter, fhirRoutes } from '../fhir/fhir.routes.js';
import type { Pools } from '../pools.js';
import { certificatesRouter, certificatesRoutes } from './certificates.routes.js';
import type { HealthCardKey } from './shc.js';

/** Records out: health-card certificates and the FHIR export, sharing one verifier. */
export function recordsParts(deps: Pools & { signer: Signer; audience: string; cards: HealthCardKey }): ApiParts {
  const verifier = createVerifier({ jwks: deps.signer.jwks(), issuer: ISSUER, audience: deps.audience });
  return {
    routers: [
      certificatesRouter({ pool: deps.pool, readPool: deps.readPool, cards: deps.cards, verifier }),
      fhirRouter({ pool: deps.pool, readPool: deps.readPool, verifier }),
    ],
    routes: [...certificatesRoutes, ...fhirRoutes],
  };
}
