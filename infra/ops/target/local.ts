/**
 * `--local`: the pipeline `npm start` runs on this machine, found through the `endpoints.json` it
 * writes into its state directory (`.local` by default). The file names no credentials: the emulators
 * accept the fixed dummy pair every local client uses.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { getStageConfig } from '../../config/index.ts';
import { LOCAL_CREDENTIALS } from '../../local/emulators/aws-endpoints.ts';
import { OpsError } from '../errors.ts';
import { buildClients } from './clients.ts';
import type { OpsTarget } from './types.ts';

/** The parts of endpoints.json the tool reads (infra/local/runner/local-pipeline.ts writes it). */
interface EndpointsFile {
  stage?: string;
  endpoints: { s3: string; sqs: string; dynamodb: string; eventbridge: string; region: string };
  bucket: string;
  uploadPrefix: string;
  queues: Partial<Record<'ingest' | 'status' | 'ingestDeadLetter' | 'statusDeadLetter' | 'publishFailures', string>>;
  uploadsTable: string;
  limitsTable?: string;
  eventBus: string;
  pid: number;
}

/** Resolves the running local pipeline; `OpsError` when none runs (no file, or its process is gone). */
export async function localTarget(stateDir = '.local'): Promise<OpsTarget> {
  const dir = resolve(stateDir);
  const path = join(dir, 'endpoints.json');
  let file: EndpointsFile;
  try {
    file = JSON.parse(await readFile(path, 'utf8')) as EndpointsFile;
  } catch {
    throw new OpsError(`No local pipeline found (${path} is missing or unreadable): start one with \`npm start\``);
  }
  if (!isRunning(file.pid)) {
    throw new OpsError(
      `The local pipeline that wrote ${path} (pid ${file.pid}) is not running: start it with \`npm start\``,
    );
  }
  const queues = file.queues;
  const { ingest, status, ingestDeadLetter, statusDeadLetter, publishFailures } = queues;
  if (!ingest || !status || !ingestDeadLetter || !statusDeadLetter || !publishFailures || !file.limitsTable) {
    throw new OpsError(`${path} was written by an older \`npm start\`: restart the local pipeline`);
  }
  const { clients, close } = buildClients({
    region: file.endpoints.region,
    credentials: LOCAL_CREDENTIALS,
    endpoints: file.endpoints,
  });
  return {
    kind: 'local',
    stage: getStageConfig(file.stage ?? 'dev'),
    resources: {
      bucket: file.bucket,
      uploadPrefix: file.uploadPrefix,
      uploadsTable: file.uploadsTable,
      limitsTable: file.limitsTable,
      eventBusName: file.eventBus,
      queues: {
        ingest: { url: ingest },
        status: { url: status },
        ingestDeadLetter: { url: ingestDeadLetter },
        statusDeadLetter: { url: statusDeadLetter },
        publishFailures: { url: publishFailures },
      },
    },
    clients,
    stateDir: dir,
    close,
  };
}

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
