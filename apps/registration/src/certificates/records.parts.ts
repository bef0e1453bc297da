import { createVerifier, type Signer } from '@jab/auth';
import { ISSUER, type ApiParts } from '@jab/runtime';
import type { Pool } from 'pg';
import { fhirRouter, fhirRoutes } from '../fhir/fhir.routes.js';
import { certificatesRouter, certificatesRoutes } from './certificates.routes.js';
import type { HealthCardKey } from './shc.js';

/** Records out: health-card certificates and the FHIR export, sharing one verifier. */
export function recordsParts(deps: { pool: Pool; signer: Signer; audience: string; cards: HealthCardKey }): ApiParts {
  const verifier = createVerifier({ jwks: deps.signer.jwks(), issuer: ISSUER, audience: deps.audience });
  return {
    routers: [certificatesRouter({ pool: deps.pool, cards: deps.cards, verifier }), fhirRouter({ pool: deps.pool, verifier })],
    routes: [...certificatesRoutes, ...fhirRoutes],
  };
}
