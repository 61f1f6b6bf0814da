/**
 * The local pipeline's pause switch: one item in the limits table that `ops pause` writes and the local
 * runner's queue pollers read. On AWS the same commands disable the event source mappings instead (see
 * commands/pause.ts); locally there are no mappings, so this item stands in for their `Enabled` flag.
 */
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LIMITS_TABLE_KEY } from '../../shared/store/tables.ts';

/** The item's partition key (rate-limit items are `api-rate#…`, so the two never meet). */
export const PAUSE_SWITCH_KEY = 'control#pipeline-paused';

export interface PauseSwitchState {
  paused: boolean;
  /** ISO time `ops pause` was run, when paused. */
  pausedAt?: string;
}

/** Reads the switch (strongly consistent: a resume is seen at the next check). */
export async function readPauseSwitch(client: DynamoDBDocumentClient, tableName: string): Promise<PauseSwitchState> {
  const result = await client.send(
    new GetCommand({ TableName: tableName, Key: { [LIMITS_TABLE_KEY]: PAUSE_SWITCH_KEY }, ConsistentRead: true }),
  );
  const pausedAt = result.Item?.['pausedAt'] as string | undefined;
  return result.Item === undefined ? { paused: false } : { paused: true, ...(pausedAt ? { pausedAt } : {}) };
}

/** Sets (paused) or clears (resumed) the switch. */
export async function writePauseSwitch(
  client: DynamoDBDocumentClient,
  tableName: string,
  paused: boolean,
  now: Date = new Date(),
): Promise<void> {
  const Key = { [LIMITS_TABLE_KEY]: PAUSE_SWITCH_KEY };
  if (paused) {
    await client.send(new PutCommand({ TableName: tableName, Item: { ...Key, pausedAt: now.toISOString() } }));
  } else {
    await client.send(new DeleteCommand({ TableName: tableName, Key }));
  }
}

export interface PauseWatcher {
  /** The last state read (false until the first read answers: await `ready` before relying on it). */
  paused(): boolean;
  /** Settles once the first read has answered (or failed), so a paused pipeline starts paused. */
  ready: Promise<void>;
  stop(): void;
}

/**
 * Re-reads the switch every `intervalMs` (default 2 s) for pollers that must not block on a read per
 * receive. A failed read keeps the last state: a flaky read must not resume a paused pipeline.
 */
export function watchPauseSwitch(
  client: DynamoDBDocumentClient,
  tableName: string,
  options: { intervalMs?: number; onError?: (error: unknown) => void } = {},
): PauseWatcher {
  let paused = false;
  const check = (): Promise<void> =>
    readPauseSwitch(client, tableName).then(
      (state) => {
        paused = state.paused;
      },
      (error: unknown) => options.onError?.(error),
    );
  const ready = check();
  const timer = setInterval(() => void check(), options.intervalMs ?? 2000);
  timer.unref();
  return { paused: () => paused, ready, stop: () => clearInterval(timer) };
}
