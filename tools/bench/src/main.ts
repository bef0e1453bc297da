/**
 * `npm run bench` — every service benchmark of tools/bench in one run, each figure beside
 * a baseline measured in the same run (pgbench, a bare Node HTTP server, bare BullMQ):
 *
 *   npm run bench                     full run; replaces the generated section of docs/benchmarks.md
 *   npm run bench -- --quick          smoke run (a few minutes, part of `npm test`): small loads,
 *                                     no thresholds, correctness facts still checked; the
 *                                     report goes to test-output/bench-quick.md only
 *   npm run bench -- --only events,launch
 *
 * Search runs at 100,000 registrants (20,000 in the quick run); at 1,000,000 it has its own
 * run of src/search-bench.ts (about 10 minutes), recorded in docs/benchmarks.md.
 * Exits 1 when any bench's correctness facts failed.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { run as availability } from './availability-bench.js';
import { run as booking } from './booking-bench.js';
import { run as centerSearch } from './center-search-bench.js';
import { run as events } from './events-bench.js';
import { run as launch } from './launch-scenario.js';
import { machineLine, progress, ROOT, type BenchOptions, type BenchReport } from './stack.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});

/** search-bench.ts as a child process: the engine's bulk path, the query mix over HTTP, the api's RSS. */
async function searchRun(count: number, queries: number): Promise<BenchReport> {
  const script = join(ROOT, 'tools/bench/src/search-bench.ts');
  const output = await new Promise<{ code: number; stdout: string }>((done) => {
    let stdout = '';
    const child = spawn(process.execPath, ['--conditions=@jab/source', '--import', 'tsx', script, '--count', String(count), '--queries', String(queries)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('close', (code) => done({ code: code ?? 1, stdout }));
  });
  const table = output.stdout.slice(output.stdout.indexOf('|'));
  return {
    title: `Search (PostgreSQL engine), ${count.toLocaleString('en')} registrants`,
    markdown: output.code === 0 ? table.trim() : `search-bench exited ${output.code}`,
    ok: output.code === 0 && table.includes('**all**'),
  };
}

const BENCHES: Record<string, (o: BenchOptions) => Promise<BenchReport>> = {
  booking,
  availability,
  launch,
  events,
  'center-search': centerSearch,
  // 1,000,000 registrants take about 10 minutes: `search-bench.ts --count 1000000` on its own.
  search: ({ quick }) => (quick ? searchRun(20_000, 300) : searchRun(100_000, 2_000)),
};

const BEGIN = '<!-- bench:begin (written by `npm run bench`; edit the script, not this section) -->';
const END = '<!-- bench:end -->';

const blockStart = (name: string) => `<!-- bench:${name} -->`;
const blockEnd = (name: string) => `<!-- /bench:${name} -->`;

/**
 * Writes the generated section of docs/benchmarks.md: the header, then one block per bench.
 * A run of some benches (`--only`) replaces their blocks and keeps the others' (each block
 * says when and under what load it ran); the first run appends the section.
 */
function withSection(doc: string, header: string, blocks: Map<string, string>): string {
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  const whole = (body: string) => `${BEGIN}\n${body.trim()}\n${END}`;
  const fresh = [header, ...[...blocks].map(([name, text]) => `${blockStart(name)}\n${text.trim()}\n${blockEnd(name)}`)].join('\n\n');
  if (start === -1 || end === -1 || end < start) return `${doc.trimEnd()}\n\n${whole(fresh)}\n`;
  let body = doc.slice(start + BEGIN.length, end);
  for (const [name, text] of blocks) {
    const block = `${blockStart(name)}\n${text.trim()}\n${blockEnd(name)}`;
    const from = body.indexOf(blockStart(name));
    const to = body.indexOf(blockEnd(name));
    body = from === -1 || to < from ? `${body.trimEnd()}\n\n${block}\n` : `${body.slice(0, from)}${block}${body.slice(to + blockEnd(name).length)}`;
  }
  return `${doc.slice(0, start)}${whole(body)}${doc.slice(end + END.length)}`;
}

async function main(): Promise<number> {
  const quick = values.quick;
  const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only?.filter((name) => !(name in BENCHES)) ?? [];
  if (unknown.length > 0) {
    process.stderr.write(`unknown bench ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}\n`);
    return 2;
  }
  const names = Object.keys(BENCHES).filter((n) => !only || only.includes(n));
  // Other work on the machine skews every figure (less so the ratios): say how busy it was.
  const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
  const reports: (BenchReport & { name: string; seconds: number; loadBefore: string; loadAfter: string })[] = [];
  for (const name of names) {
    progress(`${name}: starting (${quick ? 'quick' : 'full'})`);
    const started = performance.now();
    const loadBefore = load();
    let report: BenchReport;
    try {
      report = await BENCHES[name]({ quick });
    } catch (error) {
      report = { title: name, markdown: `The bench failed: ${error instanceof Error ? error.message : String(error)}`, ok: false };
    }
    const seconds = (performance.now() - started) / 1000;
    reports.push({ ...report, name, seconds, loadBefore, loadAfter: load() });
    progress(`${name}: ${report.ok ? 'ok' : 'FAILED'} in ${seconds.toFixed(0)} s`);
  }

  const date = new Date().toISOString().slice(0, 10);
  const header = [
    `## Service benchmarks${quick ? ' (quick smoke run)' : ''}`,
    '',
    `Machine: ${machineLine()}. Command: \`npm run bench${quick ? ' -- --quick' : ''}\` (\`-- --only <names>\` reruns some and keeps the others). The load generator and the service share the machine's cores, for the service and for its baseline alike: compare the ratios, not the absolute figures, with other machines.`,
  ].join('\n');
  const blocks = new Map(
    reports.map((r) => [
      r.name,
      [`### ${r.title}`, '', `_Run ${date}; load average ${r.loadBefore} before, ${r.loadAfter} after; ${r.seconds.toFixed(0)} s._`, '', r.markdown].join('\n'),
    ]),
  );
  const section = [header, ...blocks.values()].join('\n\n');
  process.stdout.write(`${section}\n`);

  const out = join(ROOT, 'test-output');
  await mkdir(out, { recursive: true });
  const passed = reports.filter((r) => r.ok).length;
  await writeFile(join(out, 'bench-quick.json'), `${JSON.stringify({ passed, failed: reports.length - passed })}\n`);
  if (quick) await writeFile(join(out, 'bench-quick.md'), `${section}\n`);
  else {
    const path = join(ROOT, 'docs/benchmarks.md');
    await writeFile(path, withSection(await readFile(path, 'utf8'), header, blocks));
    progress(`docs/benchmarks.md updated`);
  }
  const failed = reports.filter((r) => !r.ok);
  if (failed.length > 0) process.stderr.write(`\ncorrectness facts failed in: ${failed.map((r) => r.name).join(', ')}\n`);
  return failed.length > 0 ? 1 : 0;
}

// Exit explicitly: a bench that left a handle open must not hang CI.
process.exit(await main());
