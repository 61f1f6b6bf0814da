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

const { values } = parseArgs({
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
  },
  strict: true,
});

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
