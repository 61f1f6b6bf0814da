/**
 * Is the pipeline taking work? On AWS: the state of the ingest and status event source mappings
 * (`pause` disables them); locally: the pause switch the runner's pollers read.
 */
import { GetEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { readPauseSwitch } from './pause-switch.ts';
import type { OpsTarget } from './target/types.ts';

export interface PipelineState {
  paused: boolean;
  /** `Enabled`/`Disabled`/… per mapping on AWS; `paused since …` or `running` locally. */
  detail: string;
}

export async function pipelineState(target: OpsTarget): Promise<PipelineState> {
  const mappings = target.resources.eventSourceMappings;
  if (target.kind === 'aws' && mappings) {
    const states = await Promise.all(
      (['ingest', 'status'] as const).map(async (name) => {
        const result = await target.clients.lambda.send(new GetEventSourceMappingCommand({ UUID: mappings[name] }));
        return [name, result.State ?? 'unknown'] as const;
      }),
    );
    return {
      paused: states.some(([, state]) => state !== 'Enabled'),
      detail: states.map(([name, state]) => `${name} ${state}`).join(', '),
    };
  }
  const state = await readPauseSwitch(target.clients.dynamodb, target.resources.limitsTable);
  return { paused: state.paused, detail: state.paused ? `paused since ${state.pausedAt ?? '?'}` : 'running' };
}
