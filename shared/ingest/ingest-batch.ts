/**
 * The ingest function's work on one SQS batch, with partial batch responses (Powertools batch): each
 * message parsed (S3 notification or our retry copy), each object in it ingested, each failure handed
 * to the retry policy (put back with a delay, or failed for SQS to redeliver). A malformed message is
 * logged and dropped: retrying cannot make it readable.
 */
import { randomUUID } from 'node:crypto';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createUploadLogger } from '../observability/index.ts';
import { objectIdOf } from '../record/object-id.ts';
import { isUnderPrefix } from '../files/folder-path.ts';
import { delayUntilSeconds } from '../retry/backoff.ts';
import { describeError, reportFailure } from '../retry/failure-report.ts';
import { decideDisposition, type RetryPolicy } from '../retry/retry-policy.ts';
import { ingestObject, type IngestDependencies, type IngestOutcome } from './ingest-object.ts';
import { ingestRetryMessage, parseIngestMessage, type IngestTask } from './ingest-message.ts';
import { removeDeletedKey, type RemoveOutcome } from '../sync/library-sync.ts';
import { KEEP_EVERYTHING } from '../sync/sync-policy.ts';
import { forBatch } from '../poll/spare-budget.ts';

/** What the ingest batch needs beyond one object's ingest. */
export interface IngestBatchDependencies extends IngestDependencies {
  logger: Logger;
  retryPolicy: RetryPolicy;
  /** Puts a message back on the queue the record came from. */
  requeue: (record: SQSRecord, body: unknown, delaySeconds: number) => Promise<void>;
  /** Called after a 403 over-limit answer from the API, so every function backs off. */
  reportThrottle: (scope: 'second' | 'day') => Promise<void>;
  /** Called after a 401 that survived the secret re-read: this process holds its requests for a while. */
  reportUnauthorized?: () => void;
  random?: () => number;
  /** How long a deletion waits for an upload of the same key still in flight before looking again. */
  removeRecheckSeconds?: number;
}

/** A deletion waiting for an in-flight upload of its key looks again after this long, by default. */
const DEFAULT_REMOVE_RECHECK_SECONDS = 30;

/** The lease outlasts the invocation by this much, so it cannot expire under a live holder. */
const LEASE_MARGIN_MS = 60_000;
/** A duplicate waiting for someone else's lease looks again this long after it expires. */
const LEASE_RECHECK_MARGIN_MS = 2_000;
/** When there is no Lambda context (tests, local runs). */
const DEFAULT_LEASE_MS = 15 * 60_000;

/** Ingests an SQS batch, reporting failed messages as partial batch failures. */
export async function processIngestBatch(
  event: SQSEvent,
  batchDeps: IngestBatchDependencies,
  context?: Context,
): Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const leaseMs = context ? context.getRemainingTimeInMillis() + LEASE_MARGIN_MS : DEFAULT_LEASE_MS;
  // Ingest batches are small even in a backlog (2 in every stage): only a lone message is a trickle's.
  const deps = forBatch(batchDeps, event.Records.length, 1);
  return processPartialResponse(event, (record: SQSRecord) => processIngestRecord(record, deps, leaseMs), processor, {
    ...(context ? { context } : {}),
    // An all-failed batch is reported item by item like any other, rather than by throwing.
    throwOnFullBatchFailure: false,
  });
}

