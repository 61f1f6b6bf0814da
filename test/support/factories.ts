/**
 * Test data built in one place: SQS records and events, Lambda contexts, status-check messages, S3
 * notification bodies, upload records in every status and the DynamoDB stream records carrying them.
 * Each factory gives a valid value with fixed, readable defaults; a test overrides only what it is about.
 */
import { randomUUID } from 'node:crypto';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, Context, DynamoDBRecord, SQSEvent, SQSRecord } from 'aws-lambda';
import { STATUS_CHECK_TYPE, type StatusCheckMessage } from '../../shared/poll/status-message.ts';
import { FINAL_STATUSES, STATUS_RANK } from '../../shared/record/upload-record.ts';
import type { FinalStatus, ObjectRef, RecordStatus, UploadRecord } from '../../shared/record/upload-record.ts';
import { encodeS3Key } from '../../shared/s3/key-encoding.ts';
import { buildS3Notification } from '../../shared/s3/notification.ts';

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

/** The notification S3 sends when a key is deleted (`ObjectRemoved:Delete`, or a delete marker). */
export function s3RemovedNotification(
  bucket: string,
  key: string,
  options: { eventName?: string; sequencer?: string } = {},
): ReturnType<typeof buildS3Notification> {
  return buildS3Notification([
    {
      bucket,
      key,
      encodedKey: encodeS3Key(key),
      eventName: options.eventName ?? 'ObjectRemoved:Delete',
      ...(options.sequencer === undefined ? {} : { sequencer: options.sequencer }),
    },
  ]);
}

const RECEIVED_AT = '2026-03-02T10:00:00.000Z';
const SUBMITTED_AT = '2026-03-02T10:00:01.250Z';
const FINAL_AT = '2026-03-02T10:00:42.500Z';

