/**
 * What fauxqs 2.x does for the S3 calls the pipeline makes, on the wire, through our launcher
 * (fauxqs-server.ts on 127.0.0.1, path style). Where fauxqs differs from S3 the test says so.
 */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectTaggingCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectTaggingCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqsProcess, type Fauxqs } from '../../../infra/local/emulators/fauxqs.ts';
import { localClientConfig, localS3ClientConfig } from '../../../infra/local/emulators/aws-endpoints.ts';
import { isPortListening, isProcessAlive } from '../../../infra/local/emulators/processes.ts';

const BUCKET = 'uploads-test';

interface S3Notification {
  Records: Array<{
    eventName: string;
    s3: { object: { key: string; size?: number; eTag?: string; versionId?: string; sequencer: string } };
  }>;
}
const md5 = (data: Buffer | string): string => createHash('md5').update(data).digest('hex');

describe('fauxqs S3 (default launcher: tagging emulated)', () => {
  let fauxqs: Fauxqs;
  let s3: S3Client;

  beforeAll(async () => {
    fauxqs = await startFauxqsProcess();
    s3 = new S3Client(localS3ClientConfig(fauxqs.endpoint));
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  afterAll(async () => {
    s3?.destroy();
    await fauxqs?.stop();
  });

  it('listens on 127.0.0.1 and is addressed path style', async () => {
    expect(fauxqs.endpoint).toBe(`http://127.0.0.1:${fauxqs.port}`);
    const direct = await fetch(`${fauxqs.endpoint}/${BUCKET}`);
    expect(direct.status).toBe(200);
    expect(await direct.text()).toContain('<ListBucketResult');
  });

  it('round-trips user metadata, content type and a quoted MD5 ETag through Put, Head and Get', async () => {
    // Prepare / Act
    const key = 'team/Folder A/photo 1+2.png';
    const body = Buffer.from('not really a png');
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: body,
        ContentType: 'image/png',
        Metadata: { 'library-folder-id': '7', description: 'A description' },
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    const get = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const content = Buffer.from(await get.Body!.transformToByteArray());

    // Assess
    expect(put.ETag).toBe(`"${md5(body)}"`);
    expect(head.ETag).toBe(put.ETag);
    expect(get.ETag).toBe(put.ETag);
    expect(head.ContentLength).toBe(body.length);
    expect(head.ContentType).toBe('image/png');
    expect(head.Metadata).toEqual({ 'library-folder-id': '7', description: 'A description' });
    expect(get.Metadata).toEqual(head.Metadata);
    expect(head.LastModified).toBeInstanceOf(Date);
    expect(content.equals(body)).toBe(true);
  });

  it('garbles non-ASCII metadata values (sent as raw UTF-8 header bytes, read back as Latin-1)', async () => {
    // Real S3 answers non-ASCII metadata RFC 2047-encoded; either way, do not rely on it.
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'meta-utf8.txt', Body: 'x', Metadata: { description: 'Café' } }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'meta-utf8.txt' }));
    expect(head.Metadata?.['description']).not.toBe('Café');
    expect(head.Metadata?.['description']).toBe(Buffer.from('Café', 'utf8').toString('latin1'));
  });

  it('never returns a VersionId: versioning is not supported and PutBucketVersioning is silently ignored', async () => {
    // Act
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'v.txt', Body: 'one' }));
    const enable = await s3.send(
      new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    const status = await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }));
    const putAfter = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'v.txt', Body: 'two' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'v.txt' }));

    // Assess: 200 for the versioning call (it is routed to CreateBucket), no status, no version ids.
    expect(enable.$metadata.httpStatusCode).toBe(200);
    expect(status.Status).toBeUndefined();
    expect(put.VersionId).toBeUndefined();
    expect(putAfter.VersionId).toBeUndefined();
    expect(head.VersionId).toBeUndefined();
  });

  it('answers range GETs with 206 and Content-Range', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'range.txt', Body: '0123456789' }));
    const part = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'range.txt', Range: 'bytes=2-5' }));
    const suffix = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'range.txt', Range: 'bytes=-3' }));

    expect(part.$metadata.httpStatusCode).toBe(206);
    expect(part.ContentRange).toBe('bytes 2-5/10');
    expect(part.ContentLength).toBe(4);
    expect(await part.Body!.transformToString()).toBe('2345');
    expect(await suffix.Body!.transformToString()).toBe('789');
  });

  it('stores a 50 MB object in one PutObject and streams it back intact', async () => {
    // Prepare: 50 MiB of non-repeating bytes.
    const size = 50 * 1024 * 1024;
    const body = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4) body.writeUInt32LE((i * 2654435761) >>> 0, i);
    const expected = md5(body);

    // Act
    const put = await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'big.bin', Body: body, ContentLength: size }),
    );
    const get = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'big.bin' }));
    const hash = createHash('md5');
    let received = 0;
    let chunks = 0;
    for await (const chunk of get.Body as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      received += chunk.length;
      chunks++;
    }

    // Assess: a streamed body (many chunks), the same bytes.
    expect(put.ETag).toBe(`"${expected}"`);
    expect(get.ContentLength).toBe(size);
    expect(received).toBe(size);
    expect(chunks).toBeGreaterThan(1);
    expect(hash.digest('hex')).toBe(expected);
  });

  it('emulates object tagging: PutObjectTagging keeps the object, GetObjectTagging returns the tags', async () => {
    // Prepare
    const key = 'tag me.txt';
    const put = await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'payload', Metadata: { a: 'b' } }),
    );

    // Act
    const tagged = await s3.send(
      new PutObjectTaggingCommand({
        Bucket: BUCKET,
        Key: key,
        Tagging: {
          TagSet: [
            { Key: 'library-file-id', Value: 'file-123' },
            { Key: 'library-status', Value: 'Active' },
          ],
        },
      }),
    );
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: key }));
    const get = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));

    // Assess
    expect(tagged.$metadata.httpStatusCode).toBe(200);
    expect(tagged.VersionId).toBeUndefined();
    expect(tags.TagSet).toEqual([
      { Key: 'library-file-id', Value: 'file-123' },
      { Key: 'library-status', Value: 'Active' },
    ]);
    expect(await get.Body!.transformToString()).toBe('payload');
    expect(get.ETag).toBe(put.ETag);
    expect(get.Metadata).toEqual({ a: 'b' });
    expect(get.TagCount).toBe(2);
  });

  it('emulates tagging errors and lifecycle: NoSuchKey, InvalidTag, reset on overwrite, x-amz-tagging, delete', async () => {
    // Missing object → 404 NoSuchKey
    await expect(
      s3.send(
        new PutObjectTaggingCommand({
          Bucket: BUCKET,
          Key: 'missing',
          Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] },
        }),
      ),
    ).rejects.toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });

    // More than 10 tags → 400 InvalidTag
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'many-tags', Body: 'x' }));
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await expect(
      s3.send(new PutObjectTaggingCommand({ Bucket: BUCKET, Key: 'many-tags', Tagging: { TagSet: eleven } })),
    ).rejects.toMatchObject({ name: 'InvalidTag', $metadata: { httpStatusCode: 400 } });

    // Tags given at upload, replaced by an overwrite, removed by DeleteObjectTagging.
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'lifecycle', Body: 'x', Tagging: 'source=upload&team=a b' }),
    );
    const atUpload = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'lifecycle' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'lifecycle', Body: 'y' }));
    const afterOverwrite = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'lifecycle' }));
    await s3.send(
      new PutObjectTaggingCommand({
        Bucket: BUCKET,
        Key: 'lifecycle',
        Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] },
      }),
    );
    await s3.send(new DeleteObjectTaggingCommand({ Bucket: BUCKET, Key: 'lifecycle' }));
    const afterDelete = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'lifecycle' }));

    expect(atUpload.TagSet).toEqual([
      { Key: 'source', Value: 'upload' },
      { Key: 'team', Value: 'a b' },
    ]);
    expect(afterOverwrite.TagSet).toEqual([]);
    expect(afterDelete.TagSet).toEqual([]);
  });
});

