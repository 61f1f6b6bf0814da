/**
 * `npm start -- [options]`: the command line of local mode, parsed into `LocalPipelineOptions`.
 */
import { parseArgs } from 'node:util';
import { STAGE_NAMES, isStageName } from '../../config/index.ts';
import type { LocalPipelineOptions } from './local-pipeline.ts';

/** The `npm start -- --help` text. */
export const USAGE = `npm start -- [options]

Runs the whole upload pipeline on this machine (DynamoDB Local, fauxqs for S3 + SQS, the library
sandbox, the three functions) with the settings of a stage (default dev).

  --drop <dir>               folder to watch for new files (default: drop)
  --no-drop                  do not watch a folder (use any S3 client instead)
  --upload-existing          with the sandbox, also upload the files found in the drop folder at start
                             (with a real account, those not in the records are always uploaded)
  --preload <dir>            put the dir's files into the bucket before notifications are set
                             (no notification: for \`npm run ops -- backfill --local\`)
  --state <dir>              events.jsonl, logs/, endpoints.json, the instance lock and, with a real
                             account, the persisted tables, queues and objects (default: .local)
  --stage <name>             stage config to emulate: ${STAGE_NAMES.join(', ')} (default: dev)
  --fast                     status checks after 1 s, then every 2 s (instead of 10 s growing to 300 s)
  --sandbox-per-second <n>   requests per second the sandbox allows (default 4, the vendor's limit)
  --sandbox-per-day <n>      requests per day the sandbox allows
  --sandbox-processing-ms <n>  how long the sandbox takes to process a file (default 300)
  --sandbox-seed <n>         seed of the sandbox's fault draws
  --latest                   start the publish mapping at LATEST instead of TRIM_HORIZON
  --function-logs <where>    file (default: <state>/logs/functions.jsonl) or inherit (this terminal)
  -h, --help                 this text

Environment: LIBRARY_BASE_URL, LIBRARY_API_KEY and LIBRARY_ACCESS_TOKEN together point the functions
at that API instead of the sandbox (no sandbox is started; the credentials are never printed; state then
persists in <state>/data/, so a restart resumes and never uploads a file twice).
One instance per state directory and drop folder: run another beside it with --state and --drop.
START_FAST=1 is the same as --fast.`;

/** A command line `npm start` cannot run with; its message says why. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function count(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw new UsageError(`--${name} must be a non-negative integer, got "${text}"`);
  return value;
}

/** Turns `npm start` arguments (and START_FAST) into pipeline options. */
export function parseCliOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): { help: true } | { help: false; options: LocalPipelineOptions } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        drop: { type: 'string' },
        'no-drop': { type: 'boolean', default: false },
        'upload-existing': { type: 'boolean', default: false },
        preload: { type: 'string' },
        state: { type: 'string' },
        stage: { type: 'string', default: 'dev' },
        fast: { type: 'boolean', default: false },
        'sandbox-per-second': { type: 'string' },
        'sandbox-per-day': { type: 'string' },
        'sandbox-processing-ms': { type: 'string' },
        'sandbox-seed': { type: 'string' },
        latest: { type: 'boolean', default: false },
        'function-logs': { type: 'string', default: 'file' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { help: true };
  if (!isStageName(values.stage))
    throw new UsageError(`Unknown stage "${values.stage}". Known stages: ${STAGE_NAMES.join(', ')}.`);
  if (values['function-logs'] !== 'file' && values['function-logs'] !== 'inherit') {
    throw new UsageError(`--function-logs must be "file" or "inherit", got "${values['function-logs']}"`);
  }
  const perSecond = count('sandbox-per-second', values['sandbox-per-second']);
  const perDay = count('sandbox-per-day', values['sandbox-per-day']);
  const processingMs = count('sandbox-processing-ms', values['sandbox-processing-ms']);
  const seed = count('sandbox-seed', values['sandbox-seed']);
  const fastFromEnv = ['1', 'true', 'yes'].includes((env['START_FAST'] ?? '').toLowerCase());
  return {
    help: false,
    options: {
      stage: values.stage,
      dropDir: values['no-drop'] ? false : (values.drop ?? 'drop'),
      stateDir: values.state ?? '.local',
      fast: values.fast || fastFromEnv,
      uploadExisting: values['upload-existing'],
      ...(values.preload === undefined ? {} : { preloadDir: values.preload }),
      startingPosition: values.latest ? 'LATEST' : 'TRIM_HORIZON',
      functionLogs: values['function-logs'],
      sandbox: {
        ...(perSecond === undefined ? {} : { perSecond }),
        ...(perDay === undefined ? {} : { perDay }),
        ...(processingMs === undefined ? {} : { processingMs }),
        ...(seed === undefined ? {} : { seed }),
      },
      env,
    },
  };
}
