import { randomBytes } from 'node:crypto';
import { engineConformance } from '../registrants/conformance.testing.js';
import { createCursors } from './cursor.js';
import { createOpenSearchEngine } from './opensearch.engine.js';

/**
 * The conformance suite against a real OpenSearch. This file is collected only when
 * OPENSEARCH_URL is set (see vitest.config.mts), so without a cluster it contributes
 * no test at all rather than a skipped one that would read as passing.
 */
const node = process.env['OPENSEARCH_URL'];
if (!node)
  throw new Error(
    'OPENSEARCH_URL must be set to run the OpenSearch conformance suite',
  );

engineConformance(async () => {
  const prefix = `jab-t-${randomBytes(4).toString('hex')}`;
  const engine = createOpenSearchEngine({ node, prefix, cursors: createCursors(randomBytes(32)) });
  return {
    engine,
    cleanup: async () => {
      const { Client } = await import('@opensearch-project/opensearch');
      const admin = new Client({ node });
      await admin.indices.delete({ index: `${prefix}-*` });
      await admin.indices.deleteIndexTemplate({
        name: `${prefix}-registrants-template`,
      });
      await admin.indices.deleteIndexTemplate({
        name: `${prefix}-centers-template`,
      });
      await admin.close();
      await engine.close();
    },
  };
}, 'OpenSearch');
