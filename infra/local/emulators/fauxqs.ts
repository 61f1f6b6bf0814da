/**
 * fauxqs (S3 + SQS emulator) as a child process we own, listening on 127.0.0.1 only.
 *
 * The child is `node infra/local/emulators/fauxqs-server.ts` (plain Node strips the types), which
 * picks its own free port and reports it on stdout, so there is no port race.
 *
 * Clients:
 *  - S3: endpoint `http://127.0.0.1:PORT` with `forcePathStyle: true`. Virtual-hosted style would
 *    address `http://BUCKET.127.0.0.1:PORT`-like host names (or `BUCKET.localhost`), which only
 *    resolve with wildcard DNS; path style (`/BUCKET/KEY`) needs none. With an IP endpoint the SDK
 *    picks path style anyway; the flag makes it explicit.
 *  - SQS: endpoint `http://127.0.0.1:PORT`. Queue URLs come back as
 *    `http://127.0.0.1:PORT/000000000000/NAME` (taken from the request's Host header).
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawnManaged, waitUntilReady, httpProbe, type ManagedProcess } from './processes.ts';

/** How to start fauxqs (port, how object tagging is answered). */
export interface FauxqsOptions {
  /** Fixed port; by default the server picks a free one itself. */
  port?: number;
  /**
   * `emulate` (default): PutObjectTagging / GetObjectTagging / DeleteObjectTagging answered like
   * S3. `fauxqs`: fauxqs' own behaviour, where `PUT ?tagging` overwrites the object with the XML.
   */
  tagging?: 'emulate' | 'fauxqs';
  /** Largest request body (a single PutObject), in MiB. Default 256; fauxqs' own is 11. */
  bodyLimitMb?: number;
  /** Start-up deadline in milliseconds (default 20 000). */
  timeoutMs?: number;
  /** Keep queues, messages and objects in SQLite under this directory across restarts (default: in memory). */
  dataDir?: string;
}

/** A running fauxqs child process, serving S3 and SQS on one port. */
export interface Fauxqs {
  /** http://127.0.0.1:PORT, for both S3 (path style) and SQS. */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** `http://127.0.0.1:PORT/000000000000/<name>`: the URL fauxqs gives a queue of that name. */
  queueUrl(name: string): string;
  /** Stops the server process and waits for it to exit. */
  stop(): Promise<void>;
}

/** Path of the server entry file, for callers that want to run it themselves. */
export const FAUXQS_SERVER_ENTRY = fileURLToPath(new URL('./fauxqs-server.ts', import.meta.url));

/** Starts fauxqs (with our S3 extensions) as a child process and resolves once it answers. */
export async function startFauxqsProcess(options: FauxqsOptions = {}): Promise<Fauxqs> {
  let reportedPort: number | undefined;
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const proc = spawnManaged({
    name: 'fauxqs',
    command: process.execPath,
    args: [
      // Type stripping is on by default from Node 22.18 / 23.6; the flag is harmless there and
      // silences the experimental warning on older 22.x.
      '--disable-warning=ExperimentalWarning',
      FAUXQS_SERVER_ENTRY,
      '--port',
      String(options.port ?? 0),
      '--tagging',
      options.tagging ?? 'emulate',
      '--body-limit-mb',
      String(options.bodyLimitMb ?? 256),
      ...(options.dataDir ? ['--data-dir', options.dataDir] : []),
    ],
    env: { ...process.env, FAUXQS_LOGGER: 'false' },
    onStdoutLine: (line) => {
      const match = /^FAUXQS_READY (.*)$/.exec(line);
      if (match?.[1]) reportedPort = (JSON.parse(match[1]) as { port: number }).port;
    },
  });
  try {
    await waitUntilReady(proc, async () => reportedPort !== undefined, {
      timeoutMs: options.timeoutMs ?? 20_000,
      intervalMs: 25,
      what: 'fauxqs to report its port',
    });
    const port = reportedPort as number;
    await waitUntilReady(proc, httpProbe(`http://127.0.0.1:${port}/health`, 200), {
      timeoutMs: 5_000,
      what: 'fauxqs /health',
    });
    return handle(proc, port);
  } catch (err) {
    await proc.stop({ graceMs: 500 });
    throw err;
  }
}

/** Alias with the name used in the architecture notes. */
export const startFauxqsServer = startFauxqsProcess;

function handle(proc: ManagedProcess, port: number): Fauxqs {
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    pid: proc.pid,
    queueUrl: (name) => `${endpoint}/000000000000/${name}`,
    async stop() {
      await proc.stop();
    },
  };
}
