import { describe, expect, it } from 'vitest';
import { journeyResults } from './journeys.js';

const result = (status: string, duration: number) => ({ status, duration, retry: 0, errors: [] });

/** The shape of Playwright's JSON reporter: files, nested describe blocks, one result per try. */
const report = {
  config: {},
  suites: [
    {
      title: 'citizen.spec.ts',
      file: 'citizen.spec.ts',
      specs: [{ title: 'a citizen registers, books and cancels', ok: true, tests: [{ results: [result('passed', 41_000)] }] }],
    },
    {
      title: 'admin.spec.ts',
      file: 'admin.spec.ts',
      specs: [],
      suites: [
        {
          title: 'dashboards',
          specs: [
            { title: 'coverage by region', ok: false, tests: [{ results: [result('failed', 12_000)] }] },
            { title: 'reports', ok: true, tests: [{ results: [result('failed', 5_000), result('passed', 6_000)] }] },
            { title: 'not run', ok: false, tests: [{ results: [] }] },
          ],
        },
      ],
    },
  ],
  stats: { expected: 2, unexpected: 1 },
};

describe('journeyResults', () => {
  it('lists every journey with its file, judged by its last try, timed over all tries', () => {
    expect(journeyResults(report)).toEqual([
      { title: 'citizen.spec.ts › a citizen registers, books and cancels', ok: true, ms: 41_000 },
      { title: 'admin.spec.ts › coverage by region', ok: false, ms: 12_000 },
      { title: 'admin.spec.ts › reports', ok: true, ms: 11_000 },
      { title: 'admin.spec.ts › not run', ok: false, ms: 0 },
    ]);
  });

  it('refuses a report that is not Playwright JSON', () => {
    expect(() => journeyResults({ stats: {} })).toThrow();
  });
});
