import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

export const ALG = 'ES256';

export interface SigningKey {
  privateJwk: JWK;
  publicJwk: JWK;
  kid: string;
}

/** A fresh ES256 key pair; the kid is the RFC 7638 thumbprint of the public key. */
export async function generateSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: ALG, use: 'sig' },
    publicJwk: { ...publicJwk, kid, alg: ALG, use: 'sig' },
    kid,
  };
}

/** The public half of a P-256 JWK: never publish `d`. */
export function publicPart({ kty, crv, x, y }: JWK, kid: string): JWK {
  if (kty !== 'EC' || crv !== 'P-256' || !x || !y) throw new Error('An ES256 key must be an EC P-256 JWK');
  return { kty, crv, x, y, kid, alg: ALG, use: 'sig' };
}
