/**
 * What each area of the web app costs a first visit, in gzip bytes of JavaScript:
 *   npx nx run web:build && node --conditions=@jab/source --import tsx tools/bench/src/web-bundle.ts
 * Reads Vite's build manifest and follows, from the entry, every static import plus the
 * area's lazy chunk and its static imports (what the browser must fetch before the area
 * shows). Locale files and lazily imported extras (the QR code, charts) are listed apart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

interface Chunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}

const dist = join(import.meta.dirname, '../../../apps/web/dist');
const manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8')) as Record<string, Chunk>;
const gzipped = new Map<string, number>();
const sizeOf = (file: string) => {
  let size = gzipped.get(file);
  if (size === undefined) gzipped.set(file, (size = gzipSync(readFileSync(join(dist, file)), { level: 9 }).length));
  return size;
};

/** The chunk and everything it imports statically, transitively. */
function closure(key: string, seen = new Set<string>()): Set<string> {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const dep of manifest[key]?.imports ?? []) closure(dep, seen);
  return seen;
}

const entryKey = Object.keys(manifest).find((k) => manifest[k]!.isEntry);
if (!entryKey) throw new Error('no entry in the manifest: build with `npx nx run web:build` first');
const entry = closure(entryKey);
const kb = (bytes: number) => (bytes / 1024).toFixed(1);

const rows: string[] = [];
for (const area of ['citizen', 'staff', 'admin']) {
  const key = Object.keys(manifest).find((k) => k.endsWith(`src/${area}/${area}-area.tsx`));
  if (!key) throw new Error(`no ${area} area chunk in the manifest`);
  const files = new Set([...entry, ...closure(key)].map((k) => manifest[k]!.file));
  const total = [...files].reduce((sum, f) => sum + sizeOf(f), 0);
  const own = [...closure(key)].filter((k) => !entry.has(k)).reduce((sum, k) => sum + sizeOf(manifest[k]!.file), 0);
  rows.push(`| ${area} | ${kb(total)} | ${kb(own)} | ${files.size} |`);
}
const lazy = Object.values(manifest)
  .filter((c) => !c.isEntry && c.src && !/locales\//.test(c.src) && !/-area\.tsx$/.test(c.src) && ![...entry].includes(c.src))
  .filter((c) => Object.values(manifest).some((p) => p.dynamicImports?.includes(c.src!)))
  .map((c) => `| ${c.src} | ${kb(sizeOf(c.file))} |`);

process.stdout.write(
  [
    `Entry (shell, React, i18n, router): ${kb([...entry].reduce((s, k) => s + sizeOf(manifest[k]!.file), 0))} KB gzip`,
    '',
    '| area | first visit, KB gzip | area chunks alone | files |',
    '| --- | ---: | ---: | ---: |',
    ...rows,
    '',
    '| loaded on demand | KB gzip |',
    '| --- | ---: |',
    ...lazy,
    '',
  ].join('\n'),
);
