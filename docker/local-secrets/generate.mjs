// Keys for a local Jab stack, one file per setting, made once and then kept:
//   node docker/local-secrets/generate.mjs <dir> [owner-uid]   → prints {"NAME_FILE": path, …}
// Services read them through the `NAME_FILE` convention of @jab/config (JWT_PRIVATE_JWK_FILE …).
// docker-compose.yml runs this in its `secrets-init` container; `npm start` runs it too.
// Never used in AWS, where every key comes from Secrets Manager.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every key a local stack shares between processes, and how to make a fresh one. */
const LOCAL_SECRETS = {
  JWT_PRIVATE_JWK: () => JSON.stringify(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' })),
  OTP_SEALING_KEY: () => randomBytes(32).toString('base64url'),
  OTP_HASH_KEY: () => randomBytes(32).toString('base64url'),
  NATIONAL_ID_HASH_KEY: () => randomBytes(32).toString('base64url'),
  NATIONAL_ID_ENC_KEY: () => randomBytes(32).toString('base64url'),
  SEARCH_CURSOR_KEY: () => randomBytes(32).toString('base64url'),
};

/**
 * Writes every missing key into `dir` (an existing key is never replaced: tokens, sealed
 * codes and national-ID hashes stay valid) and returns `{ NAME_FILE: path }` settings.
 */
function ensureLocalSecrets(dir, owner) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (owner !== undefined) chownSync(dir, owner, owner);
  const settings = {};
  for (const [name, make] of Object.entries(LOCAL_SECRETS)) {
    const file = join(dir, name);
    if (!existsSync(file)) {
      writeFileSync(file, make(), { mode: 0o400 });
      if (owner !== undefined) chownSync(file, owner, owner);
    }
    settings[`${name}_FILE`] = file;
  }
  return settings;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, owner] = process.argv.slice(2);
  if (!dir) {
    process.stderr.write('usage: node generate.mjs <dir> [owner-uid]\n');
    process.exit(2);
  }
  // The settings (file paths, never key material) as one JSON line: the dev runner reads it.
  process.stdout.write(`${JSON.stringify(ensureLocalSecrets(dir, owner === undefined ? undefined : Number(owner)))}\n`);
}
