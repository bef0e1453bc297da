import { jabVitest } from '../../vitest.preset.mjs';

// The OpenSearch conformance suite is collected only when a cluster is there
// (`OPENSEARCH_URL`, as in docker compose): absent, it adds no test instead of
// skipped ones that would look like a pass. See docs/search.md.
const include = ['{src,tests,migrations}/**/*.test.{ts,tsx}'];
if (process.env['OPENSEARCH_URL']) include.push('src/**/*.live-test.ts');

export default jabVitest('search', import.meta.dirname, { test: { include } });