/** A record on its way (Submitted): the base every final record is made from. */
export function submittedRecord(overrides: Partial<UploadRecord> = {}): UploadRecord {
  return {
    objectId: 's3://library-upload-prod-uploads/uploads/Events/2026/team photo.png#v=3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY',
    bucket: 'library-upload-prod-uploads',
    key: 'uploads/Events/2026/team photo.png',
    versionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY',
    eTag: '9b2cf535f27731c974343645a3985328',
    size: 48_213,
    status: 'Submitted',
    statusRank: STATUS_RANK.Submitted,
    libraryFileId: '1873',
    folderId: '12',
    folderPath: 'Events/2026',
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
  VirusFound: { errorKey: 'virus-found', errorMessage: "The library's virus scan rejected the file." },
  Failed: {
    errorKey: 'library-failed',
    errorMessage: 'The library could not process the file (Thumbnail generation failed).',
  },
  Deleted: {},
  TimedOut: { errorKey: 'timed-out', errorMessage: 'Still Processing after 3600 s.' },
  Replaced: {
    url: 'https://files.example.test/library/team_photo.png',
    trashed: true,
    replacedBy: {
      objectId:
        's3://library-upload-prod-uploads/uploads/Events/2026/team photo.png#v=Z2Vyc2lvbi10d28tb2YtdGhlLXBob3Rv',
      libraryFileId: '1874',
      url: 'https://files.example.test/library/team_photo-1874.png',
    },
  },
  Removed: { url: 'https://files.example.test/library/team_photo.png', trashed: true },
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

/** Refused before upload: never submitted, no library file, no folder resolved. */
function rejectedRecord(overrides: Partial<UploadRecord>): UploadRecord {
  const { libraryFileId: _id, folderId: _folder, folderPath: _path, ...base } = submittedRecord();
  return {
    ...base,
    status: 'Rejected',
    statusRank: STATUS_RANK.Rejected,
    objectId: 's3://library-upload-prod-uploads/uploads/Events/2026/notes.txt#v=Ym9vdHN0cmFwcGVkLXZlcnNpb24',
    key: 'uploads/Events/2026/notes.txt',
    versionId: 'Ym9vdHN0cmFwcGVkLXZlcnNpb24',
    eTag: 'c4ca4238a0b923820dcc509a6f75849b',
    size: 1_204,
    fileName: 'notes.txt',
    fileType: 'TXT',
    attempts: 0,
    polls: 0,
    errorKey: 'unsupported-type',
    errorMessage: '"notes.txt" is not a type the library accepts.',
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

type Detail = Record<string, unknown>;

/** One change to a built detail, named for the test output. */
const MUTATIONS: ReadonlyArray<[string, (d: Detail) => void]> = [
  ['unchanged', () => {}],
  ['no eventId', (d) => delete d['eventId']],
  ['no object', (d) => delete d['object']],
  ['no timings', (d) => delete d['timings']],
  ['no attempts', (d) => delete d['attempts']],
  ['no libraryFileId', (d) => delete d['libraryFileId']],
  ['no reason', (d) => delete d['reason']],
  ['no folderPath', (d) => delete d['folderPath']],
  ['an unknown field', (d) => (d['retryOf'] = 'x')],
  ['an unknown object field', (d) => ((d['object'] as Detail)['owner'] = 'x')],
  ['an unknown timings field', (d) => ((d['timings'] as Detail)['queuedAt'] = '2026-03-02T10:00:00.000Z')],
  ['a reason on any status', (d) => (d['reason'] = { errorKey: 'timed-out', message: 'late' })],
  ['a file on any status', (d) => (d['file'] = { url: 'https://files.example.test/x.png' })],
  ['a file without url', (d) => (d['file'] = { width: 3 })],
  ['a file url that is no URI', (d) => (d['file'] = { url: 'not a uri' })],
  ['version 2', (d) => (d['version'] = '2')],
  ['an unknown status', (d) => (d['status'] = 'Archived')],
  ['an eventId that is no UUID', (d) => (d['eventId'] = 'cf8f9036')],
  ['an empty stage', (d) => (d['stage'] = '')],
  ['an empty fileType', (d) => (d['fileType'] = '')],
  ['negative attempts', (d) => (d['attempts'] = -1)],
  ['fractional attempts', (d) => (d['attempts'] = 1.5)],
  ['attempts as a string', (d) => (d['attempts'] = '1')],
  ['a negative size', (d) => ((d['object'] as Detail)['size'] = -1)],
  ['a finalAt that is no date-time', (d) => ((d['timings'] as Detail)['finalAt'] = 'yesterday')],
  ['a finalAt with an offset', (d) => ((d['timings'] as Detail)['finalAt'] = '2026-03-02T11:00:42.5+01:00')],
  ['a negative secondsToFinal', (d) => ((d['timings'] as Detail)['secondsToFinal'] = -0.5)],
  ['an unknown error key', (d) => d['reason'] && ((d['reason'] as Detail)['errorKey'] = 'library.virus_found')],
  ['an API error key', (d) => d['reason'] && ((d['reason'] as Detail)['errorKey'] = 'api.file.storage.exceeded')],
  ['a rejection key', (d) => d['reason'] && ((d['reason'] as Detail)['errorKey'] = 'content-mismatch')],
  ['a failure key', (d) => d['reason'] && ((d['reason'] as Detail)['errorKey'] = 'virus-found')],
  ['a 1001-character message', (d) => d['reason'] && ((d['reason'] as Detail)['message'] = 'x'.repeat(1001))],
  ['1000 astral characters', (d) => d['reason'] && ((d['reason'] as Detail)['message'] = '😀'.repeat(1000))],
  ['an unknown reason field', (d) => d['reason'] && ((d['reason'] as Detail)['hint'] = 'retry')],
];

/**
 * Event details to hold two validators to the same verdicts: the builder's output for every final status
 * (with and without enrichment), each with every mutation above applied.
 */
export function detailCorpus(build: (record: UploadRecord) => unknown): Array<{ name: string; detail: unknown }> {
  const records: Array<[string, UploadRecord]> = [
    ...FINAL_STATUSES.map((status): [string, UploadRecord] => [status, finalRecord(status)]),
    ['Active, not enriched', finalRecord('Active', { url: undefined, thumbnailUrl: undefined })],
  ];
  return records.flatMap(([label, record]) =>
    MUTATIONS.map(([mutation, apply]) => {
      const detail = structuredClone(build(record)) as Detail;
      apply(detail);
      return { name: `${label} with ${mutation}`, detail };
    }),
  );
}
