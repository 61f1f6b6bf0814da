/**
 * The commands' AWS-only paths at the SDK-command level (aws-sdk-client-mock): pause/resume through
 * UpdateEventSourceMapping, redrive through StartMessageMoveTask, replay through StartReplay, throttles
 * through CloudWatch GetMetricData. The same commands' local paths run against emulators in
 * test/integration/ops/.
 */
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { GetEventSourceMappingCommand, LambdaClient, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setPaused } from '../../../infra/ops/commands/pause.ts';
import { redriveCommand } from '../../../infra/ops/commands/redrive.ts';
import { replayCommand, ruleArnOf } from '../../../infra/ops/commands/replay.ts';
import type { OpsTarget } from '../../../infra/ops/target/types.ts';
import { throttledSince } from '../../../infra/ops/throttles.ts';
import { prodTarget, PROD_OUTPUTS } from './support.ts';
import { STACK_OUTPUTS } from '../../../infra/config/stack-outputs.ts';

const lambda = mockClient(LambdaClient);
const sqs = mockClient(SQSClient);
const eventBridge = mockClient(EventBridgeClient);
const cloudWatch = mockClient(CloudWatchClient);
let target: OpsTarget;

beforeAll(async () => {
  target = await prodTarget();
});
afterAll(() => target.close());
beforeEach(() => [lambda, sqs, eventBridge, cloudWatch].forEach((m) => m.reset()));

const FOUR_DAYS = String(4 * 86_400);

describe('pause and resume on AWS', () => {
  it('disables both event source mappings and prints how long the queues keep messages', async () => {
    // Arrange
    lambda.on(UpdateEventSourceMappingCommand).resolves({ State: 'Disabling' });
    lambda.on(GetEventSourceMappingCommand).resolves({ State: 'Disabled' });
    sqs.on(GetQueueAttributesCommand).resolves({
      Attributes: { MessageRetentionPeriod: FOUR_DAYS, ApproximateNumberOfMessages: '7' },
    });
    // Act
    const result = await setPaused(target, true);
    // Assess
    const updates = lambda.commandCalls(UpdateEventSourceMappingCommand).map((c) => c.args[0].input);
    expect(updates).toEqual([
      { UUID: PROD_OUTPUTS[STACK_OUTPUTS.ingestEventSourceMappingId], Enabled: false },
      { UUID: PROD_OUTPUTS[STACK_OUTPUTS.statusEventSourceMappingId], Enabled: false },
    ]);
    expect(result.data.pipeline).toEqual({ paused: true, detail: 'ingest Disabled, status Disabled' });
    expect(result.data.queues.map((q) => [q.name, q.retentionSeconds, q.visible])).toEqual([
      ['ingest', 4 * 86_400, 7],
      ['status', 4 * 86_400, 7],
    ]);
    expect(result.text).toContain('4 days');
  });

  it('resume enables them again', async () => {
    lambda.on(UpdateEventSourceMappingCommand).resolves({ State: 'Enabling' });
    lambda.on(GetEventSourceMappingCommand).resolves({ State: 'Enabled' });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { MessageRetentionPeriod: FOUR_DAYS } });
    const result = await setPaused(target, false);
    expect(lambda.commandCalls(UpdateEventSourceMappingCommand).map((c) => c.args[0].input.Enabled)).toEqual([
      true,
      true,
    ]);
    expect(result.data.pipeline.paused).toBe(false);
  });
});

describe('redrive on AWS', () => {
  it('starts an SQS message move task from the DLQ back to its queue', async () => {
    // Arrange
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '3' } });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    // Act
    const result = await redriveCommand(target, 'status');
    // Assess
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]?.args[0].input).toEqual({
      SourceArn: PROD_OUTPUTS[STACK_OUTPUTS.statusDeadLetterQueueArn],
      DestinationArn: PROD_OUTPUTS[STACK_OUTPUTS.statusQueueArn],
    });
    expect(result.data).toEqual({ source: 'status', method: 'move-task', taskHandle: 'task-1', messages: 3 });
  });

  it('fails on any other refusal of the move task, instead of moving messages by hand', async () => {
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: {} });
    sqs.on(StartMessageMoveTaskCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(redriveCommand(target, 'ingest')).rejects.toThrow('denied');
  });
});

describe('replay on AWS', () => {
  it("replays the stage's archive onto its bus, to one rule when asked", async () => {
    // Arrange
    eventBridge.on(StartReplayCommand).resolves({ State: 'STARTING' });
    const from = new Date('2026-03-02T09:00:00Z');
    const to = new Date('2026-03-02T11:00:00Z');
    // Act
    const result = await replayCommand(target, { from, to, rule: 'crm-sync', name: 'ops-test' });
    // Assess
    expect(eventBridge.commandCalls(StartReplayCommand)[0]?.args[0].input).toEqual({
      ReplayName: 'ops-test',
      EventSourceArn: PROD_OUTPUTS[STACK_OUTPUTS.eventArchiveArn],
      EventStartTime: from,
      EventEndTime: to,
      Destination: {
        Arn: PROD_OUTPUTS[STACK_OUTPUTS.eventBusArn],
        FilterArns: ['arn:aws:events:eu-west-1:123456789012:rule/library-upload-prod/crm-sync'],
      },
    });
    expect(result.data).toMatchObject({ method: 'archive-replay', replayName: 'ops-test', state: 'STARTING' });
  });

  it('derives rule ARNs from the bus ARN and keeps an ARN as given', () => {
    const bus = 'arn:aws-cn:events:cn-north-1:123456789012:event-bus/library-upload-dev';
    expect(ruleArnOf('audit', bus)).toBe('arn:aws-cn:events:cn-north-1:123456789012:rule/library-upload-dev/audit');
    expect(ruleArnOf('arn:aws:events:x:1:rule/b/r', bus)).toBe('arn:aws:events:x:1:rule/b/r');
  });

  it('refuses an empty window as a usage error', async () => {
    const at = new Date('2026-03-02T10:00:00Z');
    await expect(replayCommand(target, { from: at, to: at })).rejects.toMatchObject({ exitCode: 2 });
  });
});

describe('throttles on AWS', () => {
  it("sums ApiThrottled of both scopes from the stage's namespace", async () => {
    // Arrange
    cloudWatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'second', Values: [2, 1] },
        { Id: 'day', Values: [0] },
      ],
    });
    const now = new Date('2026-03-02T10:00:00Z');
    // Act
    const total = await throttledSince(target, new Date(now.getTime() - 3_600_000), now);
    // Assess
    expect(total).toBe(3);
    const queries = cloudWatch.commandCalls(GetMetricDataCommand)[0]?.args[0].input.MetricDataQueries ?? [];
    expect(queries.map((q) => q.MetricStat?.Metric)).toEqual(
      ['second', 'day'].map((scope) => ({
        Namespace: target.stage.observability.metricsNamespace,
        MetricName: 'ApiThrottled',
        Dimensions: [
          { Name: 'service', Value: target.stage.observability.serviceName },
          { Name: 'scope', Value: scope },
        ],
      })),
    );
    expect(queries[0]?.MetricStat?.Period).toBe(3600);
  });
});
