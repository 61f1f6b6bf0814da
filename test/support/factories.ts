/**
 * Test data built in one place: SQS records and events, Lambda contexts, status-check messages, S3
 * notification bodies, upload records in every status and the DynamoDB stream records carrying them.
 * Each factory gives a valid value with fixed, readable defaults; a test overrides only what it is about.
 */
import { randomUUID } from 'node:crypto';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, Context, DynamoDBRecord, SQSEvent, SQSRecord } from 'aws-lambda';
import { STATUS_CHECK_TYPE, type StatusCheckMessage } from '../../shared/poll/status-message.ts';
import { FINAL_STATUSES, STATUS_RANK } from '../../shared/upload/record.ts';
import type { FinalStatus, ObjectRef, RecordStatus, UploadRecord } from '../../shared/upload/record.ts';
import { encodeS3Key } from '../../shared/upload/s3-key.ts';
import { buildS3Notification } from '../../shared/upload/s3-notification.ts';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

/** `arn:aws:sqs:us-east-1:000000000000:<name>`, the ARN Lambda puts on every record of that queue. */
export const sqsQueueArn = (name: string): string => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;

/** One record of Lambda's SQS event: message `m<index>`, receipt handle `r<index>`, received once. */
export function sqsRecord(body: string, index = 0, overrides: Partial<SQSRecord> = {}): SQSRecord {
  return {
    messageId: `m${index}`,
    receiptHandle: `r${index}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'x',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: sqsQueueArn('queue'),
    awsRegion: REGION,
    ...overrides,
  };
}

/** Lambda's SQS event for these bodies (objects are JSON-encoded), as if read from `queue`. */
export function sqsEvent(bodies: ReadonlyArray<string | object>, queue = 'queue'): SQSEvent {
  return {
    Records: bodies.map((body, i) =>
      sqsRecord(typeof body === 'string' ? body : JSON.stringify(body), i, { eventSourceARN: sqsQueueArn(queue) }),
    ),
  };
}

/** The context Lambda passes a handler: 30 s left, a fresh request id unless one is given. */
export function lambdaContext(functionName: string, overrides: Partial<Context> = {}): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  };
}

/** A first status check of library file `id` (object `s3://b/<id>.png`), submitted at 10:00. */
export function statusCheckMessage(id: string, overrides: Partial<StatusCheckMessage> = {}): StatusCheckMessage {
  return {
    type: STATUS_CHECK_TYPE,
    version: 1,
    objectId: `s3://b/${id}.png#etag=e${id}`,
    libraryFileId: id,
    bucket: 'b',
    key: `${id}.png`,
    submittedAt: '2026-03-01T10:00:00.000Z',
    checks: 0,
    missing: 0,
    retries: 0,
    waits: 0,
    ...overrides,
  };
}

/** The S3 → SQS notification body for these objects, keys URL-encoded as S3 sends them. */
export function s3Notification(refs: readonly ObjectRef[]): ReturnType<typeof buildS3Notification> {
  return buildS3Notification(refs.map((ref) => ({ ...ref, encodedKey: encodeS3Key(ref.key) })));
}

const RECEIVED_AT = '2026-03-02T10:00:00.000Z';
const SUBMITTED_AT = '2026-03-02T10:00:01.250Z';
const FINAL_AT = '2026-03-02T10:00:42.500Z';

/** A record on its way (Submitted): the base every final record is made from. */
export function submittedRecord(overrides: Partial<UploadRecord> = {}): UploadRecord {
  return {
    objectId: 's3://uploads-dev/events/2026/team photo.png#v=3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY',
    bucket: 'uploads-dev',
    key: 'events/2026/team photo.png',
    versionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY',
    eTag: '9b2cf535f27731c974343645a3985328',
    size: 48_213,
    status: 'Submitted',
    statusRank: STATUS_RANK.Submitted,
    libraryFileId: '1873',
    folderId: '12',
    folderPath: 'events/2026',
    fileName: 'team photo.png',
    description: 'team photo.png',
    fileType: 'PNG',
    contentType: 'image/png',
    attempts: 1,
    polls: 0,
    transitions: { Received: RECEIVED_AT, Submitted: SUBMITTED_AT },
    createdAt: RECEIVED_AT,
    updatedAt: SUBMITTED_AT,
    ...overrides,
  };
}

/** What the pipeline stores beside the status for each final outcome but Rejected. */
const OUTCOME_FIELDS: Readonly<Record<Exclude<FinalStatus, 'Rejected'>, Partial<UploadRecord>>> = {
  Active: {
    url: 'https://files.example.test/library/team_photo.png',
    thumbnailUrl: 'https://files.example.test/library/thumbs/team_photo.png',
    width: 1024,
    height: 768,
  },
  VirusFound: { errorKey: 'library.virus_found', errorMessage: 'The library found a virus in the file.' },
  Failed: { errorKey: 'library.processing_failed', errorMessage: 'Thumbnail generation failed.' },
  Deleted: {},
  TimedOut: { errorKey: 'pipeline.status_timeout', errorMessage: 'Still Processing after 3600 s.' },
};

/** A record in the given final status, with what the pipeline stores for that outcome. */
export function finalRecord(status: FinalStatus, overrides: Partial<UploadRecord> = {}): UploadRecord {
  if (status === 'Rejected') return rejectedRecord(overrides);
  const base = submittedRecord();
  return {
    ...base,
    status,
    statusRank: STATUS_RANK[status],
    transitions: { ...base.transitions, [status]: FINAL_AT },
    updatedAt: FINAL_AT,
    polls: 3,
    ...OUTCOME_FIELDS[status],
    ...overrides,
  };
}

/** Refused before upload: never submitted, no library file. */
function rejectedRecord(overrides: Partial<UploadRecord>): UploadRecord {
  const { libraryFileId: _id, folderId: _folder, ...base } = submittedRecord();
  return {
    ...base,
    status: 'Rejected',
    statusRank: STATUS_RANK.Rejected,
    objectId: 's3://uploads-dev/events/2026/notes.txt#v=Ym9vdHN0cmFwcGVkLXZlcnNpb24',
    key: 'events/2026/notes.txt',
    versionId: 'Ym9vdHN0cmFwcGVkLXZlcnNpb24',
    eTag: 'c4ca4238a0b923820dcc509a6f75849b',
    size: 1_204,
    fileName: 'notes.txt',
    fileType: 'TXT',
    attempts: 0,
    polls: 0,
    errorKey: 'pipeline.unsupported_type',
    errorMessage: 'TXT files cannot be uploaded to the library',
    transitions: { Received: RECEIVED_AT, Rejected: '2026-03-02T10:00:00.200Z' },
    updatedAt: '2026-03-02T10:00:00.200Z',
    ...overrides,
  };
}

/** Every final status, in the record's order. */
export const ALL_FINAL_STATUSES: readonly FinalStatus[] = FINAL_STATUSES;
/** The statuses a record passes through before it is final. */
export const NON_FINAL_STATUSES: readonly RecordStatus[] = ['Received', 'Submitted', 'Processing', 'Uploaded'];

let sequence = 1000;

/** A DynamoDB stream record as Lambda delivers it (images in wire format). */
export function streamRecord(options: {
  newImage?: UploadRecord | Record<string, unknown>;
  oldImage?: UploadRecord | Record<string, unknown>;
  eventName?: 'INSERT' | 'MODIFY' | 'REMOVE';
  sequenceNumber?: string;
}): DynamoDBRecord {
  const eventName = options.eventName ?? (options.oldImage ? 'MODIFY' : 'INSERT');
  const sequenceNumber = options.sequenceNumber ?? String(++sequence).padStart(21, '0');
  const image = (value: object | undefined) =>
    value === undefined
      ? undefined
      : (marshall(value, { removeUndefinedValues: true }) as Record<string, AttributeValue>);
  return {
    eventID: `event-${sequenceNumber}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: REGION,
    eventSourceARN: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/uploads/stream/2026-03-02T00:00:00.000`,
    dynamodb: {
      ApproximateCreationDateTime: Date.parse(FINAL_AT) / 1000,
      Keys: image({ objectId: (options.newImage ?? options.oldImage)?.['objectId'] }),
      NewImage: image(options.newImage),
      OldImage: image(options.oldImage),
      SequenceNumber: sequenceNumber,
      SizeBytes: 512,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** The stream record of a record entering `status` from Uploaded (or from nothing for Rejected). */
export function enteringFinal(status: FinalStatus, overrides: Partial<UploadRecord> = {}): DynamoDBRecord {
  const newImage = finalRecord(status, overrides);
  if (status === 'Rejected') return streamRecord({ newImage });
  return streamRecord({
    newImage,
    oldImage: { ...submittedRecord(), status: 'Uploaded', statusRank: STATUS_RANK.Uploaded },
  });
}
