import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLimitsTable,
  createUploadsTable,
  LeaseLostError,
  objectIdOf,
  UploadsStore,
} from '../../../shared/store/index.ts';
import { startTestEnvironment, type TestEnvironment } from '../../support/index.ts';

let env: TestEnvironment;
let store: UploadsStore;
let clock = new Date('2026-03-01T10:00:00.000Z');
let counter = 0;
const nextRef = () => ({ bucket: 'uploads', key: `in/file-${++counter}.png`, eTag: `etag${counter}`, size: 10 });

beforeAll(async () => {
  env = await startTestEnvironment({ dynamodb: true });
  await createUploadsTable(env.clients.dynamodb, 'uploads');
  await createLimitsTable(env.clients.dynamodb, 'limits');
  store = new UploadsStore({
    client: env.clients.documentClient,
    tableName: 'uploads',
    recordTtlDays: 7,
    now: () => clock,
  });
});
afterAll(() => env?.stop());

describe('tables', () => {
  it('creates the uploads table with the key, index, stream and TTL the stack uses', async () => {
    // Act
    const { Table } = await env.clients.dynamodb.send(new DescribeTableCommand({ TableName: 'uploads' }));
    const ttl = await env.clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: 'uploads' }));
    // Assess
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'objectId', KeyType: 'HASH' }]);
    expect(Table?.GlobalSecondaryIndexes?.[0]?.IndexName).toBe('byLibraryFileId');
    expect(Table?.GlobalSecondaryIndexes?.[0]?.KeySchema).toEqual([
      { AttributeName: 'libraryFileId', KeyType: 'HASH' },
    ]);
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe('expiresAt');
  });

  it('creates the limits table without a stream, and is idempotent', async () => {
    // Act
    await createLimitsTable(env.clients.dynamodb, 'limits');
    const { Table } = await env.clients.dynamodb.send(new DescribeTableCommand({ TableName: 'limits' }));
    // Assess
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(Table?.StreamSpecification?.StreamEnabled ?? false).toBe(false);
  });
});

