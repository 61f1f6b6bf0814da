/**
 * `npm run chaos -- [--files N] [--seed N] [--kills N] [--quick] [--json FILE] [--keep-state DIR]
 *   [--kill-when progress|after-ingest] [--settle drain|final] [--throttle-every-ms N]
 *   [--ingest-timeout S] [--poll-timeout S] [--client-timeout-ms N]`
 *
 * The fault run (chaos-run.ts): 500 files by default under 5xx answers, hangs, connections reset after
 * the body, throttle bursts, duplicate notifications, overwrites, deletions and renames of some keys, a
 * file someone else put in the library, and two SIGKILLs of the workers. Prints the report
 * and exits 1 if any promise was broken (a file lost, uploaded twice, left in a DLQ, a deleted key's
 * file left live, a credential found...). `--quick`: 60 files and one kill, for development.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatReport, runChaos, verdict } from './chaos-run.ts';

const { values } = parseArgs({
  options: {
    files: { type: 'string' },
    seed: { type: 'string' },
    kills: { type: 'string' },
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
    'keep-state': { type: 'string' },
    'kill-when': { type: 'string' },
    'throttle-every-ms': { type: 'string' },
    settle: { type: 'string' },
    'ingest-timeout': { type: 'string' },
    'poll-timeout': { type: 'string' },
    'client-timeout-ms': { type: 'string' },
  },
  strict: true,
});

function count(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`--${name} must be a non-negative integer, got ${text}`);
    process.exit(2);
  }
  return value;
}

const quick = values.quick;
const report = await runChaos({
  files: count('files', values.files, quick ? 60 : 500),
  seed: count('seed', values.seed, 1),
  kills: count('kills', values.kills, quick ? 1 : 2),
  ...(values['keep-state'] ? { stateDir: values['keep-state'], keepState: true } : {}),
  ...(values['kill-when'] === 'after-ingest' ? { killWhen: 'after-ingest' as const } : {}),
  ...(values.settle === 'final' ? { settle: 'final' as const } : {}),
  ...(values['ingest-timeout'] ? { ingestTimeoutSeconds: count('ingest-timeout', values['ingest-timeout'], 20) } : {}),
  ...(values['poll-timeout'] ? { pollTimeoutSeconds: count('poll-timeout', values['poll-timeout'], 10) } : {}),
  ...(values['client-timeout-ms']
    ? { libraryTimeoutMs: count('client-timeout-ms', values['client-timeout-ms'], 4000) }
    : {}),
  ...(values['throttle-every-ms']
    ? { throttleEveryMs: count('throttle-every-ms', values['throttle-every-ms'], 15_000) }
    : {}),
  onProgress: (line) => console.log(line),
});
console.log(`\n${formatReport(report)}`);
if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
const problems = verdict(report);
if (problems.length > 0) {
  console.error(`\nFAILED: ${problems.join('; ')}`);
  process.exit(1);
}
const reposted = report.cancelledReposts.length;
console.log(
  `\nPASSED: every file accounted for, none uploaded twice${reposted > 0 ? ` (${reposted} cancelled by the library and posted again: see above)` : ''}, the library follows the bucket (overwrites, deletions, renames; the foreign file kept), nothing in a DLQ, no credential in logs, records or events.`,
);
process.exit(0);
