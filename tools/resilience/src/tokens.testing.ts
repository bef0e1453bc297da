/**
 * Forged variants of a valid access token: each must be refused with 401 by every
 * service, whatever role it claims.
 */
import { base64url, decodeJwt, decodeProtectedHeader, generateKeyPair, importJWK, SignJWT, UnsecuredJWT, type JWK, type JWTPayload } from 'jose';

type SigningKey = Parameters<SignJWT['sign']>[0];

const now = () => Math.floor(Date.now() / 1000);
const encode = (value: unknown) => base64url.encode(JSON.stringify(value));

/** `(name, token)` pairs forged from `valid`, which `signingKey` signed. */
export async function forgeries(valid: string, signingKey: { privateJwk: JWK; kid: string }): Promise<[string, string][]> {
  const claims = decodeJwt(valid);
  const { kid } = decodeProtectedHeader(valid);
  const key = await importJWK(signingKey.privateJwk, 'ES256');
  const other = await generateKeyPair('ES256');
  const sign = (payload: JWTPayload, signWith: SigningKey = key, header: Record<string, unknown> = {}) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT', ...header }).sign(signWith);
  const { d: _d, ...publicJwk } = signingKey.privateJwk;
  const [header, , signature] = valid.split('.');
  return [
    ['alg none', new UnsecuredJWT(claims).encode()],
    ['alg none with the real kid', `${encode({ alg: 'none', kid, typ: 'JWT' })}.${encode(claims)}.`],
    ['signed with another key under the real kid', await sign(claims, other.privateKey)],
    ['signed with another key, unknown kid', await sign(claims, other.privateKey, { kid: 'attacker-key' })],
    ['expired', await sign({ ...claims, iat: now() - 7200, exp: now() - 60 })],
    ['not yet valid', await sign({ ...claims, nbf: now() + 3600 })],
    ['wrong audience', await sign({ ...claims, aud: 'someone-else' })],
    ['wrong issuer', await sign({ ...claims, iss: 'https://evil.example' })],
    ['no expiry', await sign(Object.fromEntries(Object.entries(claims).filter(([k]) => k !== 'exp')))],
    ['unknown role', await sign({ ...claims, role: 'superuser' })],
    [
      'payload changed after signing (role changed)',
      `${header}.${encode({ ...claims, role: claims['role'] === 'national-admin' ? 'staff' : 'national-admin' })}.${signature}`,
    ],
    ['payload changed after signing (other subject)', `${header}.${encode({ ...claims, sub: 'someone-else' })}.${signature}`],
    [
      'HS256 keyed with the public key (algorithm confusion)',
      await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid, typ: 'JWT' }).sign(new TextEncoder().encode(JSON.stringify(publicJwk))),
    ],
    ['signature stripped', `${header}.${valid.split('.')[1]}.`],
    ['not a JWT', 'definitely-not-a-token'],
  ];
}
