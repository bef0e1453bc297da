import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

// Layout of the stored ciphertext: a key version byte (for rotation), the 12-byte IV,
// the 16-byte GCM tag, then the ciphertext.
const KEY_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The de-duplication key: HMAC-SHA256, so equal IDs collide and a dump reveals none. */
export function nationalIdHash(key: Buffer, nationalId: string): Buffer {
  return createHmac('sha256', key).update(`national-id:${nationalId}`).digest();
}

/**
 * AES-256-GCM with the registrant id as additional data: a ciphertext copied onto
 * another person's row fails to decrypt instead of lending them an identity.
 */
export function encryptNationalId(key: Buffer, registrantId: string, nationalId: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(registrantId));
  const ciphertext = Buffer.concat([cipher.update(nationalId, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.of(KEY_VERSION), iv, cipher.getAuthTag(), ciphertext]);
}

export function decryptNationalId(key: Buffer, registrantId: string, stored: Buffer): string {
  if (stored[0] !== KEY_VERSION) throw new Error(`unknown national ID key version ${stored[0]}`);
  const iv = stored.subarray(1, 1 + IV_BYTES);
  const tag = stored.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(registrantId));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(stored.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
}

/** Enough for staff to check a document against the record, not enough to reuse. */
export function maskNationalId(nationalId: string): string {
  return `••••${nationalId.slice(-4)}`;
}
