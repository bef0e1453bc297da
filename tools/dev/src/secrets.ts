import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Keys for a local stack, as `NAME_FILE` settings (see @jab/config). The same generator
 * as the compose stack's `secrets-init` container: one file per key in `dir`, made once
 * and then kept, so tokens, sealed codes and national-ID hashes stay valid across
 * restarts of the same database (`npm start` keeps them in git-ignored `.jab/`; the
 * throwaway e2e stack gets a fresh directory). Never used outside a laptop.
 */
export function localSecrets(root: string, dir: string): Record<string, string> {
  const out = execFileSync(process.execPath, [join(root, 'docker', 'local-secrets', 'generate.mjs'), dir], { encoding: 'utf8' });
  return JSON.parse(out) as Record<string, string>;
}
