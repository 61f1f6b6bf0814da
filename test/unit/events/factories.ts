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
import { FINAL_STATUSES, STATUS_RANK } from '../../../shared/upload/record.ts';
import type { FinalStatus, RecordStatus, UploadRecord } from '../../../shared/upload/record.ts';

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
      // Refused before upload: never submitted, no library file.
      const { libraryFileId: _id, folderId: _folder, ...rest } = final;
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
