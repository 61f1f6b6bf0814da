/**
 * The operator tool's program: global options, the commands (commands/*.ts, one module each), and the
 * one place that turns a result or an error into output and an exit code (0 done, 1 not found or
 * failed, 2 usage). `runOps(argv)` runs it in-process (tests); cli.ts runs it for `npm run ops`.
 */
import { Command, CommanderError, Option } from 'commander';
import { redactText } from '../../shared/observability/redact.ts';
import { registerBackfill } from './commands/backfill.ts';
import { registerList } from './commands/list.ts';
import { registerPause } from './commands/pause.ts';
import { registerQuota } from './commands/quota.ts';
import { registerRedrive } from './commands/redrive.ts';
import type { CommandRunner } from './commands/registry.ts';
import { registerReplay } from './commands/replay.ts';
import { registerRetry } from './commands/retry.ts';
import { registerStatus } from './commands/status.ts';
import { EXIT, OpsError, UsageError, type ExitCode } from './errors.ts';
import { render, type CommandResult } from './output.ts';
import { localTarget } from './target/local.ts';
import { stackTarget } from './target/stack.ts';
import type { OpsTarget } from './target/types.ts';

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly CommandRunner[] = [
  registerStatus,
  registerList,
  registerRetry,
  registerRedrive,
  registerReplay,
  registerQuota,
  registerPause,
  registerBackfill,
];

export interface GlobalOptions {
  stage?: string;
  local?: boolean;
  stateDir: string;
  json?: boolean;
}

export interface OpsIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** How a target is found (tests may substitute one); default: `--local` or `--stage`. */
  resolveTarget?: (options: GlobalOptions) => Promise<OpsTarget>;
}

const defaultIO: OpsIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** `--local` or `--stage <name>`, exactly one (a usage error otherwise). */
export function checkTargetOptions(options: GlobalOptions): void {
  if (options.local && options.stage !== undefined) {
    throw new UsageError('Give either --stage <name> or --local, not both');
  }
  if (!options.local && options.stage === undefined) {
    throw new UsageError('Say which pipeline: --stage <name> (a deployed stage) or --local (the running `npm start`)');
  }
}

export function resolveTarget(options: GlobalOptions): Promise<OpsTarget> {
  return options.local ? localTarget(options.stateDir) : stackTarget(options.stage ?? '');
}

/** Builds the program; `exit` receives the command's exit code. */
export function buildProgram(io: OpsIO, exit: (code: ExitCode) => void): Command {
  const program = new Command('ops')
    .description('Operate the library upload pipeline: look files up, retry, redrive, replay, watch the quota, pause.')
    .addOption(new Option('--stage <name>', 'a deployed stage (resources from its CloudFormation outputs)'))
    .addOption(new Option('--local', 'the pipeline `npm start` runs on this machine'))
    .addOption(new Option('--state-dir <dir>', "local mode's state directory").default('.local'))
    .addOption(new Option('--json', 'one JSON document on stdout instead of a table'))
    .showHelpAfterError()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  const run = async (work: (target: OpsTarget) => Promise<CommandResult>): Promise<void> => {
    const options = program.opts<GlobalOptions>();
    checkTargetOptions(options);
    const target = await (io.resolveTarget ?? resolveTarget)(options);
    try {
      const result = await work(target);
      io.stdout(render(result, options.json === true));
      exit(result.exitCode);
    } finally {
      target.close();
    }
  };
  for (const register of COMMANDS) register(program, run);
  for (const command of program.commands)
    command.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  return program;
}

/** Runs the tool with `argv` (without `node` and the script); resolves with the exit code. */
export async function runOps(argv: readonly string[], io: OpsIO = defaultIO): Promise<ExitCode> {
  let code: ExitCode = EXIT.ok;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; every other commander error is a usage error.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const exitCode = error instanceof OpsError ? error.exitCode : EXIT.failed;
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`${redactText(`ops: ${message}`)}\n`);
    return exitCode;
  }
}
