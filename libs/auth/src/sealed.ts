import { base64url, compactDecrypt, CompactEncrypt } from 'jose';

/**
 * Seals a short secret (a one-time code) for transport through the outbox and
 * queues: JWE compact, `dir` + A256GCM, with a 32-byte key shared only by the
 * sender and the one consumer that must read it. Tampering fails to open.
 */
export async function sealSecret(plaintext: string, key: Uint8Array): Promise<string> {
  assertKey(key);
  return new CompactEncrypt(new TextEncoder().encode(plaintext))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .encrypt(key);
}

export async function openSecret(sealed: string, key: Uint8Array): Promise<string> {
  assertKey(key);
  const { plaintext } = await compactDecrypt(sealed, key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
  return new TextDecoder().decode(plaintext);
}

/** A sealing key from its base64url form (as stored in Secrets Manager / env). */
export function sealingKey(encoded: string): Uint8Array {
  const key = base64url.decode(encoded);
  assertKey(key);
  return key;
}

function assertKey(key: Uint8Array): void {
  if (key.length !== 32) throw new TypeError('a sealing key must be 32 bytes (base64url of 32 random bytes)');
}
