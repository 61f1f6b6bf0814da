/**
 * The bad-input catalogue, end to end: every case goes through the whole local pipeline (S3 bucket →
 * notification → ingest → record → stream → publish → event on the bus stand-in) and ends as the
 * catalogue says: Rejected with a specific reason key and an event, accepted (with a shortened name or
 * description where the API has limits), or skipped with neither record nor event. No case is retried
 * (attempts, the sandbox's upload count), none crashes a function, none reaches a dead-letter queue.
 *
 * The shared logic behind each case is also covered at the function level in
 * test/integration/pipeline/{rejections,keys,outcomes}.test.ts; docs/reliability.md has the table.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { librarySecretName } from '../../../infra/config/index.ts';
import { localS3ClientConfig, localClientConfig } from '../../../infra/local/emulators/aws-endpoints.ts';
import { startLocalPipeline, type LocalPipeline } from '../../../infra/local/runner/local-pipeline.ts';
import type { EventEnvelope } from '../../../infra/local/standins/eventbridge.ts';
import type { UploadRecord } from '../../../shared/record/upload-record.ts';
import { encodeS3Key } from '../../../shared/s3/key-encoding.ts';
import { buildS3Notification } from '../../../shared/s3/notification.ts';

const MAX_UPLOAD_SIZE = 200_000;

function png(padding = 300): Buffer {
  const header = Buffer.alloc(24);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header, 0);
  header.writeUInt32BE(13, 8);
  header.write('IHDR', 12, 'latin1');
  header.writeUInt32BE(32, 16);
  header.writeUInt32BE(24, 20);
  return Buffer.concat([header, Buffer.alloc(padding, 9)]);
}
const pdf = (): Buffer => Buffer.from('%PDF-1.4\n% catalogue\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n', 'latin1');
const md5 = (bytes: Buffer): string => createHash('md5').update(bytes).digest('hex');

type Expectation =
  | { outcome: 'Rejected'; errorKey: string }
  | { outcome: 'Active'; fileName?: (name: string) => void; description?: (text: string) => void; folderPath?: string }
  | { outcome: 'skipped' };

interface Case {
  name: string;
  /** Key below the upload prefix, when the case is about one object (its record and event are checked). */
  key?: string;
  expect: Expectation;
  /** Puts the object and/or sends the message. */
  act: (io: CaseIo) => Promise<void>;
}

interface CaseIo {
  put(key: string, body: Buffer, metadata?: Record<string, string>): Promise<void>;
  send(body: string): Promise<void>;
  notify(key: string, object: { eTag: string; size: number }): Promise<void>;
}

const LONG_BASE = `quarterly-report-${'x'.repeat(110)}`;
const LONG_DESCRIPTION = `A description written by someone who had a great deal to say about this picture ${'and more '.repeat(10)}`;

