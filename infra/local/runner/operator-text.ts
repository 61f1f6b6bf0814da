/**
 * The lines `npm start` prints about files rather than events: a copy that changed nothing, the files
 * found in the drop folder at start, and what was still in flight at Ctrl-C with what the next start
 * will do with it. Kept apart from start.ts so the wording is tested without a terminal.
 */
import type { LocalNotice } from './notices.ts';
import type { LocalPipeline, UnfinishedFile } from './local-pipeline.ts';

const LISTED = 10;

function list(items: readonly string[]): string {
  const shown = items.slice(0, LISTED).map((item) => `    ${item}`);
  if (items.length > LISTED) shown.push(`    … and ${items.length - LISTED} more`);
  return shown.join('\n');
}

/** `= unchanged  uploads/a.png: already library file 7 (Active)`: the terminal line of an identical copy. */
export function unchangedLine(notice: Extract<LocalNotice, { kind: 'unchanged' }>): string {
  const what = notice.libraryFileId ? `already library file ${notice.libraryFileId}` : 'already done';
  return `= unchanged  ${notice.file.key}: ${what} (${notice.status}); the same bytes are not uploaded again`;
}

/** What was found in the drop folder at start, and whether it is being uploaded. */
export function existingFilesText(notice: Extract<LocalNotice, { kind: 'existing-files' }>, dropDir: string): string {
  const lines: string[] = [];
  if (notice.recorded > 0) {
    lines.push(`${notice.recorded} file(s) in ${dropDir}/ already uploaded (in the records): left alone.`);
  }
  if (notice.pending.length > 0) {
    const action = notice.uploading
      ? 'uploading them now:'
      : 'not uploaded (the sandbox starts empty each run); `npm start -- --upload-existing` uploads them:';
    lines.push(`${notice.pending.length} file(s) in ${dropDir}/ not in the records yet, ${action}`);
    lines.push(list(notice.pending));
  }
  return lines.join('\n');
}

/** The Ctrl-C message: which files were in flight, and what the next start does with them. */
export function unfinishedText(
  unfinished: readonly UnfinishedFile[],
  persistence: LocalPipeline['persistence'],
): string {
  const items = unfinished.map(
    (f) =>
      `${f.key} (${f.status === 'queued' ? 'in the bucket, not picked up yet' : f.status}${f.libraryFileId ? `, library file ${f.libraryFileId}` : ''})`,
  );
  const next = persistence.enabled
    ? 'The next `npm start` with this --state resumes them (records, queues and objects are kept in ' +
      `${persistence.dataDir ?? 'the state directory'}); none is uploaded twice.`
    : 'They are not resumed: with the sandbox every start begins empty. They are still in the drop folder; ' +
      '`npm start -- --upload-existing` uploads them again.';
  return [`${unfinished.length} file(s) were still in flight:`, list(items), next].join('\n');
}
