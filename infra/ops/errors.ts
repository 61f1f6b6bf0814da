/**
 * The tool's exit codes, carried by the errors that end a command: 0 done, 1 the thing asked about
 * is not found or failed, 2 the command line is wrong.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A command that could not do what was asked (exit 1): not found, no running pipeline, AWS refused. */
export class OpsError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode = EXIT.failed) {
    super(message);
    this.name = 'OpsError';
    this.exitCode = exitCode;
  }
}

/** A wrong command line (exit 2): an unknown stage, a time that does not parse, a bad combination. */
export class UsageError extends OpsError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }
}
