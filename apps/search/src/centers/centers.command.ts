import { centerHit } from '@jab/contracts';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { CenterDocument, SearchEngine } from '../engines/engine.js';
import type { DocumentsRepo } from '../indexing/documents.repo.js';
import { applyCenter } from '../indexing/indexing.service.js';

const centerFile = z.array(
  centerHit.extend({
    names: z
      .record(z.string(), z.string())
      .refine((n) => typeof n['en'] === 'string', {
        message: 'must include en',
        path: ['en'],
      }),
    version: z.number().int().positive(),
  }),
);

/**
 * `index-centers <file.json>`: registration publishes no center event yet, so the
 * center catalogue (centerHit + version, e.g. exported by the seed tool) is loaded
 * from a file, version-ordered like every other document.
 */
export async function indexCentersFromFile(
  deps: { engine: SearchEngine; documents: DocumentsRepo },
  path: string | undefined,
) {
  if (!path) throw new Error('usage: index-centers <file.json>');
  const centers = centerFile.parse(
    JSON.parse(await readFile(path, 'utf8')),
  ) as CenterDocument[];
  let applied = 0;
  for (const center of centers)
    if (await applyCenter(deps, center)) applied += 1;
  return { received: centers.length, applied };
}
