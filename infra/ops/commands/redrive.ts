/**
 * `ops redrive <ingest|status|publish>`: after the cause is fixed, puts dead letters back to work.
 * ingest / status: every message of the DLQ back to its queue (queues.ts: SQS's move task on AWS,
 * receive/send/delete where the emulator lacks it). publish: the publish-failures queue holds stream
 * pointers, not records: the final records they name are published again, then the pointer deleted.
 */
import { Argument, type Command } from 'commander';
import { EXIT, OpsError } from '../errors.ts';
import { fields, type CommandResult } from '../output.ts';
import { drain, moveMessages, type MoveOutcome } from '../queues.ts';
import { recordsOfPointer, republish, type StreamBatchPointer } from '../republish.ts';
import type { OpsTarget } from '../target/types.ts';
import type { CommandRunner } from './registry.ts';

export const REDRIVE_SOURCES = ['ingest', 'status', 'publish'] as const;
export type RedriveSource = (typeof REDRIVE_SOURCES)[number];

export type RedriveData =
  | ({ source: 'ingest' | 'status' } & MoveOutcome)
  | { source: 'publish'; pointers: number; events: number; eventIds: string[]; fromTimeWindow: number };

export async function redriveCommand(target: OpsTarget, source: RedriveSource): Promise<CommandResult<RedriveData>> {
  if (source === 'publish') return redrivePublish(target);
  const q = target.resources.queues;
  const [dlq, queue] = source === 'ingest' ? [q.ingestDeadLetter, q.ingest] : [q.statusDeadLetter, q.status];
  const outcome = await moveMessages(target.clients.sqs, dlq, queue);
  const data: RedriveData = { source, ...outcome };
  const text =
    outcome.method === 'move-task'
      ? fields([
          ['redrive', `${source} DLQ → ${source} queue (SQS move task)`],
          ['messages', `≈ ${outcome.messages}`],
          ['task', outcome.taskHandle],
        ])
      : fields([
          ['redrive', `${source} DLQ → ${source} queue`],
          ['moved', outcome.messages],
        ]);
  return { data, text, exitCode: EXIT.ok };
}

async function redrivePublish(target: OpsTarget): Promise<CommandResult<RedriveData>> {
  let pointers = 0;
  let fromTimeWindow = 0;
  const eventIds: string[] = [];
  await drain(target.clients.sqs, target.resources.queues.publishFailures, async (message) => {
    const pointer = parsePointer(message.Body ?? '');
    const { records, from } = await recordsOfPointer(target, pointer);
    eventIds.push(...(await republish(target, records)));
    pointers++;
    if (from === 'time-window') fromTimeWindow++;
  });
  const data: RedriveData = { source: 'publish', pointers, events: eventIds.length, eventIds, fromTimeWindow };
  const text = fields([
    ['redrive', 'publish failures → events re-published'],
    ['pointers', pointers],
    ['events', eventIds.length],
    ...(fromTimeWindow > 0
      ? ([['by time window', `${fromTimeWindow} (the stream no longer had the batch)`]] as const)
      : []),
  ]);
  return { data, text, exitCode: EXIT.ok };
}

function parsePointer(body: string): StreamBatchPointer {
  try {
    const parsed = JSON.parse(body) as Partial<StreamBatchPointer>;
    if (parsed.DDBStreamBatchInfo?.streamArn) return parsed as StreamBatchPointer;
  } catch {
    // reported below
  }
  throw new OpsError(
    'A publish-failures message is not a stream batch pointer: left in the queue (look at it by hand)',
  );
}

export const registerRedrive: CommandRunner = (program: Command, run) => {
  program
    .command('redrive')
    .description('move dead letters back to work (ingest/status DLQ → queue; publish failures → events re-published)')
    .addArgument(new Argument('<queue>', 'which dead letters').choices([...REDRIVE_SOURCES]))
    .action((source: RedriveSource) => run((target) => redriveCommand(target, source)));
};
