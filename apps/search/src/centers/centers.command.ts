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
 * `index-centers <file.json>`: loads a center catalogue (centerHit + version) from a
 * file, e.g. when moving from another system; day to day centers arrive as
 * `center.saved` events. Version-ordered like every other document.
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
