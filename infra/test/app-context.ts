import { App } from 'aws-cdk-lib';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** cdk.json's context (the pinned availability zones), so tests synthesize exactly like `cdk synth`: offline. */
export function testApp(): { app: App; outdir: string } {
  const { context } = JSON.parse(readFileSync(join(import.meta.dirname, '../cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  const outdir = mkdtempSync(join(tmpdir(), 'jab-cdk-'));
  return { app: new App({ context, outdir }), outdir };
}
