/**
 * Re-publishing final records: what `redrive publish` does with the stream pointers in the
 * publish-failures queue, and what local `replay` does for a time window. The record in the table is
 * the source of truth, so the event is built from it again (shared/events/build.ts): the same
 * `detail.eventId` as the lost one, which a consumer that did get it drops as a repeat.
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { buildUploadEvent } from '../../shared/events/build.ts';
import { publishEvents } from '../../shared/events/publish.ts';
import { toFinalTransition } from '../../shared/events/stream.ts';
import { FINAL_STATUSES, isFinalStatus, type UploadRecord } from '../../shared/record/upload-record.ts';
import { getRecord, listRecords } from './records.ts';
import type { OpsTarget } from './target/types.ts';

/** The part of a stream on-failure record (Lambda's, or the local runner's) that names the batch. */
export interface StreamBatchPointer {
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    streamArn: string;
  };
}

/** Publishes the events of these final records; resolves with the event ids sent. */
export async function republish(target: OpsTarget, records: readonly UploadRecord[]): Promise<string[]> {
  const events = records
    .filter((r) => isFinalStatus(r.status))
    .map((r) => buildUploadEvent(r, { stage: target.stage.stage }));
  if (events.length === 0) return [];
  const result = await publishEvents(target.clients.eventBridge, events, {
    eventBusName: target.resources.eventBusName,
  });
  return result.published;
}

/** Final records whose last change falls in [from, to]. */
export function finalRecordsBetween(target: OpsTarget, from: Date, to: Date): Promise<UploadRecord[]> {
  return listRecords(
    { client: target.clients.dynamodb, tableName: target.resources.uploadsTable },
    { statuses: FINAL_STATUSES, since: from, until: to },
  );
}

/**
 * The records a pointer's batch made final, as the table holds them now. From the stream while it still
 * has the batch (24 hours); after that, every final record of the batch's time window (a little wider:
 * approximate arrival times are whole seconds).
 */
export async function recordsOfPointer(
  target: OpsTarget,
  pointer: StreamBatchPointer,
): Promise<{ records: UploadRecord[]; from: 'stream' | 'time-window' }> {
  const info = pointer.DDBStreamBatchInfo;
  let objectIds: string[] | undefined;
  try {
    const streamRecords = await readBatch(target.clients.streams, info);
    objectIds = [...new Set(streamRecords.flatMap((r) => toFinalTransition(r)?.objectId ?? []))];
  } catch {
    objectIds = undefined;
  }
  if (objectIds === undefined) {
    const margin = 2000;
    const from = new Date(Date.parse(info.approximateArrivalOfFirstRecord) - margin);
    const to = new Date(Date.parse(info.approximateArrivalOfLastRecord) + margin);
    return { records: await finalRecordsBetween(target, from, to), from: 'time-window' };
  }
  const source = { client: target.clients.dynamodb, tableName: target.resources.uploadsTable };
  const records = await Promise.all(objectIds.map((id) => getRecord(source, id)));
  return {
    records: records.filter((r): r is UploadRecord => r !== undefined && isFinalStatus(r.status)),
    from: 'stream',
  };
}

/** The stream records from the batch's first to its last sequence number. */
async function readBatch(
  streams: DynamoDBStreamsClient,
  info: StreamBatchPointer['DDBStreamBatchInfo'],
): Promise<DynamoDBRecord[]> {
  const end = BigInt(info.endSequenceNumber);
  const start = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: info.streamArn,
      ShardId: info.shardId,
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      SequenceNumber: info.startSequenceNumber,
    }),
  );
  const out: DynamoDBRecord[] = [];
  let iterator = start.ShardIterator;
  while (iterator) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    const records = page.Records ?? [];
    for (const record of records) {
      if (BigInt(record.dynamodb?.SequenceNumber ?? '0') > end) return out;
      out.push(record as DynamoDBRecord);
    }
    // An open shard answers empty pages forever: the batch is complete once one comes back empty.
    if (records.length === 0) return out;
    iterator = page.NextShardIterator;
  }
  return out;
}
