/**
 * `npm start`: the whole pipeline on this machine. See docs/local-mode.md.
 *
 * Thin on purpose: options, display and signals here; everything else in infra/local/runner/.
 */
import { leaveSignalsToOwner } from './emulators/processes.ts';
import { resolve } from 'node:path';
import { bannerText } from './runner/banner.ts';
import { USAGE, UsageError, parseCliOptions } from './runner/cli-options.ts';
import { InstanceBusyError, assertNoOtherInstance } from './runner/instance-lock.ts';
import { libraryApiFromEnvironment } from './runner/library-target.ts';
import { startLocalPipeline, type LocalNotice, type LocalPipeline } from './runner/local-pipeline.ts';
import { ProgressDisplay, formatEvent } from './runner/progress.ts';
import { existingFilesText, unchangedLine, unfinishedText } from './runner/operator-text.ts';

let parsed;
try {
  parsed = parseCliOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (parsed.help) {
  console.log(USAGE);
  process.exit(0);
}
const { options } = parsed;

// Checked before anything starts (no emulator is spawned for a run that cannot work): incomplete
// LIBRARY_* settings, and another instance on the same state directory or drop folder.
try {
  libraryApiFromEnvironment(options.env);
  assertNoOtherInstance(resolve(options.stateDir ?? '.local'), options.dropDir ? resolve(options.dropDir) : undefined);
} catch (error) {
  console.error(`Local mode cannot start: ${(error as Error).message}`);
  process.exit(error instanceof InstanceBusyError ? 1 : 2);
}

// We stop the emulators ourselves, in order (pollers first, then in-flight work, then the servers).
leaveSignalsToOwner();
const write = (text: string): void => void process.stdout.write(text);
let display: ProgressDisplay | undefined;
const say = (line: string): void => (display ? display.line(line) : write(`${line}\n`));

let pipeline: LocalPipeline | undefined;
let shuttingDown: Promise<void> | undefined;
let firstSignalAt = 0;

async function shutdown(signal: string): Promise<void> {
  display?.stop();
  display = undefined;
  write(`\n${signal}: stopping (waiting for running invocations, then the emulators)…\n`);
  const t0 = performance.now();
  // Asked before the emulators stop: afterwards there is no table to ask.
  const unfinished = await pipeline?.unfinished().catch(() => undefined);
  await pipeline?.stop();
  if (pipeline && unfinished && unfinished.length > 0) write(`${unfinishedText(unfinished, pipeline.persistence)}\n`);
  write(`Stopped in ${((performance.now() - t0) / 1000).toFixed(1)} s. Nothing left running.\n`);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    const now = Date.now();
    if (shuttingDown) {
      // npm and a terminal may both deliver one Ctrl-C; a second one a moment later means "now".
      if (now - firstSignalAt < 1000) return;
      write('Forced exit.\n');
      process.exit(130);
    }
    firstSignalAt = now;
    shuttingDown = shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}

function onNotice(notice: LocalNotice): void {
  if (shuttingDown) return;
  switch (notice.kind) {
    case 'dropped':
      say(`↑ ${notice.file.relativePath} → ${notice.file.key} (${notice.file.size} bytes)`);
      break;
    case 'function-error':
      say(`! ${notice.summary}`);
      break;
    case 'invocation-failed':
      say(`! ${notice.functionName}: invocation failed (${notice.records} records, left for a retry): ${notice.error}`);
      break;
    case 'poller-error':
      say(`! ${notice.source}: ${notice.error}`);
      break;
    case 'drop-error':
      say(`! could not upload ${notice.path}: ${notice.error}`);
      break;
    case 'unchanged':
      say(unchangedLine(notice));
      break;
    case 'existing-files':
      say(existingFilesText(notice, options.dropDir || 'drop'));
      break;
  }
}

write(
  `Starting DynamoDB Local, fauxqs (S3 + SQS)${options.env?.['LIBRARY_BASE_URL'] ? '' : ' and the library sandbox'}…\n`,
);
try {
  pipeline = await startLocalPipeline({
    ...options,
    // Every file dropped before Ctrl-C that reached a final state gets its line and event.
    drainOnStop: true,
    onEvent: (event) => say(formatEvent(event)),
    onNotice,
  });
} catch (error) {
  console.error(`\nLocal mode could not start: ${(error as Error).message}`);
  if (error instanceof InstanceBusyError) process.exit(1);
  if (/spawn java|ENOENT.*java|java.*ENOENT|Could not start dynamodb/i.test(String((error as Error).message))) {
    console.error(
      'DynamoDB Local needs Java 17 or later on the PATH (or DYNAMODB_LOCAL_JAVA=/path/to/java). See docs/local-mode.md.',
    );
  }
  process.exit(1);
}
if (shuttingDown) {
  // A signal arrived while starting: the handler is already stopping what was started.
  await shuttingDown;
} else {
  write(bannerText(pipeline, { fast: options.fast ?? false, functionLogs: options.functionLogs ?? 'file' }));
  display = new ProgressDisplay({ write, isTTY: Boolean(process.stdout.isTTY), source: pipeline.progressSource });
}
