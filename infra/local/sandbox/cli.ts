/**
 * `npm run sandbox -- --port 4010 [--per-second 4] [--per-day 10000] [--seed 1] [--max-upload-size N]
 *   [--processing-ms 300] [--uploaded-ms 300] [--server-error-rate 0..1] [--hang-rate 0..1]
 *   [--reset-before-body-rate 0..1] [--reset-after-body-rate 0..1] [--latency-ms N] [--no-keep-bytes]
 *   [--no-folders]`
 *
 * Starts the sandbox, prints the base URL and the credentials to configure a client with (the sandbox's
 * own fake ones: not secrets), and stops cleanly on SIGINT/SIGTERM, leaving nothing listening.
 */
import { parseArgs } from 'node:util';
import { startSandbox } from './index.ts';

const USAGE = `npm run sandbox -- [options]   (or: npx tsx infra/local/sandbox/cli.ts [options])

The library sandbox: a fake of the MyLibrary v2 API over HTTP on 127.0.0.1. Prints its base URL and its
own fake credentials, and stops on Ctrl-C.

  --port <n>                      port (default 0: any free one)
  --per-second <n>                requests per second allowed (default 4, the vendor's limit)
  --per-day <n>                   requests per day allowed
  --max-upload-size <bytes>       largest file accepted
  --processing-ms <n>             how long a file stays Processing (default 300)
  --uploaded-ms <n>               how long a file stays Uploaded
  --seed <n>                      seed of the fault draws
  --server-error-rate <0..1>      share of requests answered 500
  --hang-rate <0..1>              share of requests never answered
  --reset-before-body-rate <0..1> share of connections reset before the body
  --reset-after-body-rate <0..1>  share of connections reset after the body
  --latency-ms <n>                added latency per request
  --no-keep-bytes                 do not keep uploaded bytes (no hosted files)
  --no-folders                    start without the default folders
  -h, --help                      this text`;

function parseCommandLine() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string', default: '0' },
        'per-second': { type: 'string' },
        'per-day': { type: 'string' },
        seed: { type: 'string' },
        'max-upload-size': { type: 'string' },
        'processing-ms': { type: 'string' },
        'uploaded-ms': { type: 'string' },
        'server-error-rate': { type: 'string' },
        'hang-rate': { type: 'string' },
        'reset-before-body-rate': { type: 'string' },
        'reset-after-body-rate': { type: 'string' },
        'latency-ms': { type: 'string' },
        'no-keep-bytes': { type: 'boolean', default: false },
        'no-folders': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
  } catch (error) {
    // An unknown or malformed option is a usage error, not a crash: say which, then how to call it.
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
}

const { values } = parseCommandLine();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

function rate(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    console.error(`--${name} must be a number from 0 to 1, got ${text}`);
    process.exit(2);
  }
  return value;
}

function integer(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`--${name} must be a non-negative integer, got ${text}`);
    process.exit(2);
  }
  return value;
}

const sandbox = await startSandbox({
  port: integer('port', values.port) ?? 0,
  limits: {
    perSecond: integer('per-second', values['per-second']),
    perDay: integer('per-day', values['per-day']),
    maxUploadSize: integer('max-upload-size', values['max-upload-size']),
  },
  processing: {
    processingMs: integer('processing-ms', values['processing-ms']),
    uploadedMs: integer('uploaded-ms', values['uploaded-ms']),
  },
  faults: {
    seed: integer('seed', values.seed),
    serverErrorRate: rate('server-error-rate', values['server-error-rate']),
    hangRate: rate('hang-rate', values['hang-rate']),
    resetBeforeBodyRate: rate('reset-before-body-rate', values['reset-before-body-rate']),
    resetAfterBodyRate: rate('reset-after-body-rate', values['reset-after-body-rate']),
    latencyMs: integer('latency-ms', values['latency-ms']),
  },
  keepBytes: !values['no-keep-bytes'],
  ...(values['no-folders'] ? { folders: [] } : {}),
});

console.log(`Library sandbox listening
  base URL:     ${sandbox.baseUrl}
  api key:      ${sandbox.credentials.apiKey}
  access token: ${sandbox.credentials.accessToken}
  admin:        ${sandbox.origin}/__sandbox/counters
Ctrl+C to stop.`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the sandbox`);
  await sandbox.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
