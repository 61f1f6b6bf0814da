/**
 * Reads the notified object version from S3, and only that version.
 *
 * With a version id every request names it. Without one (unversioned bucket, emulators) the eTag from
 * the notification pins the content: HeadObject's eTag is compared, and every GetObject carries
 * `If-Match`, so an object overwritten while we work answers 412 instead of handing us the new bytes.
 * A version that is gone (404) or replaced (eTag differs, 412) cannot be uploaded any more: the caller
 * records it as Rejected; the new version has its own notification.
 */
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { ObjectRef } from '../record/upload-record.ts';
import { normalizeETag } from './notification.ts';

/** What HeadObject tells about the version. */
export interface ObjectFacts {
  size: number;
  contentType?: string;
  eTag?: string;
  versionId?: string;
  metadata: Record<string, string>;
}

/** The version we were told about cannot be read any more. */
export class ObjectUnavailableError extends Error {
  constructor(
    readonly reason: 'object-missing' | 'object-changed',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ObjectUnavailableError';
  }
}

/** Reads exactly the notified version (version id, or eTag with If-Match). */
export class S3ObjectReader {
  constructor(private readonly s3: S3Client) {}

  async head(ref: ObjectRef): Promise<ObjectFacts> {
    const result = await this.guard(ref, () => this.s3.send(new HeadObjectCommand(this.target(ref, false))));
    const eTag = result.ETag === undefined ? undefined : normalizeETag(result.ETag);
    if (ref.versionId === undefined && ref.eTag !== undefined && eTag !== undefined && eTag !== ref.eTag) {
      throw new ObjectUnavailableError(
        'object-changed',
        `The object was overwritten (eTag ${eTag}, notified ${ref.eTag}): this version is gone.`,
      );
    }
    return {
      size: result.ContentLength ?? 0,
      ...(result.ContentType === undefined ? {} : { contentType: result.ContentType }),
      ...(eTag === undefined ? {} : { eTag }),
      ...(result.VersionId === undefined ? {} : { versionId: result.VersionId }),
      metadata: result.Metadata ?? {},
    };
  }

  /**
   * Which version the key holds now (HeadObject without a version: strongly consistent), or undefined
   * when the key is gone (deleted, or a delete marker on a versioned bucket). The sync decisions are
   * made on this answer, not on the order notifications arrive in.
   */
  async current(bucket: string, key: string): Promise<{ versionId?: string; eTag?: string } | undefined> {
    try {
      const facts = await this.head({ bucket, key });
      return {
        ...(facts.versionId === undefined || facts.versionId === 'null' ? {} : { versionId: facts.versionId }),
        ...(facts.eTag === undefined ? {} : { eTag: facts.eTag }),
      };
    } catch (error) {
      if (error instanceof ObjectUnavailableError && error.reason === 'object-missing') return undefined;
      throw error;
    }
  }

  /** The first `length` bytes (a ranged GET), for the magic-bytes check. */
  async readHead(ref: ObjectRef, length: number): Promise<Buffer> {
    const result = await this.guard(ref, () =>
      this.s3.send(new GetObjectCommand({ ...this.target(ref, true), Range: `bytes=0-${length - 1}` })),
    );
    const bytes = await result.Body?.transformToByteArray();
    return Buffer.from(bytes ?? new Uint8Array()).subarray(0, length);
  }

  /** The whole object as a stream, with its exact length: handed to the upload, never buffered. */
  async open(ref: ObjectRef): Promise<{ body: Readable; size: number }> {
    const result = await this.guard(ref, () => this.s3.send(new GetObjectCommand(this.target(ref, true))));
    if (result.Body === undefined || result.ContentLength === undefined) {
      throw new Error(`GetObject for ${ref.key} returned no body or no length`);
    }
    return { body: result.Body as Readable, size: result.ContentLength };
  }

  private target(
    ref: ObjectRef,
    withIfMatch: boolean,
  ): { Bucket: string; Key: string; VersionId?: string; IfMatch?: string } {
    return {
      Bucket: ref.bucket,
      Key: ref.key,
      ...(ref.versionId === undefined ? {} : { VersionId: ref.versionId }),
      ...(withIfMatch && ref.eTag !== undefined ? { IfMatch: `"${ref.eTag}"` } : {}),
    };
  }

  private async guard<T>(ref: ObjectRef, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const name = (error as Error).name;
      if (status === 404 || name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchVersion') {
        throw new ObjectUnavailableError(
          'object-missing',
          `The object ${ref.key}${ref.versionId ? ` (version ${ref.versionId})` : ''} no longer exists.`,
          { cause: error },
        );
      }
      if (status === 412 || name === 'PreconditionFailed') {
        throw new ObjectUnavailableError(
          'object-changed',
          `The object ${ref.key} was overwritten: the notified version (eTag ${ref.eTag}) is gone.`,
          { cause: error },
        );
      }
      throw error;
    }
  }
}
