/**
 * Tags the S3 object with the outcome (`library-status`, `library-file-id`), so someone browsing the
 * bucket sees what became of a file.
 *
 * Best-effort by design: tagging is a convenience, the record is the source of truth. Some S3
 * emulators cannot tag (fauxqs even overwrites the object with the tagging XML unless wrapped), and a
 * bucket may refuse it; a failure logs a warning and counts `ObjectTaggingFailed`, and never blocks or
 * undoes the final state. PutObjectTagging replaces the whole tag set, so existing tags are read first
 * and kept. `TAG_OBJECTS=false` turns it off.
 */
import { GetObjectTaggingCommand, PutObjectTaggingCommand, type S3Client, type Tag } from '@aws-sdk/client-s3';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { ObjectRef } from '../record/upload-record.ts';

/** The object tag holding the final status. */
export const TAG_STATUS = 'library-status';
/** The object tag holding the library file id. */
export const TAG_FILE_ID = 'library-file-id';
/** Not in METRIC (shared/observability): emitted with the raw name. */
export const TAGGING_FAILED_METRIC = 'ObjectTaggingFailed';

/** Where and whether final outcomes are tagged on the S3 object. */
export interface OutcomeTagging {
  s3: S3Client;
  enabled: boolean;
  logger: Pick<Logger, 'warn' | 'debug'>;
  countFailure: () => void;
}

/** Tags the object with its outcome, keeping its other tags; best-effort: false, never an error, when it fails. */
export async function tagObjectOutcome(
  tagging: OutcomeTagging,
  ref: Pick<ObjectRef, 'bucket' | 'key' | 'versionId'>,
  outcome: { status: string; libraryFileId?: string | undefined },
): Promise<boolean> {
  if (!tagging.enabled) return false;
  const target = {
    Bucket: ref.bucket,
    Key: ref.key,
    ...(ref.versionId === undefined ? {} : { VersionId: ref.versionId }),
  };
  try {
    const current = await tagging.s3.send(new GetObjectTaggingCommand(target));
    const ours: Tag[] = [{ Key: TAG_STATUS, Value: outcome.status }];
    if (outcome.libraryFileId !== undefined) ours.push({ Key: TAG_FILE_ID, Value: outcome.libraryFileId });
    const kept = (current.TagSet ?? []).filter((tag) => tag.Key !== TAG_STATUS && tag.Key !== TAG_FILE_ID);
    await tagging.s3.send(new PutObjectTaggingCommand({ ...target, Tagging: { TagSet: [...kept, ...ours] } }));
    tagging.logger.debug('Tagged the object with its outcome', { tags: ours });
    return true;
  } catch (error) {
    tagging.logger.warn('Could not tag the object with its outcome (ignored: the record holds the outcome)', {
      error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
    });
    tagging.countFailure();
    return false;
  }
}
