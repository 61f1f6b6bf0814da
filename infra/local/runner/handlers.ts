/**
 * The three deployed handlers, imported into this process for local mode. Imported only after the
 * function environment is set, because they read it (and build SDK clients from it) at module load.
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';

/** An SQS-triggered handler (ingest, poll). */
export type SqsLambda = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
/** A stream-triggered handler (publish). */
export type StreamLambda = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

/** The handlers by function. */
export interface LocalHandlers {
  ingest: SqsLambda;
  poll: SqsLambda;
  publish: StreamLambda;
}

const FUNCTIONS_DIR = fileURLToPath(new URL('../../../functions/', import.meta.url));
let instance = 0;

/**
 * Imports `functions/<name>/handler.ts` for each function. Each call gets fresh module instances (a
 * query on the URL), so module-level caches built from one pipeline's environment never serve another
 * started later in the same process.
 */
export async function importHandlers(): Promise<LocalHandlers> {
  instance++;
  const load = async <T>(name: string): Promise<T> => {
    const url = `${pathToFileURL(join(FUNCTIONS_DIR, name, 'handler.ts')).href}?local-pipeline=${instance}`;
    const module = (await import(url)) as { handler: T };
    return module.handler;
  };
  const [ingest, poll, publish] = await Promise.all([
    load<SqsLambda>('ingest'),
    load<SqsLambda>('poll'),
    load<StreamLambda>('publish'),
  ]);
  return { ingest, poll, publish };
}
