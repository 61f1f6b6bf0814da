/**
 * vitest setupFiles: the functions' JSON log lines (Powertools logs, EMF metrics) go to a file instead
 * of vitest's output, as local mode sends them to `.local/logs/functions.jsonl`.
 *
 * The handlers run inside the test workers and write straight to `process.stdout`, which vitest passes
 * through, so a fault test printed dozens of JSON lines between the results. Only lines that are whole
 * JSON objects are diverted; anything else (a test's own output, vitest's report, failures) passes.
 * `TEST_FUNCTION_LOGS=inherit` leaves them on the terminal when debugging.
 */
import { join } from 'node:path';
import { captureFunctionLogs } from '../../infra/local/runner/function-logs.ts';

/** Where the diverted lines go: one file per test run directory, appended by every worker. */
export const TEST_FUNCTION_LOG = join(process.cwd(), '.local', 'test-logs', 'functions.jsonl');

if (process.env['TEST_FUNCTION_LOGS'] !== 'inherit') captureFunctionLogs({ file: TEST_FUNCTION_LOG });
