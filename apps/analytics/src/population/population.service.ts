import { regionSchema } from '@jab/contracts';
import { withTransaction } from '@jab/db';
import { parse } from 'csv-parse';
import type { Pool } from 'pg';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { upsertPopulation, type PopulationRow } from './population.repo.js';

const rowSchema = z.object({
  region: regionSchema,
  age_band: z.string().regex(/^(\d+-\d+|\d+\+)$/, 'must be an age band such as 18-27 or 80+'),
  population: z.coerce.number().int('must be a whole number').min(0, 'must not be negative'),
});

export class PopulationFileError extends Error {
  constructor(readonly problems: string[]) {
    super(`The population file has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PopulationFileError';
  }
}

/**
 * Reads `region,age_band,population` rows (with that header) and upserts them in one
 * transaction: a file with any bad row writes nothing and names every bad line.
 */
export async function loadPopulation(pool: Pool, csv: Readable): Promise<number> {
  const rows: PopulationRow[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  const parser = csv.pipe(parse({ columns: true, trim: true, skip_empty_lines: true, bom: true }));
  let line = 1;
  for await (const record of parser as AsyncIterable<Record<string, string>>) {
    line += 1;
    const result = rowSchema.safeParse(record);
    if (!result.success) {
      for (const issue of result.error.issues) problems.push(`line ${line}: ${issue.path.join('.') || 'row'}: ${issue.message}`);
      continue;
    }
    const key = `${result.data.region}|${result.data.age_band}`;
    if (seen.has(key)) problems.push(`line ${line}: ${result.data.region} ${result.data.age_band} appears twice`);
    seen.add(key);
    rows.push({ region: result.data.region, ageBand: result.data.age_band, population: result.data.population });
  }
  if (line === 1) problems.push('the file has no rows (expected a header region,age_band,population and data)');
  if (problems.length > 0) throw new PopulationFileError(problems);
  await withTransaction(pool, (db) => upsertPopulation(db, rows));
  return rows.length;
}
