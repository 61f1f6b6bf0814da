/**
 * `ops pause` / `ops resume`: stop and restart taking work during a vendor incident. On AWS the ingest
 * and status event source mappings are disabled (UpdateEventSourceMapping Enabled=false); locally the
 * pause switch the runner's pollers read is set. Nothing is lost while paused: S3 notifications and
 * status checks wait in their queues, for as long as the queues keep messages, which `pause` prints.
 */
import { UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import type { Command } from 'commander';
import { EXIT } from '../errors.ts';
import { table, type CommandResult } from '../output.ts';
import { writePauseSwitch } from '../pause-switch.ts';
import { pipelineState, type PipelineState } from '../pipeline-state.ts';
import { queueFacts, type QueueFacts } from '../queues.ts';
import type { OpsTarget } from '../target/types.ts';
import { formatSeconds } from '../time.ts';
import type { CommandRunner } from './registry.ts';

export interface PauseData {
  paused: boolean;
  pipeline: PipelineState;
  queues: Array<{ name: 'ingest' | 'status' } & QueueFacts>;
}

export async function setPaused(target: OpsTarget, paused: boolean): Promise<CommandResult<PauseData>> {
  const mappings = target.resources.eventSourceMappings;
  if (target.kind === 'aws' && mappings) {
    await Promise.all(
      [mappings.ingest, mappings.status].map((UUID) =>
        target.clients.lambda.send(new UpdateEventSourceMappingCommand({ UUID, Enabled: !paused })),
      ),
    );
  } else {
    await writePauseSwitch(target.clients.dynamodb, target.resources.limitsTable, paused);
  }
  const [pipeline, ingest, status] = await Promise.all([
    pipelineState(target),
    queueFacts(target.clients.sqs, target.resources.queues.ingest),
    queueFacts(target.clients.sqs, target.resources.queues.status),
  ]);
  const queues = [
    { name: 'ingest' as const, ...ingest },
    { name: 'status' as const, ...status },
  ];
  const rows = queues.map((q) => [q.name, q.visible, q.delayed, q.inFlight, formatSeconds(q.retentionSeconds)]);
  const head = paused
    ? `Paused (${pipeline.detail}). Files wait in the queues; each message is kept for the retention below. Run \`ops resume\` before it runs out.`
    : `Resumed (${pipeline.detail}).`;
  return {
    data: { paused, pipeline, queues },
    text: `${head}\n${table(['queue', 'waiting', 'delayed', 'in flight', 'retention'], rows)}`,
    exitCode: EXIT.ok,
  };
}

export const registerPause: CommandRunner = (program: Command, run) => {
  program
    .command('pause')
    .description('stop taking work (ingest and status checks); files stay queued')
    .action(() => run((target) => setPaused(target, true)));
  program
    .command('resume')
    .description('take work again after `pause`')
    .action(() => run((target) => setPaused(target, false)));
};
