/**
 * Two S3 features the pipeline relies on and fauxqs 2.x lacks, added to a fauxqs app as Fastify
 * hooks (loaded by fauxqs-server.ts; plain Node runs this file, so erasable TypeScript only).
 *
 * 1. Object tagging. fauxqs has no tagging routes: `PUT /bucket/key?tagging` falls through to
 *    PutObject and REPLACES THE OBJECT with the `<Tagging>` XML (content type application/xml,
 *    metadata gone, new ETag), and `GET ?tagging` returns the object, which the SDK happily parses
 *    as a tag set. `installObjectTagging` answers PutObjectTagging / GetObjectTagging /
 *    DeleteObjectTagging from an in-memory tag store as S3 does, honours `x-amz-tagging` on
 *    PutObject, resets tags when an object is overwritten or deleted, and reports
 *    `x-amz-tagging-count` on GetObject / HeadObject.
 *
 * 2. Bucket notifications to SQS. fauxqs answers PutBucketNotificationConfiguration 200 and
 *    ignores it (the request is routed to CreateBucket). `installBucketNotifications` stores
 *    QueueConfigurations (events `s3:ObjectCreated:*`, `:Put`, `:Copy`, `:CompleteMultipartUpload`,
 *    `s3:ObjectRemoved:*`, `:Delete`; prefix/suffix filter rules), answers
 *    GetBucketNotificationConfiguration, and after each successful write sends the S3 event
 *    message (eventVersion 2.1, key URL-encoded with '+' for spaces, eTag without quotes, no
 *    versionId since fauxqs has no versioning) to the queue, asynchronously like S3. Like S3, it
 *    also sends an `s3:TestEvent` message to each queue when the configuration is set.
 */
import { randomUUID } from 'node:crypto';
import type { buildApp } from 'fauxqs';

