/**
 * The publish function's logic: a batch of uploads-table stream records in, events out, and the
 * records whose events did not make it reported back for a retry.
 *
 * - Only records entering a final status produce events (`toFinalTransition`).
 * - All events of the batch go out together, up to 10 per PutEvents, failed entries retried.
 * - The answer is a partial batch response by sequence number. For a stream, Lambda resumes from the
 *   lowest failed sequence number, so records after it are delivered again: harmless, because the same
 *   record always yields the same event with the same `eventId`, and consumers de-duplicate on it. Safe
 *   to run twice for the same record for the same reason.
 * - A final record that cannot be turned into an event (a bug upstream) fails its own record, so the
 *   stream's retry limit and on-failure destination keep it instead of it vanishing.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import { METRIC } from '../observability/metric-names.ts';
import { toLogSafe } from '../observability/redact.ts';
import { uploadLogKeys } from '../observability/upload-context.ts';
import type { UploadRecord } from '../record/upload-record.ts';
import { buildUploadEvent } from './build.ts';
import type { PublishConfig } from './config.ts';
import type { UploadEvent } from './contract.ts';
import { PublishEventsError, publishEvents } from './publish.ts';
import type { PublishOptions } from './publish.ts';
import { toFinalTransition } from './stream.ts';

export interface StreamPublisherDependencies {
  eventBridge: Pick<EventBridgeClient, 'send'>;
  config: PublishConfig;
  logger: Logger;
  /** Counts a metric (the observability module's `countMetric`). */
  count: (name: typeof METRIC.EventsPublished | typeof METRIC.EventsFailed, value: number) => void;
  /** Retry tuning for PutEvents (tests shorten the backoff). */
  publishOptions?: Omit<PublishOptions, 'eventBusName'>;
}

interface Pending {
  event: UploadEvent;
  record: UploadRecord;
  sequenceNumbers: string[];
}

export function createStreamPublisher(deps: StreamPublisherDependencies) {
  const { logger } = deps;

  return async function publishStreamBatch(records: readonly DynamoDBRecord[]): Promise<DynamoDBBatchResponse> {
    const failed = new Set<string>();
    const byEventId = new Map<string, Pending>();
    let skipped = 0;

    for (const streamRecord of records) {
      const sequenceNumber = streamRecord.dynamodb?.SequenceNumber;
      let record: UploadRecord | undefined;
      let event: UploadEvent;
      try {
        record = toFinalTransition(streamRecord);
        if (!record) {
          skipped++;
          continue;
        }
        event = buildUploadEvent(record, { stage: deps.config.stage });
      } catch (error) {
        logger.error('Stream record cannot be published', {
          streamEventId: streamRecord.eventID,
          sequenceNumber,
          ...(record ? uploadLogKeys(record) : {}),
          error: toLogSafe(error),
        });
        markFailed(failed, sequenceNumber, streamRecord);
        continue;
      }
      const existing = byEventId.get(event.detail.eventId);
      if (existing) {
        // The same outcome twice in one batch (a re-delivered record): one event is enough.
        if (sequenceNumber) existing.sequenceNumbers.push(sequenceNumber);
      } else {
        byEventId.set(event.detail.eventId, { event, record, sequenceNumbers: sequenceNumber ? [sequenceNumber] : [] });
      }
    }

    const pending = [...byEventId.values()];
    if (pending.length > 0) {
      let publishedIds: string[];
      try {
        publishedIds = (
          await publishEvents(
            deps.eventBridge,
            pending.map((p) => p.event),
            {
              ...deps.publishOptions,
              eventBusName: deps.config.eventBusName,
            },
          )
        ).published;
      } catch (error) {
        if (!(error instanceof PublishEventsError)) throw error;
        publishedIds = error.published;
        for (const failure of error.failed) {
          const entry = byEventId.get(failure.eventId);
          logger.error('Event not published', {
            ...(entry ? uploadLogKeys(entry.record) : { objectId: failure.objectId, objectKey: failure.key }),
            eventId: failure.eventId,
            status: failure.status,
            errorCode: failure.errorCode,
            errorMessage: failure.errorMessage,
          });
          for (const sequenceNumber of entry?.sequenceNumbers ?? []) failed.add(sequenceNumber);
        }
        deps.count(METRIC.EventsFailed, error.failed.length);
      }
      for (const eventId of publishedIds) {
        const entry = byEventId.get(eventId);
        if (!entry) continue;
        logger.info('Event published', {
          ...uploadLogKeys(entry.record),
          eventId,
          detailType: entry.event.detailType,
          status: entry.event.detail.status,
        });
      }
      if (publishedIds.length > 0) deps.count(METRIC.EventsPublished, publishedIds.length);
    }

    logger.debug('Stream batch done', {
      records: records.length,
      events: pending.length,
      skipped,
      failedRecords: failed.size,
    });
    return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/** A record without a sequence number cannot be reported alone: fail the whole batch instead. */
function markFailed(failed: Set<string>, sequenceNumber: string | undefined, record: DynamoDBRecord): void {
  if (sequenceNumber === undefined) {
    throw new Error(`Stream record ${record.eventID ?? '(no id)'} has no sequence number; failing the whole batch`);
  }
  failed.add(sequenceNumber);
}
