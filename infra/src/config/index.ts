import { dev } from './dev.js';
import { prod } from './prod.js';
import { qa } from './qa.js';
import { test } from './test.js';
import type { EnvConfig } from './types.js';

export * from './networks.js';
export * from './types.js';

/** Every environment `bin/jab.ts` synthesizes. */
export const environments: readonly EnvConfig[] = [dev, test, qa, prod];
export { dev, prod, qa, test };