describe('fauxqs S3 as shipped (tagging: "fauxqs", body limit 11 MiB)', () => {
  let fauxqs: Fauxqs;
  let s3: S3Client;

  beforeAll(async () => {
    fauxqs = await startFauxqsProcess({ tagging: 'fauxqs', bodyLimitMb: 11 });
    s3 = new S3Client(localS3ClientConfig(fauxqs.endpoint));
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  afterAll(async () => {
    s3?.destroy();
    await fauxqs?.stop();
  });

  it('PutObjectTagging answers 200 but OVERWRITES the object with the <Tagging> XML body', async () => {
    // Prepare
    const key = 'victim.jpg';
    const original = await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: 'jpeg bytes',
        ContentType: 'image/jpeg',
        Metadata: { m: '1' },
      }),
    );

    // Act
    const tagged = await s3.send(
      new PutObjectTaggingCommand({
        Bucket: BUCKET,
        Key: key,
        Tagging: { TagSet: [{ Key: 'library-file-id', Value: 'f1' }] },
      }),
    );
    const after = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const text = await after.Body!.transformToString();
    // GetObjectTagging is a GetObject too: the SDK parses the (now XML) object as a tag set, so the
    // tags *look* stored.
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: key }));

    // Assess
    expect(tagged.$metadata.httpStatusCode).toBe(200);
    expect(text).toMatch(/^<\?xml[\s\S]*<Tagging[\s\S]*<Key>library-file-id<\/Key><Value>f1<\/Value>/);
    expect(after.ContentType).toBe('application/xml');
    expect(after.Metadata).toEqual({});
    expect(after.ETag).not.toBe(original.ETag);
    expect(tags.TagSet).toEqual([{ Key: 'library-file-id', Value: 'f1' }]);
  });

  it('PutObjectTagging on a missing key creates an object made of the XML', async () => {
    await s3.send(
      new PutObjectTaggingCommand({ Bucket: BUCKET, Key: 'ghost', Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] } }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'ghost' }));
    expect(head.ContentType).toBe('application/xml');
  });

  it('refuses a single PutObject above 11 MiB with 413 (fauxqs request body limit)', async () => {
    // Past the limit fauxqs answers and closes. A client still writing then meets a reset that can
    // swallow the answer (the SDK saw EPIPE on a loaded machine), so this one stops writing just past
    // the limit and reads the answer: the same refusal, without the race.
    expect(await putStatusAfterBytes(`${fauxqs.endpoint}/${BUCKET}/too-big`, 12 * MiB, 11.5 * MiB)).toBe(413);
  });

  it('leaves no process and no listening port after stop', async () => {
    const second = await startFauxqsProcess();
    expect(await isPortListening(second.port)).toBe(true);
    await second.stop();
    expect(isProcessAlive(second.pid)).toBe(false);
    expect(await isPortListening(second.port)).toBe(false);
  });
});