type FauxqsApp = ReturnType<typeof buildApp>;
type Params = { bucket?: string; '*'?: string } | undefined;
type Query = Record<string, unknown>;

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** Escapes text for an S3 XML body. */
export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Reverses `xmlEscape` for the values read from a request body. */
export function xmlUnescape(text: string): string {
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

function bodyText(body: unknown): string {
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  return typeof body === 'string' ? body : '';
}

/** Size and eTag of a stored object, or undefined when there is none. */
export type ObjectLookup = (bucket: string, key: string) => { size: number; eTag: string } | undefined;

/**
 * An `ObjectLookup` over fauxqs' S3 store. Read from the store, not through a HEAD request injected
 * into the app: an injected URL is parsed as a WHATWG URL, which resolves dot segments (even as %2E),
 * so the object `a/../x.png`, a legal S3 key, would be looked up as `x.png`, found missing, and get no
 * notification.
 */
export function storeLookup(store: {
  headObject(bucket: string, key: string): { contentLength: number; etag: string };
}): ObjectLookup {
  return (bucket, key) => {
    try {
      const object = store.headObject(bucket, key);
      return { size: object.contentLength, eTag: object.etag.replace(/"/g, '') };
    } catch {
      return undefined;
    }
  };
}

// ---------------------------------------------------------------------------------------------
// 1. Object tagging

type Tags = Map<string, string>;

/** Parses `<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag>...` into a map, or an error. */
export function parseTagging(xml: string): Tags | string {
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

/** Adds S3 object tagging (PUT/GET/DELETE `?tagging`), which fauxqs lacks, to its server. */
export function installObjectTagging(app: FauxqsApp, lookup: ObjectLookup): void {
  const tagStore = new Map<string, Tags>();
  const idOf = (bucket: string, key: string): string => `${bucket}\u0000${key}`;

  app.addHook('preHandler', async (request, reply) => {
    const params = request.params as Params;
    const bucket = params?.bucket;
    const key = params?.['*'];
    if (!bucket || !key) return;
    const query = (request.query ?? {}) as Query;
    const id = idOf(bucket, key);
    const method = request.method;

    if (!('tagging' in query)) {
      // Object writes and deletes reset the tags, as S3 does (a new object has only its own tags).
      const isPut = method === 'PUT' && !('uploadId' in query) && !('renameObject' in query);
      if (isPut || (method === 'DELETE' && !('uploadId' in query))) {
        tagStore.delete(id);
        const header = request.headers['x-amz-tagging'];
        if (isPut && typeof header === 'string' && header.length > 0) {
          tagStore.set(id, new Map(new URLSearchParams(header)));
        }
      }
      return;
    }

    reply.header('content-type', 'application/xml');
    if (!lookup(bucket, key)) {
      return reply.status(404).send(s3ErrorXml('NoSuchKey', 'The specified key does not exist.', `/${bucket}/${key}`));
    }
    if (method === 'PUT') {
      const parsed = parseTagging(bodyText(request.body));
      if (typeof parsed === 'string')
        return reply.status(400).send(s3ErrorXml('InvalidTag', parsed, `/${bucket}/${key}`));
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
        .send(`<?xml version="1.0" encoding="UTF-8"?><Tagging xmlns="${XMLNS}"><TagSet>${tagXml}</TagSet></Tagging>`);
    }
    if (method === 'DELETE') {
      tagStore.delete(id);
      return reply.status(204).send();
    }
    return reply
      .status(405)
      .send(s3ErrorXml('MethodNotAllowed', 'The specified method is not allowed.', `/${bucket}/${key}`));
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if ((request.method === 'GET' || request.method === 'HEAD') && reply.statusCode < 300) {
      const params = request.params as Params;
      const query = (request.query ?? {}) as Query;
      if (params?.bucket && params['*'] && !('tagging' in query)) {
        const tags = tagStore.get(idOf(params.bucket, params['*']));
        if (tags && tags.size > 0) reply.header('x-amz-tagging-count', String(tags.size));
      }
    }
    return payload;
  });
}

// ---------------------------------------------------------------------------------------------
// 2. Bucket notifications to SQS

/** One queue configuration of a bucket's notification settings. */
export interface QueueNotification {
  id: string;
  queueArn: string;
  events: string[];
  prefix: string;
  suffix: string;
}

/** Parses the QueueConfiguration elements of a NotificationConfiguration document. */
export function parseNotificationConfiguration(xml: string): QueueNotification[] {
  const configs: QueueNotification[] = [];
  for (const match of xml.matchAll(/<QueueConfiguration>([\s\S]*?)<\/QueueConfiguration>/g)) {
    const block = match[1] ?? '';
    const text = (tag: string): string =>
      xmlUnescape(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(block)?.[1] ?? '');
    const rules = new Map<string, string>();
    for (const rule of block.matchAll(
      /<FilterRule>\s*<Name>([\s\S]*?)<\/Name>\s*<Value>([\s\S]*?)<\/Value>\s*<\/FilterRule>/g,
    )) {
      rules.set((rule[1] ?? '').toLowerCase(), xmlUnescape(rule[2] ?? ''));
    }
    configs.push({
      id: text('Id') || randomUUID(),
      queueArn: text('Queue'),
      events: [...block.matchAll(/<Event>([\s\S]*?)<\/Event>/g)].map((e) => xmlUnescape(e[1] ?? '')),
      prefix: rules.get('prefix') ?? '',
      suffix: rules.get('suffix') ?? '',
    });
  }
  return configs;
}

function notificationXml(configs: QueueNotification[]): string {
  const blocks = configs.map((c) => {
    const rules = [
      c.prefix ? `<FilterRule><Name>prefix</Name><Value>${xmlEscape(c.prefix)}</Value></FilterRule>` : '',
      c.suffix ? `<FilterRule><Name>suffix</Name><Value>${xmlEscape(c.suffix)}</Value></FilterRule>` : '',
    ].join('');
    const filter = rules ? `<Filter><S3Key>${rules}</S3Key></Filter>` : '';
    const events = c.events.map((e) => `<Event>${xmlEscape(e)}</Event>`).join('');
    return `<QueueConfiguration><Id>${xmlEscape(c.id)}</Id><Queue>${xmlEscape(c.queueArn)}</Queue>${events}${filter}</QueueConfiguration>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?><NotificationConfiguration xmlns="${XMLNS}">${blocks.join('')}</NotificationConfiguration>`;
}

/**
 * The key as S3 writes it in event notifications: form URL encoding (space → '+', '+' → '%2B'),
 * with '/' left as it is. Decode with `decodeURIComponent(key.replace(/\+/g, ' '))`.
 */
export function s3EventKey(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment)
        .replace(/%20/g, '+')
        .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join('/');
}

function eventMatches(configured: string, eventName: string): boolean {
  const wanted = configured.replace(/^s3:/, '');
  if (wanted.endsWith(':*')) return eventName.startsWith(wanted.slice(0, -1));
  return wanted === eventName;
}

/** Adds bucket notifications to SQS in AWS's message format, which fauxqs lacks, to its server. */
export function installBucketNotifications(
  app: FauxqsApp,
  options: { region: string; account: string; lookup: ObjectLookup },
): void {
  const byBucket = new Map<string, QueueNotification[]>();
  let sequence = 0;

  const sendToQueue = async (queueArn: string, body: string): Promise<void> => {
    const name = queueArn.split(':').at(-1) ?? '';
    await app.inject({
      method: 'POST',
      url: '/',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage' },
      payload: JSON.stringify({ QueueUrl: `http://127.0.0.1/${options.account}/${name}`, MessageBody: body }),
    });
  };

  const isBucketLevel = (params: Params): boolean => Boolean(params?.bucket) && !params?.['*'];

  app.addHook('preHandler', async (request, reply) => {
    const params = request.params as Params;
    const query = (request.query ?? {}) as Query;
    if (!isBucketLevel(params) || !('notification' in query)) return;
    const bucket = params?.bucket ?? '';
    const exists = await app.inject({ method: 'HEAD', url: `/${encodeURIComponent(bucket)}` });
    reply.header('content-type', 'application/xml');
    if (exists.statusCode !== 200) {
      return reply.status(404).send(s3ErrorXml('NoSuchBucket', 'The specified bucket does not exist', `/${bucket}`));
    }
    if (request.method === 'GET') return reply.status(200).send(notificationXml(byBucket.get(bucket) ?? []));
    if (request.method !== 'PUT') return undefined;
    const configs = parseNotificationConfiguration(bodyText(request.body));
    byBucket.set(bucket, configs);
    for (const config of configs) {
      await sendToQueue(
        config.queueArn,
        JSON.stringify({
          Service: 'Amazon S3',
          Event: 's3:TestEvent',
          Time: new Date().toISOString(),
          Bucket: bucket,
          RequestId: randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase(),
          HostId: 'fauxqs-local',
        }),
      );
    }
    return reply.status(200).send('');
  });

  app.addHook('onResponse', async (request, reply) => {
    const params = request.params as Params;
    const bucket = params?.bucket;
    const key = params?.['*'];
    if (!bucket || !key || reply.statusCode >= 300) return;
    const configs = byBucket.get(bucket);
    if (!configs || configs.length === 0) return;
    const query = (request.query ?? {}) as Query;
    let eventName: string | undefined;
    if (request.method === 'PUT' && !('tagging' in query) && !('uploadId' in query) && !('renameObject' in query)) {
      eventName = request.headers['x-amz-copy-source'] ? 'ObjectCreated:Copy' : 'ObjectCreated:Put';
    } else if (request.method === 'POST' && 'uploadId' in query) {
      eventName = 'ObjectCreated:CompleteMultipartUpload';
    } else if (request.method === 'DELETE' && !('tagging' in query) && !('uploadId' in query)) {
      eventName = 'ObjectRemoved:Delete';
    }
    if (!eventName) return;
    const targets = configs.filter(
      (c) => c.events.some((e) => eventMatches(e, eventName)) && key.startsWith(c.prefix) && key.endsWith(c.suffix),
    );
    if (targets.length === 0) return;
    const created = eventName.startsWith('ObjectCreated');
    const head = created ? options.lookup(bucket, key) : undefined;
    if (created && !head) return;
    const sequencer = (Date.now() * 1000 + (sequence++ % 1000)).toString(16).toUpperCase().padStart(16, '0');
    for (const target of targets) {
      const record = {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: options.region,
        eventTime: new Date().toISOString(),
        eventName,
        userIdentity: { principalId: 'AWS:LOCAL' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: {
          'x-amz-request-id': String(reply.getHeader('x-amz-request-id') ?? ''),
          'x-amz-id-2': 'fauxqs',
        },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: target.id,
          bucket: { name: bucket, ownerIdentity: { principalId: 'LOCAL' }, arn: `arn:aws:s3:::${bucket}` },
          object: created
            ? { key: s3EventKey(key), size: head?.size ?? 0, eTag: head?.eTag ?? '', sequencer }
            : { key: s3EventKey(key), sequencer },
        },
      };
      await sendToQueue(target.queueArn, JSON.stringify({ Records: [record] }));
    }
  });
}
