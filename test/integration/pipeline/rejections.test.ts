import './quiet-env.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../support/factories.ts';
import { jpegBytes, pngBytes, startPipelineHarness, type PipelineHarness } from './harness.ts';
import { handler as ingestHandler } from '../../../functions/ingest/handler.ts';
import type { SQSEvent } from 'aws-lambda';

let h: PipelineHarness;

beforeAll(async () => {
  h = await startPipelineHarness({ sandbox: { limits: { perSecond: 10 } }, config: { requestsPerSecond: 10 } });
});
afterAll(() => h?.close());
beforeEach(() => h.reset());

describe('validation rejections (recorded, never uploaded, never retried)', () => {
  it.each([
    ['unsupported-type', 'incoming/notes.txt', Buffer.from('just text')],
    ['empty-file', 'incoming/empty.png', Buffer.alloc(0)],
    ['content-mismatch', 'incoming/really-a-jpeg.png', jpegBytes()],
    ['content-mismatch', 'incoming/not-a-pdf.PDF', Buffer.from('<html>hello</html>')],
  ])('%s: %s', async (errorKey, key, body) => {
    // Prepare
    const ref = await h.putObject(key, body);
    // Act
    await h.notify([ref]);
    const [record] = await h.settle([ref]);
    // Assess
    expect(record).toMatchObject({ status: 'Rejected', errorKey, attempts: 0 });
    expect(record?.errorMessage).toEqual(expect.any(String));
    expect(record?.transitions.Rejected).toEqual(expect.any(String));
    expect(h.sandbox.counters().uploads.accepted).toBe(0);
    expect(await h.tags(key)).toEqual({ 'library-status': 'Rejected' });
  });

  it('too-large: over the account max_upload_size_limit', async () => {
    // Prepare
    await h.reset();
    h.sandbox.setLimits({ maxUploadSize: 1000 });
    const ref = await h.putObject('incoming/big.png', pngBytes(10, 10, 2000));
    // Act
    await h.notify([ref]);
    const [record] = await h.settle([ref]);
    // Assess
    expect(record).toMatchObject({ status: 'Rejected', errorKey: 'too-large' });
    expect(record?.errorMessage).toContain('1000');
    expect(h.sandbox.counters().uploads.accepted).toBe(0);
  });

  it('object-missing: deleted before ingest', async () => {
    // Prepare
    const ref = await h.putObject('incoming/gone.png', pngBytes());
    await h.deleteObject(ref.key);
    // Act
    await h.notify([ref]);
    const [record] = await h.settle([ref]);
    // Assess
    expect(record).toMatchObject({ status: 'Rejected', errorKey: 'object-missing' });
  });

  it('object-changed: overwritten before ingest; the new version is uploaded by its own notification', async () => {
    // Prepare
    const first = await h.putObject('incoming/changing.png', pngBytes(10, 10));
    const second = await h.putObject('incoming/changing.png', pngBytes(20, 20));
    // Act
    await h.notify([first, second]);
    const [old, current] = await h.settle([first, second]);
    // Assess
    expect(old).toMatchObject({ status: 'Rejected', errorKey: 'object-changed' });
    expect(current).toMatchObject({ status: 'Active', width: 20 });
    expect(h.sandbox.files()).toHaveLength(1);
  });

  it('shortens a long name (keeping the extension) and a long description instead of rejecting', async () => {
    // Prepare
    const ref = await h.putObject(`incoming/${'n'.repeat(120)}.png`, pngBytes(), {
      metadata: { description: 'd'.repeat(150) },
    });
    // Act
    await h.notify([ref]);
    const [record] = await h.settle([ref]);
    // Assess
    expect(record?.status).toBe('Active');
    expect(record?.fileName).toHaveLength(80);
    expect(record?.fileName?.endsWith('….png')).toBe(true);
    expect(record?.description).toHaveLength(100);
    expect(h.sandbox.files()[0]?.name).toBe(record?.fileName);
  });
});

describe('messages that are not work', () => {
  it('drops malformed messages, the S3 test event and folder markers without failing or retrying them', async () => {
    // Prepare
    const bodies = [
      'not json',
      JSON.stringify({ hello: 'world' }),
      JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: h.bucket }),
      JSON.stringify({
        Records: [
          {
            eventName: 'ObjectCreated:Put',
            s3: { bucket: { name: h.bucket }, object: { key: 'incoming/Folder/', size: 0 } },
          },
        ],
      }),
    ];
    const event: SQSEvent = {
      Records: h
        .ingestEvent(bodies.map(() => ({ bucket: h.bucket, key: 'x' })))
        .Records.map((r, i) => ({ ...r, body: bodies[i] ?? '' })),
    };
    const before = (await h.records()).length;
    // Act
    const response = await ingestHandler(event, lambdaContext('ingest'));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(await h.records()).toHaveLength(before);
  });

  it('ignores keys outside the upload prefix', async () => {
    // Prepare
    const ref = await h.putObject('elsewhere/x.png', pngBytes());
    // Act
    const response = await ingestHandler(h.ingestEvent([ref]), lambdaContext('ingest'));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(await h.record(ref)).toBeUndefined();
  });
});
