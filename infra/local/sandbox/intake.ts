/**
 * Turns accepted bytes into a stored file: decides the verdict from the content (EICAR → VirusFound,
 * bytes that are not what file_type says → Failed), reads the pixel size of images and fixes the
 * processing schedule. Shared by the upload route and the `files` option (pre-loaded files).
 */
import { createHash } from 'node:crypto';
import {
  EicarScanner,
  FALLBACK_DIMENSIONS,
  HEAD_BYTES,
  IMAGE_TYPES,
  matchesFileType,
  readImageDimensions,
} from './content-inspection.ts';
import { resolveDuration, type ProcessingVerdict } from './processing.ts';
import type { ProcessingOptions } from './options.ts';
import type { LibraryStore, StoredFile } from './store.ts';

/** What the sandbox learned from an upload's bytes. */
export interface IntakeInput {
  name: string;
  folderId: string | undefined;
  description: string;
  source: string;
  fileType: string;
  contentType: string;
  size: number;
  sha256: string;
  head: Buffer;
  bytes: Buffer | undefined;
  virus: boolean;
}

/** How processing will end for these bytes: clean, infected or not what the type claims. */
export function verdictOf(input: Pick<IntakeInput, 'virus' | 'fileType' | 'head'>): ProcessingVerdict {
  if (input.virus) return 'virus';
  return matchesFileType(input.fileType, input.head) ? 'clean' : 'type-mismatch';
}

/** Stores an accepted upload with its processing schedule and returns the stored file. */
export function intakeFile(
  store: LibraryStore,
  input: IntakeInput,
  processing: ProcessingOptions,
  now: number,
): StoredFile {
  const subject = {
    id: store.peekNextId(),
    name: input.name,
    fileType: input.fileType,
    size: input.size,
    sha256: input.sha256,
    sequence: store.peekNextSequence(),
  };
  const dimensions = IMAGE_TYPES.has(input.fileType)
    ? (readImageDimensions(input.head) ?? FALLBACK_DIMENSIONS)
    : { width: 0, height: 0 };
  return store.add({
    name: input.name,
    description: input.description,
    folderId: input.folderId,
    source: input.source,
    fileType: input.fileType,
    contentType: input.contentType,
    size: input.size,
    sha256: input.sha256,
    bytes: input.bytes,
    width: dimensions.width,
    height: dimensions.height,
    createdAt: now,
    modifiedAt: now,
    schedule: {
      acceptedAt: now,
      processingMs: resolveDuration(processing.processingMs, subject),
      uploadedMs: resolveDuration(processing.uploadedMs, subject),
      verdict: verdictOf(input),
    },
  });
}

/** Describes in-memory bytes the way the multipart parser describes a streamed part. */
export function describeBytes(data: Buffer): Pick<IntakeInput, 'size' | 'sha256' | 'head' | 'virus'> {
  const scanner = new EicarScanner();
  scanner.push(data);
  return {
    size: data.length,
    sha256: createHash('sha256').update(data).digest('hex'),
    head: Buffer.from(data.subarray(0, HEAD_BYTES)),
    virus: scanner.found,
  };
}
