/**
 * Shared test data for the event contract: upload records in every final status, DynamoDB stream
 * records carrying them, and the schema validator.
 */
import { readFileSync } from 'node:fs';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import { FINAL_STATUSES, STATUS_RANK } from '../../../shared/record/upload-record.ts';
import type { FinalStatus, RecordStatus, UploadRecord } from '../../../shared/record/upload-record.ts';

export const SCHEMA_PATH = new URL(
  '../../../shared/events/schema/library-upload-event.v1.schema.json',
  import.meta.url,
);

/** An ajv (draft 2020-12, strict, with formats) validator for the v1 detail. */
export function detailValidator(): (detail: unknown) => { valid: boolean; errors: ErrorObject[] } {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  const plugin = (ajvFormats as unknown as { default: (ajv: Ajv2020) => Ajv2020 }).default;
  plugin(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object);
  return (detail) => {
    const valid = validate(detail);
    return { valid, errors: validate.errors ?? [] };
  };
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

/** A record in the given final status, with what the pipeline stores for that outcome. */
export function finalRecord(status: FinalStatus, overrides: Partial<UploadRecord> = {}): UploadRecord {
  const base = submittedRecord();
  const transitions = { ...base.transitions, [status]: FINAL_AT };
  const final: UploadRecord = {
    ...base,
    status,
    statusRank: STATUS_RANK[status],
    transitions,
    updatedAt: FINAL_AT,
    polls: 3,
  };
  switch (status) {
    case 'Active':
      Object.assign(final, {
        url: 'https://files.example.test/library/team_photo.png',
        thumbnailUrl: 'https://files.example.test/library/thumbs/team_photo.png',
        width: 1024,
        height: 768,
      });
      break;
    case 'VirusFound':
      Object.assign(final, { errorKey: 'virus-found', errorMessage: "The library's virus scan rejected the file." });
      break;
    case 'Failed':
      Object.assign(final, {
        errorKey: 'library-failed',
        errorMessage: 'The library could not process the file (Thumbnail generation failed).',
      });
      break;
    case 'Deleted':
      break;
    case 'TimedOut':
      Object.assign(final, { errorKey: 'timed-out', errorMessage: 'Still Processing after 3600 s.' });
      break;
    case 'Rejected': {
      // Refused before upload: never submitted, no library file, no folder resolved.
      const { libraryFileId: _id, folderId: _folder, folderPath: _path, ...rest } = final;
      return {
        ...rest,
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
  }
  return { ...final, ...overrides };
}

export const ALL_FINAL_STATUSES: readonly FinalStatus[] = FINAL_STATUSES;
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
    awsRegion: 'us-east-1',
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/uploads/stream/2026-03-02T00:00:00.000',
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
