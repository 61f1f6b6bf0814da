/**
 * What arrives on the ingest queue: S3 event notifications exactly as S3 sends them, and our own
 * retry copies (`ingest-retry`), which the ingest function puts back with a delay while it waits out
 * a limit, a credentials problem or a transient fault. A retry copy names one object version and
 * carries the counters SQS cannot: `retries` (transient failures so far) and `waits` (limit/credential
 * waits, which never lead to the DLQ).
 */
import * as z from 'zod';
import type { ObjectRef } from '../record/upload-record.ts';
import { looksLikeS3Notification, parseS3Notification, type NotificationEntry } from '../s3/notification.ts';

/** The `type` of our own delayed copies on the ingest queue. */
export const INGEST_RETRY_TYPE = 'ingest-retry';

const objectRefSchema = z.object({
  bucket: z.string().min(1),
  key: z.string().min(1),
  versionId: z.string().optional(),
  eTag: z.string().optional(),
  size: z.number().int().nonnegative().optional(),
  sequencer: z.string().optional(),
});

/** What a task asks: upload the version, or follow the key's deletion (`remove`). */
export const INGEST_ACTIONS = ['upload', 'remove'] as const;
export type IngestAction = (typeof INGEST_ACTIONS)[number];

/** A delayed copy of one object's ingest work, with its retry and wait counters. */
export const ingestRetryMessageSchema = z.object({
  type: z.literal(INGEST_RETRY_TYPE),
  version: z.literal(1),
  object: objectRefSchema,
  /** Absent on copies written before deletions were followed (and by `ops retry`): an upload. */
  action: z.enum(INGEST_ACTIONS).optional(),
  retries: z.number().int().nonnegative().default(0),
  waits: z.number().int().nonnegative().default(0),
  /** Why the copy was made (for logs). */
  reason: z.string().optional(),
});
/** A parsed ingest retry copy. */
export type IngestRetryMessage = z.output<typeof ingestRetryMessageSchema>;

/** One object version to ingest, with the counters of the message that carried it. */
export interface IngestTask {
  action: IngestAction;
  object: ObjectRef;
  retries: number;
  waits: number;
  keyDecodedExactly: boolean;
}

/** What an ingest queue message holds: objects to ingest, the S3 test event, or nothing readable. */
export type ParsedIngestMessage =
  | { kind: 'tasks'; tasks: IngestTask[]; skipped: Extract<NotificationEntry, { kind: 'skip' }>[] }
  | { kind: 'test-event' }
  | { kind: 'malformed'; problem: string };

/** Reads an S3 notification or one of our retry copies; never throws. */
export function parseIngestMessage(body: string): ParsedIngestMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { kind: 'malformed', problem: 'body is not JSON' };
  }
  if (looksLikeS3Notification(json)) {
    const parsed = parseS3Notification(json);
    if (parsed.kind !== 'records') return parsed;
    const tasks: IngestTask[] = [];
    const skipped: Extract<NotificationEntry, { kind: 'skip' }>[] = [];
    for (const entry of parsed.entries) {
      if (entry.kind === 'skip') skipped.push(entry);
      else {
        const action = entry.kind === 'removed' ? 'remove' : 'upload';
        tasks.push({ action, object: entry.object, retries: 0, waits: 0, keyDecodedExactly: entry.keyDecodedExactly });
      }
    }
    return { kind: 'tasks', tasks, skipped };
  }
  const retry = ingestRetryMessageSchema.safeParse(json);
  if (!retry.success) {
    return {
      kind: 'malformed',
      problem: retry.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    };
  }
  const { object, retries, waits, action } = retry.data;
  const ref: ObjectRef = { bucket: object.bucket, key: object.key };
  if (object.versionId !== undefined) ref.versionId = object.versionId;
  if (object.eTag !== undefined) ref.eTag = object.eTag;
  if (object.size !== undefined) ref.size = object.size;
  if (object.sequencer !== undefined) ref.sequencer = object.sequencer;
  return {
    kind: 'tasks',
    tasks: [{ action: action ?? 'upload', object: ref, retries, waits, keyDecodedExactly: true }],
    skipped: [],
  };
}

/** The body of a delayed copy of `task` with new counters. */
export function ingestRetryMessage(
  task: IngestTask,
  counters: { retries: number; waits: number },
  reason: string,
): IngestRetryMessage {
  return {
    type: INGEST_RETRY_TYPE,
    version: 1,
    object: { ...task.object },
    action: task.action,
    retries: counters.retries,
    waits: counters.waits,
    reason,
  };
}
