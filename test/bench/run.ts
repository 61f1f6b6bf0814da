/**
 * `npm run bench`: how close the pipeline gets to the API key's limits (4 requests/s, 10,000/day),
 * each figure beside a baseline measured in the same run, written to docs/benchmarks.md.
 *
 *   npm run bench                              every figure, full size (takes minutes; see the doc)
 *   npm run bench -- --quick                   smaller N (development); writes to the temp dir unless --out
 *   npm run bench -- --only streaming-memory   one figure (or a comma-separated list); the others in the
 *                                              document are kept as they were
 *   npm run bench -- --out path.md | --no-write
 *
 * Benchmarks are not tests: nothing here runs under vitest or in CI, and a missed target does not fail
 * the command (it exits non-zero only when a figure could not be measured because of an error).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { backfillListing } from './figures/backfill-listing.ts';
import { coldStart } from './figures/cold-start.ts';
import { copySpeed } from './figures/copy-speed.ts';
import { pipelineFigures } from './figures/pipeline-figures.ts';
import { streamingMemory } from './figures/streaming-memory.ts';
import { PROJECT_ROOT } from './lib/child.ts';
import { machineInfo } from './lib/machine.ts';
import { writeReport } from './lib/report.ts';
import { FIGURE_IDS, notMeasured, type Figure, type FigureId, type FigureResult } from './lib/types.ts';
import { PREAMBLE } from './preamble.ts';

const FIGURES: Figure[] = [...pipelineFigures, streamingMemory, copySpeed, coldStart, backfillListing].sort(
  (a, b) => FIGURE_IDS.indexOf(a.id) - FIGURE_IDS.indexOf(b.id),
);

function usage(): string {
  return `usage: npm run bench -- [--quick] [--only ${FIGURE_IDS.join('|')}[,...]] [--out FILE] [--no-write]`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      out: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(usage());
    return 0;
  }
  const only = (values.only ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  const unknown = only.filter((id) => !(FIGURE_IDS as readonly string[]).includes(id));
  if (unknown.length > 0) {
    console.error(`unknown figure(s): ${unknown.join(', ')}\n${usage()}`);
    return 2;
  }
  const selected = only.length === 0 ? FIGURES : FIGURES.filter((f) => only.includes(f.id));
  const quick = values.quick;
  const out =
    values.out ?? (quick ? join(tmpdir(), 'benchmarks-quick.md') : join(PROJECT_ROOT, 'docs', 'benchmarks.md'));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const machine = machineInfo();
  const startedAt = new Date().toISOString();
  const started = performance.now();
  log(
    `bench: ${selected.map((f) => f.id).join(', ')}${quick ? ' (quick)' : ''}; ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverage1m.toFixed(2)}`,
  );

  const results: FigureResult[] = [];
  let errors = 0;
  for (const figure of selected) {
    log(`\n== ${figure.id}: ${figure.title}`);
    const t0 = performance.now();
    let body: Awaited<ReturnType<Figure['run']>>;
    try {
      body = await figure.run({ quick, log });
    } catch (error) {
      errors += 1;
      const message = error instanceof Error ? error.message : String(error);
      log(`  failed: ${error instanceof Error ? (error.stack ?? message) : message}`);
      body = notMeasured('see the figure', `the benchmark failed: ${message.split('\n')[0]}`);
    }
    const result: FigureResult = {
      ...body,
      id: figure.id as FigureId,
      title: figure.title,
      mode: quick ? 'quick' : 'full',
      measuredAt: new Date().toISOString(),
      durationMs: performance.now() - t0,
    };
    results.push(result);
    log(
      `  → ${result.headline} [target ${result.target}: ${result.met === undefined ? (result.status === 'measured' ? 'no target' : 'not measured') : result.met ? 'met' : 'MISSED'}] (${(result.durationMs / 1000).toFixed(0)} s)`,
    );
  }
  const durationMs = performance.now() - started;
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  if (!values['no-write']) {
    writeReport(out, { machine, startedAt, command, quick, durationMs }, results, PREAMBLE);
    log(`\nwrote ${out}`);
  }
  log(`bench took ${(durationMs / 60_000).toFixed(1)} min`);
  return errors > 0 ? 1 : 0;
}

process.exitCode = await main();