const CASES: Case[] = [
  {
    name: 'unsupported extension',
    key: 'cat/notes.txt',
    expect: { outcome: 'Rejected', errorKey: 'unsupported-type' },
    act: (io) => io.put('cat/notes.txt', Buffer.from('hello\n')),
  },
  {
    name: 'no extension',
    key: 'cat/README',
    expect: { outcome: 'Rejected', errorKey: 'unsupported-type' },
    act: (io) => io.put('cat/README', png()),
  },
  {
    name: 'upper-case extension',
    key: 'cat/PHOTO.PNG',
    expect: { outcome: 'Active', fileName: (n) => expect(n).toBe('PHOTO.PNG') },
    act: (io) => io.put('cat/PHOTO.PNG', png()),
  },
  {
    name: 'content not matching the extension',
    key: 'cat/not-really.png',
    expect: { outcome: 'Rejected', errorKey: 'content-mismatch' },
    act: (io) => io.put('cat/not-really.png', pdf()),
  },
  {
    name: 'zero bytes',
    key: 'cat/empty.png',
    expect: { outcome: 'Rejected', errorKey: 'empty-file' },
    act: (io) => io.put('cat/empty.png', Buffer.alloc(0)),
  },
  {
    name: "over the account's size limit",
    key: 'cat/huge.png',
    expect: { outcome: 'Rejected', errorKey: 'too-large' },
    act: (io) => io.put('cat/huge.png', png(MAX_UPLOAD_SIZE + 1)),
  },
  {
    name: "name over the API's 80 characters (accepted, shortened)",
    key: `cat/${LONG_BASE}.png`,
    expect: {
      outcome: 'Active',
      fileName: (n) => {
        expect(n.length).toBe(80);
        expect(n.endsWith('….png')).toBe(true);
      },
    },
    act: (io) => io.put(`cat/${LONG_BASE}.png`, png()),
  },
  {
    name: 'description over 100 characters (accepted, shortened)',
    key: 'cat/described.png',
    expect: {
      outcome: 'Active',
      description: (d) => {
        expect(d.length).toBe(100);
        expect(d.endsWith('…')).toBe(true);
      },
    },
    act: (io) => io.put('cat/described.png', png(), { description: LONG_DESCRIPTION }),
  },
  {
    name: 'key with spaces',
    key: 'cat/team photo 2026.png',
    expect: { outcome: 'Active', fileName: (n) => expect(n).toBe('team photo 2026.png') },
    act: (io) => io.put('cat/team photo 2026.png', png()),
  },
  {
    name: 'key with +',
    key: 'cat/a+b.png',
    expect: { outcome: 'Active', fileName: (n) => expect(n).toBe('a+b.png') },
    act: (io) => io.put('cat/a+b.png', png()),
  },
  {
    name: 'key with %',
    key: 'cat/100%.png',
    expect: { outcome: 'Active', fileName: (n) => expect(n).toBe('100%.png') },
    act: (io) => io.put('cat/100%.png', png()),
  },
  {
    name: 'invalid percent sequence in the notified key (no such object)',
    key: 'cat/bad%zz.png',
    expect: { outcome: 'Rejected', errorKey: 'object-missing' },
    // S3 always encodes '%' as %25: only a hand-made message can carry this. Decoded leniently.
    act: (io) =>
      io.send(
        JSON.stringify(
          buildS3Notification([
            {
              bucket: BUCKET(),
              key: 'uploads/cat/bad%zz.png',
              encodedKey: 'uploads/cat/bad%zz.png',
              size: 10,
              eTag: 'abc',
            },
          ]),
        ),
      ),
  },
  {
    name: 'unicode in folder and name',
    key: 'cat/Café Ünïcødé/naïve résumé.pdf',
    expect: { outcome: 'Active', fileName: (n) => expect(n).toBe('naïve résumé.pdf'), folderPath: 'cat/Café Ünïcødé' },
    act: (io) => io.put('cat/Café Ünïcødé/naïve résumé.pdf', pdf()),
  },
  {
    name: 'emoji',
    key: 'cat/🎉 party 🥳.png',
    expect: { outcome: 'Active', fileName: (n) => expect(n).toBe('🎉 party 🥳.png') },
    act: (io) => io.put('cat/🎉 party 🥳.png', png()),
  },
  {
    name: "key ending in '/' (console folder)",
    key: 'cat/just-a-folder/',
    expect: { outcome: 'skipped' },
    act: (io) => io.put('cat/just-a-folder/', Buffer.alloc(0)),
  },
  {
    name: 'object deleted before ingest',
    key: 'cat/gone.png',
    expect: { outcome: 'Rejected', errorKey: 'object-missing' },
    act: (io) => io.notify('cat/gone.png', { eTag: md5(png(77)), size: png(77).length }),
  },
  {
    name: 'object overwritten by a new version (notification of the old one)',
    key: 'cat/overwritten.png',
    expect: { outcome: 'Rejected', errorKey: 'object-changed' },
    act: async (io) => {
      // The bucket holds version 2 (its own notification follows and is uploaded); version 1's
      // notification names an eTag the object no longer has.
      await io.put('cat/overwritten.png', png(500));
      await io.notify('cat/overwritten.png', { eTag: md5(png(400)), size: png(400).length });
    },
  },
  {
    name: 'folder path deeper than the library allows (accepted, levels joined)',
    key: 'cat/a/b/c/d/deep.png',
    expect: { outcome: 'Active', folderPath: 'cat/a/b - c - d' },
    act: (io) => io.put('cat/a/b/c/d/deep.png', png()),
  },
  {
    name: 'malformed queue message',
    expect: { outcome: 'skipped' },
    act: (io) => io.send('{"Records": [ this is not json'),
  },
  {
    name: 's3:TestEvent',
    expect: { outcome: 'skipped' },
    act: (io) =>
      io.send(
        JSON.stringify({
          Service: 'Amazon S3',
          Event: 's3:TestEvent',
          Time: new Date().toISOString(),
          Bucket: BUCKET(),
          RequestId: 'TEST',
          HostId: 'TEST',
        }),
      ),
  },
];

