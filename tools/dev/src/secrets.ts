import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The keys a local stack shares between its processes, as env settings. */
export type LocalSecrets = Record<
  'JWT_PRIVATE_JWK' | 'OTP_SEALING_KEY' | 'OTP_HASH_KEY' | 'NATIONAL_ID_HASH_KEY' | 'NATIONAL_ID_ENC_KEY',
  string
>;

function generate(): LocalSecrets {
  const key = () => randomBytes(32).toString('base64url');
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    JWT_PRIVATE_JWK: JSON.stringify(privateKey.export({ format: 'jwk' })),
    OTP_SEALING_KEY: key(),
    OTP_HASH_KEY: key(),
    NATIONAL_ID_HASH_KEY: key(),
    NATIONAL_ID_ENC_KEY: key(),
  };
}

/**
 * Keys for a local stack. `npm start` keeps them in a git-ignored file so tokens,
 * sealed codes and national-ID hashes stay valid across restarts of the same
 * database; the throwaway e2e stack gets fresh ones. Never used outside a laptop.
 */
export async function localSecrets(file: string | undefined): Promise<LocalSecrets> {
  if (!file) return generate();
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LocalSecrets;
  } catch {
    const secrets = generate();
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    return secrets;
  }
}
