import type { ServiceContext } from '@jab/runtime';
import { createReadStream } from 'node:fs';
import type { AnalyticsConfig } from '../config.js';
import { loadPopulation } from './population.service.js';

/** `load-population <file.csv>`: target population per region and age band (header `region,age_band,population`). */
export async function loadPopulationCommand(ctx: Omit<ServiceContext<AnalyticsConfig>, 'redis' | 'registry' | 'onClose'>, args: string[]): Promise<void> {
  const [file] = args;
  if (!file) throw new Error('usage: load-population <file.csv>');
  const count = await loadPopulation(ctx.pool, createReadStream(file));
  ctx.logger.info({ rows: count }, 'target population loaded');
}
