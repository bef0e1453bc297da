import type { Signer } from '@jab/auth';

/** Access tokens are short-lived; a refresh token (sessions) renews them. */
export const CITIZEN_TOKEN_TTL_SECONDS = 15 * 60;

export interface TokenDeps {
  signer: Signer;
  audience: string;
}

/** A citizen token names the household account: everything they may see hangs off it. */
export function issueCitizenToken(deps: TokenDeps, accountId: string): Promise<string> {
  return deps.signer.issue({ sub: accountId, role: 'citizen', audience: deps.audience, ttlSeconds: CITIZEN_TOKEN_TTL_SECONDS });
}
