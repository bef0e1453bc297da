import type { Contact } from '@jab/contracts';
import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';

/** Email addresses are case-insensitive in practice: one account per mailbox. */
export function normalizeContact(contact: Contact): Contact {
  return contact.channel === 'email' ? { channel: 'email', address: contact.address.trim().toLowerCase() } : contact;
}

/** Who asked for a code, as stored and as rate-limited: keyed, so neither a dump nor Redis shows the contact. */
export function destinationHash(key: Buffer, contact: Contact): Buffer {
  const { channel, address } = normalizeContact(contact);
  return createHmac('sha256', key).update(`otp-destination:${channel}:${address}`).digest();
}

/** Six digits from the CSPRNG, leading zeros kept. */
export function generateCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

// Bound to the destination, so a code hash is useless for any other contact; the
// pepper (OTP_HASH_KEY) keeps 10^6 candidates from being tried against a dump.
export function codeHash(key: Buffer, destination: Buffer, code: string): Buffer {
  return createHmac('sha256', key).update(destination).update(`:${code}`).digest();
}

/** A 256-bit opaque refresh token and its SHA-256 (ample for a random secret; no key needed). */
export function newRefreshToken(): { token: string; hash: Buffer } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: refreshTokenHash(token) };
}

export function refreshTokenHash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** A rate-limit key that names an email without storing it. */
export function emailKey(key: Buffer, email: string): string {
  return createHmac('sha256', key).update(`staff-email:${email.trim().toLowerCase()}`).digest('base64url').slice(0, 22);
}
