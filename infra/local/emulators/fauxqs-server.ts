/**
 * Process entry point: fauxqs (S3 + SQS + SNS emulator) listening on 127.0.0.1 only.
 *
 * `startFauxqs()` from the package always binds 0.0.0.0, so this file wires the same pieces
 * (`buildApp` with its own SqsStore / SnsStore / S3Store, logger off) and listens on 127.0.0.1.
 * It is started by `fauxqs.ts` as a child process and runs with plain `node` (Node >= 22.18 strips
 * the types; only erasable TypeScript here, and no imports of other project files).
 *
 * Protocol with the parent:
 *  - argv: `--port N` (0 = any free port), `--tagging emulate|fauxqs`, `--body-limit-mb N`.
 *  - stdout: one line `FAUXQS_READY {"port":N,"host":"127.0.0.1"}` once listening.
 *  - stdin: when it closes (the parent exited, however), the server shuts down and exits.
 *
 * Two deliberate changes to fauxqs' behaviour, both opt-out:
 *  - Object tagging (`--tagging emulate`, the default). fauxqs 2.x has no tagging routes:
 *    `PUT /bucket/key?tagging` falls through to PutObject and REPLACES THE OBJECT with the
 *    `<Tagging>` XML body (see test/integration/emulators/fauxqs-s3.test.ts). The poll function
 *    tags objects, so this server answers PutObjectTagging / GetObjectTagging /
 *    DeleteObjectTagging itself from an in-memory tag store, as S3 does, and leaves the object
 *    alone. `--tagging fauxqs` restores the raw behaviour (used by the test that documents it).
 *  - Request body limit. fauxqs caps every request body at 11 MiB (enough for multipart parts);
 *    a single PutObject of a larger test file would fail with 413. The S3 body parser is
 *    re-registered with `--body-limit-mb` (default 256). fauxqs still holds objects in memory.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { buildApp } from 'fauxqs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    tagging: { type: 'string', default: 'emulate' },
    'body-limit-mb': { type: 'string', default: '256' },
  },
});

const HOST = '127.0.0.1';
const port = Number(values.port);
const bodyLimit = Number(values['body-limit-mb']) * 1_048_576;
const emulateTagging = values.tagging !== 'fauxqs';

// The stores, as startFauxqs wires them (in memory, no persistence). The package exports only its
// entry point, so the store classes are loaded from its dist folder by file URL.
// SqsStore.host defaults to "localhost", which makes queue URLs http://sqs.REGION.localhost:PORT/…
// A handler whose SQS endpoint comes from AWS_ENDPOINT_URL_SQS (not from code) sends each request
// to its QueueUrl's host (the SDK's useQueueUrlAsEndpoint), and *.localhost does not resolve
// everywhere. With host cleared, queue URLs take the request's Host header:
// http://127.0.0.1:PORT/000000000000/NAME.
const fauxqsDist = dirname(fileURLToPath(import.meta.resolve('fauxqs')));
const load = async <T>(relative: string, name: string): Promise<T> =>
  ((await import(pathToFileURL(join(fauxqsDist, relative)).href)) as Record<string, T>)[name] as T;
type StoreClass = new () => Record<string, unknown>;
const SqsStore = await load<StoreClass>('sqs/sqsStore.js', 'SqsStore');
const SnsStore = await load<StoreClass>('sns/snsStore.js', 'SnsStore');
const S3Store = await load<StoreClass>('s3/s3Store.js', 'S3Store');
const sqsStore = new SqsStore();
sqsStore['host'] = undefined;
const snsStore = new SnsStore();
const s3Store = new S3Store();
type Stores = NonNullable<NonNullable<Parameters<typeof buildApp>[0]>['stores']>;
const app = buildApp({ logger: false, stores: { sqsStore, snsStore, s3Store } as unknown as Stores });

// Same wildcard parser as fauxqs (raw Buffer for S3 bodies), with a larger limit.
app.removeContentTypeParser('*');
app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => {
  done(null, body);
});

type Tags = Map<string, string>;
const tagStore = new Map<string, Tags>();
const tagKey = (bucket: string, key: string): string => `${bucket}\u0000${key}`;

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function xmlUnescape(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function s3ErrorXml(code: string, message: string, resource: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>` +
    `<Resource>${xmlEscape(resource)}</Resource><RequestId>fauxqs-local</RequestId></Error>`
  );
}

/** Parses `<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag>...` into a map, or an error. */
function parseTagging(xml: string): Tags | string {
  const tags: Tags = new Map();
  const tagPattern = /<Tag>\s*<Key>([\s\S]*?)<\/Key>\s*<Value>([\s\S]*?)<\/Value>\s*<\/Tag>/g;
  for (const match of xml.matchAll(tagPattern)) {
    const key = xmlUnescape(match[1] ?? '');
    const value = xmlUnescape(match[2] ?? '');
    if (key.length === 0 || key.length > 128) return 'The TagKey you have provided is invalid';
    if (value.length > 256) return 'The TagValue you have provided is invalid';
    if (tags.has(key)) return 'Cannot provide multiple Tags with the same key';
    tags.set(key, value);
  }
  if (!/<Tagging[\s>]/.test(xml)) return 'The XML you provided was not well-formed';
  if (tags.size > 10) return 'Object tags cannot be greater than 10';
  return tags;
}

