/** What local mode tells its operator as it runs (start.ts prints these; tests may collect them). */
import type { DroppedFile } from './drop-watcher.ts';

/** One thing worth a line on the terminal. */
export type LocalNotice =
  | { kind: 'dropped'; file: DroppedFile }
  | { kind: 'function-error'; summary: string }
  | { kind: 'invocation-failed'; functionName: string; error: string; records: number }
  | { kind: 'poller-error'; source: string; error: string }
  | { kind: 'drop-error'; path: string; error: string }
  /** The dropped bytes were already uploaded and are final: the pipeline ignores the copy. */
  | { kind: 'unchanged'; file: DroppedFile; status: string; libraryFileId: string | undefined }
  /** Files found in the drop folder at start that the records have not seen. */
  | { kind: 'existing-files'; pending: string[]; uploading: boolean; recorded: number };

/** Receives notices. */
export type NoticeSink = (notice: LocalNotice) => void;

/** An error as one line: `Name: message`. */
export function errorLine(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
