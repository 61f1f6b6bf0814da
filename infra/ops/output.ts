/**
 * What a command prints: a readable table by default, or one JSON document with `--json` (nothing else
 * on stdout, so scripts can pipe it). Every byte goes through the functions' URL and secret redaction
 * first: a record's error message or a queue URL must never carry a credential to a terminal.
 */
import Table from 'cli-table3';
import { logReplacer, redactText } from '../../shared/observability/redact.ts';
import type { ExitCode } from './errors.ts';

/** What a command hands back: data for `--json`, text for people, and the exit code. */
export interface CommandResult<T = unknown> {
  data: T;
  text: string;
  exitCode: ExitCode;
}

/** A table with a header row; cells are strings (undefined prints as `-`). */
export function table(
  head: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number | undefined>>,
): string {
  const out = new Table({ head: [...head], style: { head: [], border: [] }, wordWrap: true });
  for (const row of rows) out.push(row.map((cell) => (cell === undefined || cell === '' ? '-' : String(cell))));
  return out.toString();
}

/** `name: value` lines, aligned, for a single item. */
export function fields(entries: ReadonlyArray<readonly [string, string | number | undefined]>): string {
  const width = Math.max(...entries.map(([name]) => name.length));
  return entries.map(([name, value]) => `${`${name}:`.padEnd(width + 2)}${value ?? '-'}`).join('\n');
}

/** The output of a result, redacted: the JSON document or the text, with a final newline. */
export function render(result: CommandResult, json: boolean): string {
  const body = json ? JSON.stringify(result.data, logReplacer, 2) : result.text;
  return `${redactText(body)}\n`;
}
