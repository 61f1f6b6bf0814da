/**
 * Which listed objects a backfill hands to ingest, and why the others are only counted: outside the
 * upload prefix (ingest would ignore them), a type the library never takes, a console "folder" marker,
 * or older than `--since`. Type by extension only: the first bytes are ingest's to check (it reads them
 * anyway), and a listing must not read every object.
 */
import { libraryFileTypeOf } from '../../../shared/files/file-types.ts';
import { isUnderPrefix } from '../../../shared/files/folder-path.ts';
import type { ListedObject } from './listing.ts';

/** Why a listed object is not enqueued. */
export type SkipReason = 'outside-prefix' | 'unsupported-type' | 'folder-marker' | 'before-since';

/** Every reason, in the order the summary prints them. */
export const SKIP_REASONS: readonly SkipReason[] = [
  'outside-prefix',
  'unsupported-type',
  'folder-marker',
  'before-since',
];

export interface EligibilityRules {
  uploadPrefix: string;
  since?: Date;
}

/** `undefined` when the object is a candidate; otherwise why it is skipped. */
export function skipReasonOf(object: ListedObject, rules: EligibilityRules): SkipReason | undefined {
  if (!isUnderPrefix(object.key, rules.uploadPrefix)) return 'outside-prefix';
  if (object.key.endsWith('/')) return 'folder-marker';
  if (libraryFileTypeOf(object.key) === undefined) return 'unsupported-type';
  if (rules.since && object.lastModified && object.lastModified < rules.since) return 'before-since';
  return undefined;
}
