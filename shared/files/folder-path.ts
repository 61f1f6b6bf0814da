/**
 * How an S3 key's path maps to library folders.
 *
 * `incoming/Events/2026/poster.png` with the upload prefix `incoming/` → folders `["Events", "2026"]`.
 * The library nests folders at most 3 levels deep: a deeper path keeps its first two levels and joins
 * the rest into the third (`a/b/c/d/e/x.png` → `a` / `b` / `c - d - e`), so files from different deep
 * paths still land in different folders and nothing is silently flattened into a parent.
 * Empty segments (`a//b`) are dropped; names are trimmed and cut to the API's 80 characters.
 */
import { LIBRARY_LIMITS } from '../library/types.ts';
import { truncate } from './naming.ts';

/** Joins the levels below the deepest allowed one into a single folder name. */
export const DEEP_PATH_SEPARATOR = ' - ';

/** True when the key lies below the prefix (an empty prefix holds every key). */
export function isUnderPrefix(key: string, prefix: string): boolean {
  return key.startsWith(prefix);
}

/** The folder names the key's directory mirrors into (empty: the key sits directly under the prefix). */
export function folderPathOf(
  key: string,
  prefix: string,
  maxDepth: number = LIBRARY_LIMITS.folderMaxDepth,
  maxNameLength: number = LIBRARY_LIMITS.folderNameMaxLength,
): string[] {
  const relative = isUnderPrefix(key, prefix) ? key.slice(prefix.length) : key;
  const segments = relative
    .split('/')
    .slice(0, -1) // the last segment is the file name
    .map((segment) => segment.trim())
    .filter((segment) => segment !== '');
  const levels =
    segments.length <= maxDepth
      ? segments
      : [...segments.slice(0, maxDepth - 1), segments.slice(maxDepth - 1).join(DEEP_PATH_SEPARATOR)];
  return levels.map((name) => truncate(name, maxNameLength));
}

/** "Events/2026": how a folder path is shown in records and logs. */
export function formatFolderPath(path: readonly string[]): string {
  return path.join('/');
}
