/**
 * The status queue's message: "check this library file's upload status". Sent by ingest after the
 * upload (delay POLL_FIRST_DELAY_SECONDS), and re-sent by poll with a growing delay until the file
 * reaches a final status or POLL_MAX_WAIT_SECONDS have passed since `submittedAt`.
 *
 * The counters travel with the message (SQS counts receives, not our retries):
 * - `checks`: status checks made for this file so far (drives the growing delay);
 * - `missing`: checks in a row where the API did not return the id at all;
 * - `retries`: re-sends after transient failures (5xx, network), reset by a successful check;
 * - `waits`: re-sends because of limits or credentials (never count towards the DLQ).
 */
import * as z from 'zod';
import type { UploadRecord } from '../record/upload-record.ts';

/** The `type` of a status check message. */
export const STATUS_CHECK_TYPE = 'status-check';

/** A status check on the status queue: which file, and the counters of checks so far. */
export const statusCheckMessageSchema = z.object({
  type: z.literal(STATUS_CHECK_TYPE),
  version: z.literal(1),
  objectId: z.string().min(1),
  libraryFileId: z.string().min(1),
  bucket: z.string().min(1),
  key: z.string(),
  versionId: z.string().optional(),
  eTag: z.string().optional(),
  /** ISO time the library accepted the upload (the Submitted transition). */
  submittedAt: z.string(),
  /** ISO time the version was first received (for TimeToFinal). */
  receivedAt: z.string().optional(),
  checks: z.number().int().nonnegative().default(0),
  missing: z.number().int().nonnegative().default(0),
  retries: z.number().int().nonnegative().default(0),
  waits: z.number().int().nonnegative().default(0),
});

/** A parsed status check. */
export type StatusCheckMessage = z.output<typeof statusCheckMessageSchema>;

/** The first status check for a record that has just been Submitted. */
export function firstStatusCheck(record: UploadRecord): StatusCheckMessage {
  if (record.libraryFileId === undefined) throw new Error(`Record ${record.objectId} has no library file id to check`);
  const submittedAt = record.transitions.Submitted ?? record.updatedAt;
  return {
    type: STATUS_CHECK_TYPE,
    version: 1,
    objectId: record.objectId,
    libraryFileId: record.libraryFileId,
    bucket: record.bucket,
    key: record.key,
    ...(record.versionId === undefined ? {} : { versionId: record.versionId }),
    ...(record.eTag === undefined ? {} : { eTag: record.eTag }),
    submittedAt,
    ...(record.transitions.Received === undefined ? {} : { receivedAt: record.transitions.Received }),
    checks: 0,
    missing: 0,
    retries: 0,
    waits: 0,
  };
}

/** A status check, or why the body is not one. */
export type ParsedStatusMessage = { ok: true; message: StatusCheckMessage } | { ok: false; problem: string };

/** Reads a status check body; never throws. */
export function parseStatusCheckMessage(body: string): ParsedStatusMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, problem: 'body is not JSON' };
  }
  const result = statusCheckMessageSchema.safeParse(json);
  if (!result.success)
    return { ok: false, problem: result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  return { ok: true, message: result.data };
}