let pipeline: LocalPipeline;
let stateDir: string;
let s3: S3Client;
let sqs: SQSClient;
const BUCKET = (): string => pipeline.resources.bucket;
const full = (key: string): string => `${pipeline.resources.uploadPrefix}${key}`;
let records: UploadRecord[] = [];
let events: EventEnvelope[] = [];
let validate: (detail: unknown) => boolean;
/** Distinctive credentials, so that a leak is found by a plain text search. */
const credentials = {
  apiKey: `catalogueKey${randomBytes(8).toString('hex')}`,
  accessToken: `catalogueToken${randomBytes(10).toString('hex')}`,
};

async function depth(url: string): Promise<number> {
  const result = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return Object.values(result.Attributes ?? {}).reduce((sum, v) => sum + Number(v), 0);
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'catalogue-'));
  pipeline = await startLocalPipeline({
    fast: true,
    stateDir,
    dropDir: false,
    library: 'sandbox',
    sandbox: { extraArgs: ['--max-upload-size', String(MAX_UPLOAD_SIZE)] },
  });
  s3 = new S3Client(localS3ClientConfig(pipeline.endpoints.s3));
  sqs = new SQSClient(localClientConfig(pipeline.endpoints.sqs));
  // The run's own credentials: the sandbox accepts only them, the secret holds them.
  const admin = await fetch(`${pipeline.sandbox!.origin}/__sandbox/credentials`, {
    method: 'POST',
    body: JSON.stringify([credentials]),
  });
  expect(admin.status).toBe(200);
  const secrets = new SecretsManagerClient(localClientConfig(pipeline.endpoints.secretsmanager));
  await secrets.send(
    new PutSecretValueCommand({
      SecretId: librarySecretName(pipeline.stage),
      SecretString: JSON.stringify(credentials),
    }),
  );
  secrets.destroy();
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  (ajvFormats as unknown as { default: (a: Ajv2020) => Ajv2020 }).default(ajv);
  const compiled = ajv.compile(
    JSON.parse(
      readFileSync(
        new URL('../../../shared/events/schema/library-upload-event.v1.schema.json', import.meta.url),
        'utf8',
      ),
    ) as object,
  );
  validate = (detail) => compiled(detail);

  // Act (once for the whole catalogue): every case at once, as a busy bucket would see them.
  const io: CaseIo = {
    async put(key, body, metadata) {
      await s3.send(
        new PutObjectCommand({
          Bucket: BUCKET(),
          Key: full(key),
          Body: body,
          ...(metadata ? { Metadata: metadata } : {}),
        }),
      );
    },
    async send(body) {
      await sqs.send(new SendMessageCommand({ QueueUrl: pipeline.resources.ingestQueue.url, MessageBody: body }));
    },
    async notify(key, object) {
      const body = buildS3Notification([
        { bucket: BUCKET(), key: full(key), encodedKey: encodeS3Key(full(key)), ...object },
      ]);
      await io.send(JSON.stringify(body));
    },
  };
  for (const c of CASES) await c.act(io);
  const withEvents = CASES.filter((c) => c.key !== undefined && c.expect.outcome !== 'skipped').map((c) =>
    full(c.key as string),
  );
  await pipeline.waitForEvents({ keys: withEvents, timeoutMs: 90_000 });
  // The overwritten key has two versions: the new one's upload ends with an event too.
  await pipeline.waitForEvents({ count: withEvents.length + 1, timeoutMs: 60_000 });
  // Everything consumed (the skipped messages included) before looking for what must not exist.
  for (
    let i = 0;
    i < 100 &&
    (await depth(pipeline.resources.ingestQueue.url)) + (await depth(pipeline.resources.statusQueue.url)) > 0;
    i++
  ) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await new Promise((resolve) => setTimeout(resolve, 1500));
  records = await pipeline.records();
  events = pipeline.events();
  console.info(
    `[catalogue]\n${records
      .map(
        (r) =>
          `${r.key} → ${r.status}${r.errorKey ? ` ${r.errorKey}` : ''}${r.fileName ? ` name=${JSON.stringify(r.fileName)}` : ''}${r.folderPath ? ` folder=${JSON.stringify(r.folderPath)}` : ''} attempts=${r.attempts}`,
      )
      .join('\n')}`,
  );
}, 180_000);