describe('fauxqs S3 bucket notifications to SQS (added by our launcher; fauxqs alone ignores them)', () => {
  let fauxqs: Fauxqs;
  let s3: S3Client;
  let sqs: SQSClient;
  let queueUrl: string;

  const receiveBodies = async (): Promise<Array<Record<string, unknown>>> => {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    for (const m of Messages)
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    return Messages.map((m) => JSON.parse(m.Body ?? '{}') as Record<string, unknown>);
  };

  beforeAll(async () => {
    fauxqs = await startFauxqsProcess();
    s3 = new S3Client(localS3ClientConfig(fauxqs.endpoint));
    sqs = new SQSClient(localClientConfig(fauxqs.endpoint));
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'ingest' }))).QueueUrl!;
  });

  afterAll(async () => {
    s3?.destroy();
    sqs?.destroy();
    await fauxqs?.stop();
  });

  it('stores the configuration, answers it back, and sends an s3:TestEvent like S3', async () => {
    // Act
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: BUCKET,
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              Id: 'to-ingest',
              QueueArn: 'arn:aws:sqs:us-east-1:000000000000:ingest',
              Events: ['s3:ObjectCreated:*'],
              Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'incoming/' }] } },
            },
          ],
        },
      }),
    );
    const config = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: BUCKET }));
    const messages = await receiveBodies();

    // Assess
    expect(config.QueueConfigurations).toEqual([
      {
        Id: 'to-ingest',
        QueueArn: 'arn:aws:sqs:us-east-1:000000000000:ingest',
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'incoming/' }] } },
      },
    ]);
    expect(messages).toEqual([
      expect.objectContaining({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: BUCKET }),
    ]);
  });

  it('sends an ObjectCreated:Put record with the key URL-encoded (+ for space), size and unquoted eTag, no versionId', async () => {
    // Prepare
    const key = 'incoming/Team A/My File+1 (final).png';
    const body = Buffer.from('png bytes');

    // Act
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'elsewhere/not-notified.txt', Body: 'x' }));
    const messages = await receiveBodies();

    // Assess
    expect(messages).toHaveLength(1);
    const record = (messages[0] as S3Notification | undefined)?.Records[0];
    expect(record).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventName: 'ObjectCreated:Put',
      s3: {
        configurationId: 'to-ingest',
        bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` },
        object: { key: 'incoming/Team+A/My+File%2B1+%28final%29.png', size: body.length, eTag: md5(body) },
      },
    });
    expect(record?.s3.object.versionId).toBeUndefined();
    expect(decodeURIComponent(String(record?.s3.object.key).replace(/\+/g, ' '))).toBe(key);
  });

  it('sends ObjectCreated:CompleteMultipartUpload for a multipart upload', async () => {
    // Prepare / Act
    const key = 'incoming/multi.bin';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
    const part = await s3.send(
      new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: 1, Body: Buffer.from('only part') }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    const messages = await receiveBodies();

    // Assess: one event only (the parts send none), with the multipart ETag ("<md5>-1").
    expect(messages).toHaveLength(1);
    const record = (messages[0] as S3Notification | undefined)?.Records[0];
    expect(record?.eventName).toBe('ObjectCreated:CompleteMultipartUpload');
    expect(record?.s3.object).toMatchObject({ key: 'incoming/multi.bin', size: 9 });
    expect(String(record?.s3.object.eTag)).toMatch(/^[0-9a-f]{32}-1$/);
  });
});

const MiB = 1024 * 1024;

/** Declares `declared` bytes, writes only `sent` of them, and resolves with the status of the answer. */
function putStatusAfterBytes(url: string, declared: number, sent: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers: { 'content-length': String(declared) } });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(MiB / 2);
    let written = 0;
    const writeMore = (): void => {
      while (written < sent) {
        written += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', writeMore);
      }
    };
    writeMore();
  });
}
