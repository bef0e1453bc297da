import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../../..');

export function readRepoFile(path: string): string {
  return readFileSync(resolve(repoRoot, path), 'utf8');
}

/** Replaces the first `from`; throws when it is absent, so a drift test cannot pass vacuously. */
export function replaceOnce(text: string, from: string | RegExp, to: string): string {
  const match = typeof from === 'string' ? text.indexOf(from) : text.search(from);
  if (match < 0) throw new Error(`fixture no longer contains ${String(from)}`);
  return text.replace(from, to);
}