afterAll(async () => {
  s3?.destroy();
  sqs?.destroy();
  await pipeline?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

const recordOf = (key: string, status?: string): UploadRecord | undefined =>
  records.find((r) => r.key === full(key) && (status === undefined || r.status === status));
const eventsOf = (key: string): EventEnvelope[] =>
  events.filter((e) => (e.detail as { object: { key: string } }).object.key === full(key));

describe('bad-input catalogue (whole pipeline)', () => {
  for (const c of CASES) {
    it(`${c.name}: ${c.expect.outcome === 'Rejected' ? `Rejected (${c.expect.errorKey})` : c.expect.outcome === 'Active' ? 'accepted' : 'skipped, no record and no event'}`, () => {
      const e = c.expect;
      if (e.outcome === 'skipped') {
        if (c.key) expect(records.filter((r) => r.key === full(c.key as string))).toEqual([]);
        if (c.key) expect(eventsOf(c.key)).toEqual([]);
        return;
      }
      const key = c.key as string;
      const record = recordOf(key, e.outcome);
      expect(record, `record of ${key}`).toBeDefined();
      const event = eventsOf(key).find((ev) => (ev.detail as { status: string }).status === e.outcome);
      expect(event, `event of ${key}`).toBeDefined();
      expect(validate(event?.detail)).toBe(true);
      if (e.outcome === 'Rejected') {
        expect(record?.errorKey).toBe(e.errorKey);
        expect((event?.detail as { reason?: { errorKey?: string } }).reason?.errorKey).toBe(e.errorKey);
        expect(event?.['detail-type']).toBe('Library File Rejected');
        // Never sent to the library, never retried.
        expect(record?.attempts).toBe(0);
        expect(record?.libraryFileId).toBeUndefined();
      } else {
        expect(record?.attempts).toBe(1);
        expect(record?.libraryFileId).toBeDefined();
        if (e.fileName) e.fileName(record?.fileName ?? '');
        if (e.description) e.description(record?.description ?? '');
        if (e.folderPath) expect(record?.folderPath).toBe(e.folderPath);
      }
    });
  }

  it('retries nothing: one upload per accepted file, no re-sent copies, no failed invocation, empty dead-letter queues', async () => {
    const accepted = records.filter((r) => r.status === 'Active');
    const counters = await pipeline.sandbox!.counters();
    const uploads = Object.values(counters.requests.uploadFile ?? {}).reduce((a, b) => a + b, 0);
    const log = readFileSync(pipeline.paths.functionLog, 'utf8');
    const dlqDepths = await Promise.all(
      [
        pipeline.resources.ingestQueue.deadLetter.url,
        pipeline.resources.statusQueue.deadLetter.url,
        pipeline.resources.publishFailureQueue.url,
      ].map(depth),
    );
    // The overwritten key's new version is the one accepted file beyond the catalogue's own.
    expect(accepted).toHaveLength(CASES.filter((c) => c.expect.outcome === 'Active').length + 1);
    expect(uploads).toBe(accepted.length);
    expect((await pipeline.sandbox!.files()).length).toBe(accepted.length);
    expect(log).not.toContain('Ingest put back on the queue');
    expect(log).not.toContain('leaving the message to SQS redelivery');
    expect(dlqDepths).toEqual([0, 0, 0]);
  });

  it('leaves the api key and the token out of the function logs, the records, the events and their error messages', () => {
    const { apiKey, accessToken } = credentials;
    const haystacks = {
      functionLogs: readFileSync(pipeline.paths.functionLog, 'utf8'),
      records: JSON.stringify(records),
      events: JSON.stringify(events),
      eventsFile: readFileSync(pipeline.paths.eventsFile, 'utf8'),
    };
    expect(apiKey.length).toBeGreaterThan(8);
    for (const [where, text] of Object.entries(haystacks)) {
      expect(text.length, where).toBeGreaterThan(0);
      expect(text.includes(apiKey), `api key in ${where}`).toBe(false);
      expect(text.includes(accessToken), `token in ${where}`).toBe(false);
    }
  });

  it('logs the malformed message and the lenient decoding, and keeps the skipped keys out of the table', () => {
    const log = readFileSync(pipeline.paths.functionLog, 'utf8');
    expect(log).toContain('Malformed ingest message dropped');
    expect(log).toContain('S3 test event ignored');
    expect(log).toContain('decoded leniently');
    expect(records.some((r) => r.key.endsWith('/'))).toBe(false);
    expect(records).toHaveLength(CASES.filter((c) => c.expect.outcome !== 'skipped').length + 1);
  });
});