/** Tags given at upload time in the `x-amz-tagging` header (URL query encoding). */
function parseTaggingHeader(header: string): Tags {
  const tags: Tags = new Map();
  for (const [key, value] of new URLSearchParams(header)) tags.set(key, value);
  return tags;
}

async function objectExists(bucket: string, key: string): Promise<boolean> {
  const url = `/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
  const response = await app.inject({ method: 'HEAD', url });
  return response.statusCode === 200;
}

if (emulateTagging) {
  app.addHook('preHandler', async (request, reply) => {
    const params = request.params as { bucket?: string; '*'?: string } | undefined;
    const bucket = params?.bucket;
    const key = params?.['*'];
    if (!bucket || !key) return;
    const query = (request.query ?? {}) as Record<string, unknown>;
    const id = tagKey(bucket, key);
    const method = request.method;

    if (!('tagging' in query)) {
      // Object writes and deletes reset the tags, as S3 does (a new object has only its own tags).
      const isPut = method === 'PUT' && !('uploadId' in query) && !('renameObject' in query);
      if (isPut || (method === 'DELETE' && !('uploadId' in query))) {
        tagStore.delete(id);
        const header = request.headers['x-amz-tagging'];
        if (isPut && typeof header === 'string' && header.length > 0) tagStore.set(id, parseTaggingHeader(header));
      }
      return;
    }

    reply.header('content-type', 'application/xml');
    if (!(await objectExists(bucket, key))) {
      return reply.status(404).send(s3ErrorXml('NoSuchKey', 'The specified key does not exist.', `/${bucket}/${key}`));
    }
    if (method === 'PUT') {
      const body = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : String(request.body ?? '');
      const parsed = parseTagging(body);
      if (typeof parsed === 'string') {
        return reply.status(400).send(s3ErrorXml('InvalidTag', parsed, `/${bucket}/${key}`));
      }
      tagStore.set(id, parsed);
      return reply.status(200).send('');
    }
    if (method === 'GET') {
      const tags = tagStore.get(id) ?? new Map<string, string>();
      const tagXml = [...tags]
        .map(([k, v]) => `<Tag><Key>${xmlEscape(k)}</Key><Value>${xmlEscape(v)}</Value></Tag>`)
        .join('');
      return reply
        .status(200)
        .send(
          '<?xml version="1.0" encoding="UTF-8"?>' +
            `<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>${tagXml}</TagSet></Tagging>`,
        );
    }
    if (method === 'DELETE') {
      tagStore.delete(id);
      return reply.status(204).send();
    }
    return reply.status(405).send(s3ErrorXml('MethodNotAllowed', 'The specified method is not allowed.', `/${bucket}/${key}`));
  });

  // GetObject / HeadObject report how many tags an object has, as S3 does.
  app.addHook('onSend', async (request, reply, payload) => {
    if ((request.method === 'GET' || request.method === 'HEAD') && reply.statusCode < 300) {
      const params = request.params as { bucket?: string; '*'?: string } | undefined;
      const query = (request.query ?? {}) as Record<string, unknown>;
      if (params?.bucket && params['*'] && !('tagging' in query)) {
        const tags = tagStore.get(tagKey(params.bucket, params['*']));
        if (tags && tags.size > 0) reply.header('x-amz-tagging-count', String(tags.size));
      }
    }
    return payload;
  });
}

let closing = false;
async function shutdown(code: number): Promise<void> {
  if (closing) return;
  closing = true;
  try {
    await app.close();
  } finally {
    process.exit(code);
  }
}

process.stdin.on('end', () => void shutdown(0));
process.stdin.on('error', () => void shutdown(0));
process.stdin.resume();
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));

try {
  const address = await app.listen({ host: HOST, port });
  const actualPort = Number(new URL(address).port);
  process.stdout.write(`FAUXQS_READY ${JSON.stringify({ port: actualPort, host: HOST })}\n`);
} catch (err) {
  process.stderr.write(`fauxqs failed to listen on ${HOST}:${port}: ${String(err)}\n`);
  process.exit(1);
}