/** Ingests every object of one message; throws the first failure that must fail the message. */
export async function processIngestRecord(
  record: SQSRecord,
  deps: IngestBatchDependencies,
  leaseMs: number,
): Promise<void> {
  const parsed = parseIngestMessage(record.body);
  if (parsed.kind === 'malformed') {
    deps.logger.error('Malformed ingest message dropped', {
      messageId: record.messageId,
      problem: parsed.problem,
      body: record.body.slice(0, 500),
    });
    return;
  }
  if (parsed.kind === 'test-event') {
    deps.logger.info('S3 test event ignored', { messageId: record.messageId });
    return;
  }
  for (const skipped of parsed.skipped) {
    deps.logger.info('Notification entry skipped', {
      objectKey: skipped.key,
      reason: skipped.reason,
      eventName: skipped.eventName,
    });
  }
  // Every object of the message is tried; if one must fail the message, the others have been done (a
  // redelivery finds them recorded and does nothing).
  let failure: unknown;
  for (const task of parsed.tasks) {
    try {
      await processTask(task, record, deps, leaseMs);
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== undefined) throw failure;
}

async function processTask(
  task: IngestTask,
  record: SQSRecord,
  deps: IngestBatchDependencies,
  leaseMs: number,
): Promise<IngestOutcome | RemoveOutcome | undefined> {
  const log = createUploadLogger(deps.logger, { ...task.object, objectId: objectIdOf(task.object) });
  if (!task.keyDecodedExactly) log.warn('The notified key held invalid percent sequences: decoded leniently');
  if (task.action === 'remove') return processRemoval(task, record, deps, log);
  try {
    const outcome = await ingestObject(task.object, deps, {
      logger: log,
      leaseId: `${record.messageId}:${randomUUID()}`,
      leaseMs,
    });
    log.debug('Ingest outcome', { ...outcome });
    if (outcome.outcome === 'in-progress-elsewhere') {
      const delaySeconds = delayUntilSeconds(outcome.leaseExpiresAt + LEASE_RECHECK_MARGIN_MS, deps.now().getTime());
      await deps.requeue(
        record,
        ingestRetryMessage(task, { retries: task.retries, waits: task.waits + 1 }, 'lease-held'),
        delaySeconds,
      );
    }
    return outcome;
  } catch (error) {
    await putBackOrFail(error, task, record, deps, log);
    return undefined;
  }
}

/** A deletion: the key's library files go to the Trash; an upload still in flight is waited for. */
async function processRemoval(
  task: IngestTask,
  record: SQSRecord,
  deps: IngestBatchDependencies,
  log: Logger,
): Promise<RemoveOutcome | undefined> {
  const policy = deps.syncPolicy ?? KEEP_EVERYTHING;
  if (!isUnderPrefix(task.object.key, deps.settings.uploadPrefix)) return { outcome: 'nothing' };
  if (policy.onDelete === 'trash' && task.waits === 0) {
    // A first look later, not now: the copy of a rename (`mv`) then has time to take the file over.
    await deps.requeue(
      record,
      ingestRetryMessage(task, { retries: task.retries, waits: 1 }, 'rename-grace'),
      deps.removeRecheckSeconds ?? DEFAULT_REMOVE_RECHECK_SECONDS,
    );
    return { outcome: 'wait', inFlight: 0 };
  }
  try {
    const outcome = await removeDeletedKey(task.object, { ...deps, policy, logger: log });
    log.info('Deletion handled', { ...outcome, onDelete: policy.onDelete });
    if (outcome.outcome === 'wait') {
      await deps.requeue(
        record,
        ingestRetryMessage(task, { retries: task.retries, waits: task.waits + 1 }, 'upload-in-flight'),
        deps.removeRecheckSeconds ?? DEFAULT_REMOVE_RECHECK_SECONDS,
      );
    }
    return outcome;
  } catch (error) {
    await putBackOrFail(error, task, record, deps, log);
    return undefined;
  }
}

/** The retry policy's answer to a failed object: a delayed copy on the queue, or the error rethrown. */
async function putBackOrFail(
  error: unknown,
  task: IngestTask,
  record: SQSRecord,
  deps: IngestBatchDependencies,
  log: Logger,
): Promise<void> {
  const disposition = decideDisposition(error, task.retries, deps.retryPolicy, deps.now().getTime(), deps.random);
  await reportFailure(error, disposition, {
    log,
    reportThrottle: deps.reportThrottle,
    reportUnauthorized: deps.reportUnauthorized,
    waiting: 'the file waits in the queue',
  });
  const errorInfo = describeError(error);
  if (disposition.action === 'fail') {
    log.error('Ingest failed: leaving the message to SQS redelivery', {
      ...errorInfo,
      cause: disposition.cause,
      retries: task.retries,
    });
    throw error;
  }
  const waits = disposition.cause === 'transient' ? task.waits : task.waits + 1;
  await deps.requeue(
    record,
    ingestRetryMessage(task, { retries: disposition.retries, waits }, disposition.cause),
    disposition.delaySeconds,
  );
  log.info('Ingest put back on the queue', {
    ...errorInfo,
    cause: disposition.cause,
    delaySeconds: disposition.delaySeconds,
    retries: disposition.retries,
    waits,
  });
}
