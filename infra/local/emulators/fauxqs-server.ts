/**
 * Process entry point: fauxqs (S3 + SQS + SNS emulator) listening on 127.0.0.1 only.
 *
 * `startFauxqs()` from the package always binds 0.0.0.0, so this file wires the same pieces
 * (`buildApp` with its own SqsStore / SnsStore / S3Store, logger off) and listens on 127.0.0.1.
 * It is started by `fauxqs.ts` as a child process and runs with plain `node` (Node >= 22.18 strips
 * the types; only erasable TypeScript here and in the one project file it imports).
 *
 * Protocol with the parent:
 *  - argv: `--port N` (0 = any free port), `--tagging emulate|fauxqs`, `--body-limit-mb N`,
 *    `--region R` (for S3 event records, default us-east-1), `--data-dir D` (persist queues, messages
 *    and objects in SQLite under D; default: in memory).
 *  - stdout: one line `FAUXQS_READY {"port":N,"host":"127.0.0.1"}` once listening.
 *  - stdin: when it closes (the parent exited, however), the server shuts down and exits.
 *
 * Changes to fauxqs' behaviour (see fauxqs-s3-extensions.ts for the details):
 *  - Object tagging (`--tagging emulate`, the default). fauxqs 2.x has no tagging routes:
 *    `PUT /bucket/key?tagging` falls through to PutObject and REPLACES THE OBJECT with the
 *    `<Tagging>` XML body (see test/integration/emulators/fauxqs-s3.test.ts). The poll function
 *    tags objects, so tagging is answered as S3 does; `--tagging fauxqs` restores the raw
 *    behaviour (used by the test that documents it).
 *  - Bucket notifications to SQS (PutBucketNotificationConfiguration with QueueConfigurations),
 *    which fauxqs silently ignores: S3 event messages are sent to the configured queues.
 *  - Request body limit. fauxqs caps every request body at 11 MiB (enough for multipart parts);
 *    a single PutObject of a larger test file would fail with 413. The S3 body parser is
 *    re-registered with `--body-limit-mb` (default 256). fauxqs still holds objects in memory.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { buildApp } from 'fauxqs';
import { installBucketNotifications, installObjectTagging, storeLookup } from './fauxqs-s3-extensions.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    tagging: { type: 'string', default: 'emulate' },
    'body-limit-mb': { type: 'string', default: '256' },
    region: { type: 'string', default: 'us-east-1' },
    'data-dir': { type: 'string' },
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
// --data-dir: fauxqs' own SQLite persistence, wired as its startFauxqs does (load first, then write
// through), so queued messages and objects survive a restart of local mode against a real account.
type Persistence = {
  load(...stores: unknown[]): void;
  close(): void;
  updateMessageReady(messageId: string): void;
  db: { prepare(sql: string): { run(...values: unknown[]): unknown } };
};
const persistence = values['data-dir']
  ? new (await load<new (dir: string) => Persistence>('persistence.js', 'PersistenceManager'))(values['data-dir'])
  : undefined;
if (persistence) {
  // fauxqs 2.4's updateMessageReady (ChangeMessageVisibility 0) writes NULL into the NOT NULL receive
  // count, which throws; this clears only the in-flight columns and keeps the count.
  const ready = persistence.db.prepare(
    'UPDATE sqs_messages SET receipt_handle = NULL, visibility_deadline = NULL WHERE message_id = ?',
  );
  persistence.updateMessageReady = (messageId) => void ready.run(messageId);
  persistence.load(sqsStore, snsStore, s3Store);
  sqsStore['persistence'] = snsStore['persistence'] = s3Store['persistence'] = persistence;
  const queues = (sqsStore['allQueues'] as () => Record<string, unknown>[]).call(sqsStore);
  for (const queue of queues) queue['persistence'] = persistence;
}
type Stores = NonNullable<NonNullable<Parameters<typeof buildApp>[0]>['stores']>;
const app = buildApp({ logger: false, stores: { sqsStore, snsStore, s3Store } as unknown as Stores });

// Same wildcard parser as fauxqs (raw Buffer for S3 bodies), with a larger limit.
app.removeContentTypeParser('*');
app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => {
  done(null, body);
});

const lookup = storeLookup(s3Store as unknown as Parameters<typeof storeLookup>[0]);
if (emulateTagging) installObjectTagging(app, lookup);
installBucketNotifications(app, { region: values.region, account: '000000000000', lookup });

/**
 * A restored queue keeps the URL it was created with, and so the port of an earlier run; the SDK sends
 * each request to its QueueUrl's host, so the URLs are moved to this run's port (fauxqs looks queues up
 * by name, whatever the host).
 */
function rehostQueues(port: number): void {
  const queues = sqsStore['queues'] as Map<string, Record<string, unknown>>;
  for (const [url, queue] of [...queues]) {
    const current = `http://${HOST}:${port}/000000000000/${String(queue['name'])}`;
    if (url === current) continue;
    queues.delete(url);
    queue['url'] = current;
    queues.set(current, queue);
  }
}

/**
 * Messages restored as in flight were received by the previous local-mode process, the only consumer,
 * which is gone: they are made visible again (as ChangeMessageVisibility 0 would), so a restart resumes
 * them at once instead of after the visibility timeout (ingest's is 12 minutes). The pipeline's claims
 * and leases keep a second delivery from uploading twice.
 */
function releaseInflight(): void {
  const queues = sqsStore['queues'] as Map<string, Record<string, unknown>>;
  for (const queue of queues.values()) {
    const inflight = queue['inflightMessages'] as Map<string, unknown>;
    const changeVisibility = queue['changeVisibility'] as (handle: string, seconds: number) => void;
    for (const handle of [...inflight.keys()]) changeVisibility.call(queue, handle, 0);
  }
}

let closing = false;
async function shutdown(code: number): Promise<void> {
  if (closing) return;
  closing = true;
  try {
    await app.close();
    persistence?.close();
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
  if (persistence) {
    rehostQueues(actualPort);
    releaseInflight();
  }
  process.stdout.write(`FAUXQS_READY ${JSON.stringify({ port: actualPort, host: HOST })}\n`);
} catch (err) {
  process.stderr.write(`fauxqs failed to listen on ${HOST}:${port}: ${String(err)}\n`);
  process.exit(1);
}
