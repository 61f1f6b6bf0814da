/**
 * The checks an object passes before anything is sent to the library, cheapest first (each saves the
 * ones after it): the name's type, then HeadObject's size, the account's limit, the first bytes.
 * A version that is gone or replaced while we read it is a rejection like the others, not an error.
 */
import type { LibraryFileType } from '../library/types.ts';
import { CONTENT_TYPES, MAGIC_BYTES_LENGTH } from '../files/file-types.ts';
import { libraryFileName } from '../files/naming.ts';
import { readUploadMetadata, type UploadMetadata } from '../s3/object-metadata.ts';
import type { ObjectRef } from '../record/upload-record.ts';
import {
  checkContent,
  checkFileType,
  checkNotEmpty,
  checkSize,
  type Check,
  type Rejection,
} from '../files/validation.ts';
import { ObjectUnavailableError, type S3ObjectReader } from '../s3/object-reader.ts';

/** What the checks learnt about a file the library can take. */
export interface InspectedFile {
  fileName: string;
  fileType: LibraryFileType;
  contentType: string;
  size: number;
  metadata: UploadMetadata;
}

/** The file, or why it cannot be uploaded with the details the record keeps about it. */
export type Inspection =
  { ok: true; file: InspectedFile } | { ok: false; rejection: Rejection; details: Record<string, string | number> };

/** Reads and validates the notified version; only a library or S3 fault is thrown. */
export async function inspectObject(
  ref: ObjectRef,
  objects: Pick<S3ObjectReader, 'head' | 'readHead'>,
  maxUploadSize: () => Promise<number>,
): Promise<Inspection> {
  const fileName = libraryFileName(ref.key);
  const rejected = (rejection: Rejection, details: Record<string, string | number> = {}): Inspection => ({
    ok: false,
    rejection,
    details: { fileName, ...details },
  });
  const type = checkFileType(fileName);
  if (!type.ok) return rejected(type.rejection);
  try {
    const facts = await objects.head(ref);
    const notEmpty = checkNotEmpty(facts.size);
    if (!notEmpty.ok) return rejected(notEmpty.rejection, { size: facts.size });
    const size = checkSize(facts.size, await maxUploadSize());
    if (!size.ok) return rejected(size.rejection, { size: facts.size });
    const content = checkContent(type.value, await objects.readHead(ref, MAGIC_BYTES_LENGTH));
    if (!content.ok) return rejected(content.rejection, { fileType: type.value, size: facts.size });
    const file = { fileName, fileType: type.value, contentType: CONTENT_TYPES[type.value], size: facts.size };
    return { ok: true, file: { ...file, metadata: readUploadMetadata(facts.metadata) } };
  } catch (error) {
    return rejected(unavailableRejection(error));
  }
}

/** Runs an S3 read of the version; its disappearance becomes a rejection, any other error is thrown. */
export async function readUnlessGone<T>(read: () => Promise<T>): Promise<Check<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    return { ok: false, rejection: unavailableRejection(error) };
  }
}

function unavailableRejection(error: unknown): Rejection {
  if (!(error instanceof ObjectUnavailableError)) throw error;
  return { errorKey: error.reason, errorMessage: error.message };
}
