/**
 * Counts every AWS SDK v3 call made in this process, by service and command, for the cost figure.
 * Bench harness only: it wraps the `send` that every SDK v3 client inherits (smithy's `Client`), so the
 * handlers (which build their own clients from the environment) and the local event sources (the
 * equivalent of Lambda's pollers, whose SQS and stream reads are billed or free as on AWS) are counted
 * without touching their code.
 *
 * DynamoDB: every item command is sent with `ReturnConsumedCapacity: 'TOTAL'` and the capacity in the
 * answer is added up (read or write by command). A conditional write that fails consumes capacity on
 * AWS but its error carries none here: each is counted as 1 write unit.
 */
import { SQSClient } from '@aws-sdk/client-sqs';

export interface SdkCounts {
  /** calls[service][command] = count (errors included). */
  calls: Record<string, Record<string, number>>;
  /** DynamoDB capacity units consumed (DynamoDB Local's own accounting). */
  dynamodb: { readUnits: number; writeUnits: number; conditionalFailures: number };
  /** SQS receives that returned messages vs none. */
  sqsReceives: { withMessages: number; empty: number; messages: number };
}

interface Sendable {
  send(
    this: { config?: { serviceId?: string } },
    command: { constructor: { name: string }; input?: Record<string, unknown> },
    ...rest: unknown[]
  ): Promise<unknown>;
}

const READ_COMMANDS = new Set([
  'GetItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'TransactGetItems',
  'Get',
  'BatchGet',
  'TransactGet',
]);
const ITEM_COMMANDS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactWriteItems',
  'TransactGetItems',
  'Get',
  'Put',
  'Update',
  'Delete',
  'BatchGet',
  'BatchWrite',
  'TransactWrite',
  'TransactGet',
]);

export interface SdkCounter {
  counts(): SdkCounts;
  reset(): void;
  /** Calls made by these clients are not counted (the harness's own reads and writes). */
  exclude(client: object): void;
  uninstall(): void;
}

function emptyCounts(): SdkCounts {
  return {
    calls: {},
    dynamodb: { readUnits: 0, writeUnits: 0, conditionalFailures: 0 },
    sqsReceives: { withMessages: 0, empty: 0, messages: 0 },
  };
}

function capacityOf(output: unknown): number {
  const consumed = (output as { ConsumedCapacity?: unknown } | undefined)?.ConsumedCapacity;
  const list = Array.isArray(consumed) ? consumed : consumed === undefined ? [] : [consumed];
  return list.reduce((sum: number, c: { CapacityUnits?: number }) => sum + (c?.CapacityUnits ?? 0), 0);
}

export function installSdkCounter(): SdkCounter {
  const base = Object.getPrototypeOf(SQSClient.prototype) as Sendable;
  const original = base.send;
  const excluded = new WeakSet<object>();
  let state = emptyCounts();
  base.send = async function countedSend(this: { config?: { serviceId?: string } }, command, ...rest) {
    if (excluded.has(this)) return original.call(this, command, ...rest);
    const service = this.config?.serviceId ?? 'unknown';
    const name = command.constructor.name.replace(/Command$/, '');
    const byService = (state.calls[service] ??= {});
    byService[name] = (byService[name] ?? 0) + 1;
    const isItem = service === 'DynamoDB' && ITEM_COMMANDS.has(name);
    if (isItem && command.input !== undefined) command.input.ReturnConsumedCapacity = 'TOTAL';
    const counted = state;
    try {
      const output = await original.call(this, command, ...rest);
      if (isItem) {
        const units = capacityOf(output);
        if (READ_COMMANDS.has(name)) counted.dynamodb.readUnits += units;
        else counted.dynamodb.writeUnits += units;
      }
      if (service === 'SQS' && name === 'ReceiveMessage') {
        const messages = (output as { Messages?: unknown[] }).Messages?.length ?? 0;
        if (messages > 0) counted.sqsReceives.withMessages += 1;
        else counted.sqsReceives.empty += 1;
        counted.sqsReceives.messages += messages;
      }
      return output;
    } catch (error) {
      if (isItem && (error as Error).name === 'ConditionalCheckFailedException') {
        counted.dynamodb.conditionalFailures += 1;
        counted.dynamodb.writeUnits += 1;
      }
      throw error;
    }
  };
  return {
    counts: () => structuredClone(state),
    reset: () => {
      state = emptyCounts();
    },
    exclude: (client) => excluded.add(client),
    uninstall: () => {
      base.send = original;
    },
  };
}
