/**
 * `ops replay --from <time> --to <time> [--rule <name|arn>]`: events again for consumers that missed
 * them. On AWS an EventBridge archive replay (StartReplay) of the stage's archive onto its bus, to one
 * rule when `--rule` is given; locally (no archive), the final records of the window are re-emitted to
 * the bus. Either way consumers de-duplicate on `detail.eventId`.
 */
import { StartReplayCommand } from '@aws-sdk/client-eventbridge';
import type { Command } from 'commander';
import { EXIT, OpsError, UsageError } from '../errors.ts';
import { fields, type CommandResult } from '../output.ts';
import { finalRecordsBetween, republish } from '../republish.ts';
import type { OpsTarget } from '../target/types.ts';
import { parseTime } from '../time.ts';
import type { CommandRunner } from './registry.ts';

export interface ReplayOptions {
  from: Date;
  to: Date;
  rule?: string;
  /** The replay's name (default `ops-<time>`). */
  name?: string;
}

export type ReplayData =
  | { method: 'archive-replay'; replayName: string; state: string; from: string; to: string; rule?: string }
  | { method: 're-emit'; from: string; to: string; events: number; eventIds: string[] };

export async function replayCommand(target: OpsTarget, options: ReplayOptions): Promise<CommandResult<ReplayData>> {
  if (options.to <= options.from) throw new UsageError('--to must be after --from');
  const from = options.from.toISOString();
  const to = options.to.toISOString();
  if (target.kind === 'local') {
    const eventIds = await republish(target, await finalRecordsBetween(target, options.from, options.to));
    const data: ReplayData = { method: 're-emit', from, to, events: eventIds.length, eventIds };
    const note = options.rule ? ' (local mode has no rules: --rule is ignored)' : '';
    return {
      data,
      text: fields([['re-emitted', `${eventIds.length} event(s) of ${from} … ${to}${note}`]]),
      exitCode: EXIT.ok,
    };
  }
  const { eventArchiveArn, eventBusArn } = target.resources;
  if (!eventArchiveArn || !eventBusArn) throw new OpsError('The stack outputs no event archive: this stage keeps none');
  const replayName = options.name ?? `ops-${from.replace(/[^0-9]/g, '').slice(0, 14)}-${Date.now().toString(36)}`;
  const ruleArn = options.rule === undefined ? undefined : ruleArnOf(options.rule, eventBusArn);
  const result = await target.clients.eventBridge.send(
    new StartReplayCommand({
      ReplayName: replayName,
      EventSourceArn: eventArchiveArn,
      EventStartTime: options.from,
      EventEndTime: options.to,
      Destination: { Arn: eventBusArn, ...(ruleArn ? { FilterArns: [ruleArn] } : {}) },
    }),
  );
  const data: ReplayData = {
    method: 'archive-replay',
    replayName,
    state: result.State ?? 'STARTING',
    from,
    to,
    ...(ruleArn ? { rule: ruleArn } : {}),
  };
  const text = fields([
    ['replay', replayName],
    ['state', data.state],
    ['window', `${from} … ${to}`],
    ['to', ruleArn ?? 'every rule of the bus'],
  ]);
  return { data, text, exitCode: EXIT.ok };
}

/** A rule's ARN from its name on the stage's bus (`arn:…:rule/<bus>/<name>`), or the ARN as given. */
export function ruleArnOf(rule: string, eventBusArn: string): string {
  if (rule.startsWith('arn:')) return rule;
  const match = /^arn:([^:]+):events:([^:]*):(\d*):event-bus\/(.+)$/.exec(eventBusArn);
  if (!match) throw new OpsError(`Cannot derive a rule ARN from the bus ARN ${eventBusArn}: give the rule's ARN`);
  const [, partition, region, account, bus] = match;
  return `arn:${partition}:events:${region}:${account}:rule/${bus}/${rule}`;
}

export const registerReplay: CommandRunner = (program: Command, run) => {
  program
    .command('replay')
    .description(
      "events of a time window again: an archive replay on AWS, the window's final records re-emitted locally",
    )
    .requiredOption('--from <time>', 'start of the window (ISO time, or a duration back from now: 2h)')
    .requiredOption('--to <time>', 'end of the window (ISO time, or a duration back from now: 0s for now)')
    .option('--rule <name|arn>', "replay to this rule of the stage's bus only (AWS)")
    .action((options: { from: string; to: string; rule?: string }) => {
      const window: ReplayOptions = {
        from: parseTime(options.from, '--from'),
        to: parseTime(options.to, '--to'),
        ...(options.rule ? { rule: options.rule } : {}),
      };
      if (window.to <= window.from) throw new UsageError('--to must be after --from');
      return run((target) => replayCommand(target, window));
    });
};