describe('UploadsStore', () => {
  it('claims a version once, even when three deliveries claim it at the same moment', async () => {
    // Prepare
    const ref = nextRef();
    // Act
    const outcomes = await Promise.all([store.claim(ref), store.claim(ref), store.claim(ref)]);
    // Assess
    expect(outcomes.filter((o) => o.claimed)).toHaveLength(1);
    expect(outcomes.map((o) => o.record.objectId)).toEqual(Array(3).fill(objectIdOf(ref)));
    expect(outcomes[0]?.record).toMatchObject({
      status: 'Received',
      statusRank: 0,
      attempts: 0,
      transitions: { Received: clock.toISOString() },
    });
  });

  it('gives the lease to one holder until it expires, then to another', async () => {
    // Prepare
    const ref = nextRef();
    const { record } = await store.claim(ref);
    // Act
    const [first, second] = await Promise.all([
      store.acquireLease(record.objectId, 'a', 60_000),
      store.acquireLease(record.objectId, 'b', 60_000),
    ]);
    clock = new Date(clock.getTime() + 61_000);
    const takeover = await store.acquireLease(record.objectId, 'c', 60_000);
    // Assess
    expect([first.acquired, second.acquired].filter(Boolean)).toHaveLength(1);
    expect(takeover.acquired).toBe(true);
    await expect(
      store.beginAttempt(record.objectId, 'a', {
        fileName: 'x.png',
        description: 'x',
        fileType: 'PNG',
        contentType: 'image/png',
        folderId: '0',
        size: 10,
      }),
    ).rejects.toBeInstanceOf(LeaseLostError);
  });

  it('counts attempts, records the submission, frees the lease and finds the record by library file id', async () => {
    // Prepare
    const { record } = await store.claim(nextRef());
    await store.acquireLease(record.objectId, 'L', 60_000);
    // Act
    const attempt = await store.beginAttempt(record.objectId, 'L', {
      fileName: 'x.png',
      description: 'x',
      fileType: 'PNG',
      contentType: 'image/png',
      folderId: '-1',
      folderPath: 'Images',
      size: 10,
    });
    const submitted = await store.recordSubmitted(record.objectId, `file-${counter}`);
    const again = await store.recordSubmitted(record.objectId, 'other');
    const found = await store.findByLibraryFileId(`file-${counter}`);
    // Assess
    expect(attempt.attempts).toBe(1);
    expect(submitted.applied && submitted.record).toMatchObject({
      status: 'Submitted',
      statusRank: 1,
      libraryFileId: `file-${counter}`,
      folderPath: 'Images',
    });
    expect(submitted.applied && submitted.record.leaseId).toBeUndefined();
    expect(again.applied).toBe(false);
    expect(found.map((r) => r.objectId)).toEqual([record.objectId]);
  });

  it('takes back an attempt once, only for the lease that counted it', async () => {
    // Prepare: an earlier attempt that may have reached the API (counted), then this lease's attempt.
    const { record } = await store.claim(nextRef());
    const details = {
      fileName: 'x.png',
      description: 'x',
      fileType: 'PNG',
      contentType: 'image/png',
      folderId: '0',
      size: 10,
    };
    await store.acquireLease(record.objectId, 'first', 60_000);
    await store.beginAttempt(record.objectId, 'first', details);
    clock = new Date(clock.getTime() + 61_000);
    await store.acquireLease(record.objectId, 'second', 60_000);
    await store.beginAttempt(record.objectId, 'second', details);
    // Act
    await store.abandonAttempt(record.objectId, 'first'); // lease lost: no effect
    await store.abandonAttempt(record.objectId, 'second');
    const afterOwn = await store.get(record.objectId);
    await store.abandonAttempt(record.objectId, 'second'); // already taken back: no effect
    const afterAgain = await store.get(record.objectId);
    // Assess
    expect(afterOwn?.attempts).toBe(1);
    expect(afterAgain?.attempts).toBe(1);
  });

  it('never moves a status backwards and never overwrites a final one', async () => {
    // Prepare
    const { record } = await store.claim(nextRef());
    await store.recordSubmitted(record.objectId, `f-${counter}`);
    // Act
    const uploaded = await store.recordProgress(record.objectId, 'Uploaded');
    const late = await store.recordProgress(record.objectId, 'Processing');
    const final = await store.recordFinal(record.objectId, 'Active', { url: 'https://x/y.png', countCheck: true });
    const overwrite = await store.recordFinal(record.objectId, 'Failed', { errorKey: 'x' });
    const afterFinal = await store.recordProgress(record.objectId, 'Uploaded');
    const stored = await store.get(record.objectId);
    // Assess
    expect([uploaded, late, afterFinal]).toEqual(['advanced', 'unchanged', 'final']);
    expect(final.applied).toBe(true);
    expect(overwrite.applied).toBe(false);
    expect(stored).toMatchObject({ status: 'Active', statusRank: 9, url: 'https://x/y.png', polls: 3 });
    expect(Object.keys(stored?.transitions ?? {}).sort()).toEqual(['Active', 'Received', 'Submitted', 'Uploaded']);
    expect(stored?.expiresAt).toBe(Math.floor(clock.getTime() / 1000) + 7 * 86_400);
  });

  it('marks the first status check once', async () => {
    // Prepare
    const { record } = await store.claim(nextRef());
    // Act
    const marks = [await store.markPollScheduled(record.objectId), await store.markPollScheduled(record.objectId)];
    // Assess
    expect(marks).toEqual([true, false]);
  });

  it('does not create a record when finalising an unknown one', async () => {
    // Act
    const outcome = await store.recordFinal('s3://nowhere/x#etag=1', 'Active');
    // Assess
    expect(outcome).toEqual({ applied: false, record: undefined });
  });
});

describe('UploadsStore guards', () => {
  it('ignores a status check about another library file than the record names', async () => {
    // Prepare
    const { record } = await store.claim(nextRef());
    await store.recordSubmitted(record.objectId, 'right-file');
    // Act
    const progress = await store.recordProgress(record.objectId, 'Processing', { libraryFileId: 'wrong-file' });
    const final = await store.recordFinal(
      record.objectId,
      'Failed',
      { errorKey: 'x' },
      { libraryFileId: 'wrong-file' },
    );
    const rightful = await store.recordFinal(record.objectId, 'Active', {}, { libraryFileId: 'right-file' });
    // Assess
    expect(progress).toBe('final');
    expect(final.applied).toBe(false);
    expect(rightful.applied).toBe(true);
  });
});
