/**
 * How a command plugs into the program: one small module per command exports a `CommandRunner` that
 * declares its sub-command on the commander program and hands its work to `run`, which resolves the
 * target (`--stage`/`--local`), prints the result (table or `--json`) and sets the exit code.
 */
import type { Command } from 'commander';
import type { CommandResult } from '../output.ts';
import type { OpsTarget } from '../target/types.ts';

export type RunCommand = (work: (target: OpsTarget) => Promise<CommandResult>) => Promise<void>;

export type CommandRunner = (program: Command, run: RunCommand) => void;
