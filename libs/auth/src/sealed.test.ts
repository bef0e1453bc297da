import { randomBytes } from 'node:crypto';
import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { openSecret, sealingKey, sealSecret } from './sealed.js';

describe('sealed secrets', () => {
  const key = new Uint8Array(randomBytes(32));

  it('round-trips a code without it appearing in the sealed form', async () => {
    const sealed = await sealSecret('482913', key);
    expect(sealed).not.toContain('482913');
    expect(await openSecret(sealed, key)).toBe('482913');
  });

  it('refuses a tampered value or another key', async () => {
    const sealed = await sealSecret('482913', key);
    const parts = sealed.split('.');
    parts[3] = base64url.encode(new Uint8Array(randomBytes(6)));
    await expect(openSecret(parts.join('.'), key)).rejects.toThrow();
    await expect(openSecret(sealed, new Uint8Array(randomBytes(32)))).rejects.toThrow();
  });

  it('accepts only 32-byte keys', () => {
    expect(() => sealingKey(base64url.encode(new Uint8Array(16)))).toThrow(/32 bytes/);
    expect(sealingKey(base64url.encode(key))).toEqual(key);
  });
});
