/**
 * What every stage's template must guarantee whatever is added to it later, checked by following
 * references rather than by naming resources: alarms reach someone, a deleted stack can be deployed
 * again, no Lambda's logs live forever, and every output a reader needs exists.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { CfnFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { STACK_OUTPUTS, STAGE_NAMES, dev } from '../../infra/config/index.ts';
import { DEPLOYABLE, resourcesOfType, synthesize, synthesized } from './support.ts';
import { alarmDeliveryProblems, logRetentionProblems, retainedNameProblems } from './template-walks.ts';

describe.each(STAGE_NAMES)('stage %s', (stageName) => {
  const config = DEPLOYABLE[stageName];
  const { json } = synthesized(config);

  it('lets every alarm action reach its topic: CloudWatch may publish, scoped to the account and its alarms', () => {
    expect(resourcesOfType(json, 'AWS::CloudWatch::Alarm').length).toBeGreaterThan(10);
    expect(alarmDeliveryProblems(json)).toEqual([]);
  });

  it('gives no retained resource a fixed name, so a deleted stack deploys again', () => {
    const retained = Object.values(json.Resources).filter((r) => r.DeletionPolicy === 'Retain');
    // prod retains the bucket, the access-log bucket, the uploads table, the secret and 3 log groups.
    expect(retained.length).toBe(config.retention.data === 'retain' ? 7 : 0);
    expect(retainedNameProblems(json)).toEqual([]);
  });

  it("keeps every Lambda's logs for the stage's retention, CDK's helpers included", () => {
    const functions = resourcesOfType(json, 'AWS::Lambda::Function');
    // 3 pipeline functions, the bucket-notifications handler, and the auto-delete provider where data goes.
    expect(functions).toHaveLength(config.retention.data === 'retain' ? 4 : 5);
    expect(logRetentionProblems(json, config.retention.logDays)).toEqual([]);
  });

  it('outputs every key readers find resources by', () => {
    expect(Object.keys(json.Outputs ?? {}).sort()).toEqual(Object.values(STACK_OUTPUTS).sort());
  });
});

describe('the checks bite', () => {
  it('finds an alarm whose topic does not let CloudWatch publish; gives a late L1 function a log group', () => {
    // Prepare: a second topic with only SNS's TLS rule, an alarm notifying it, and a bare function.
    const { json } = synthesize(dev, {
      extend: (stack) => {
        const topic = new Topic(stack, 'ExtraTopic', { enforceSSL: true });
        Validations.of(topic).acknowledge({
          id: 'AwsSolutions-SNS2',
          reason: 'a test topic that proves the walk bites',
        });
        const metric = new Metric({ namespace: 'Test', metricName: 'Test', period: Duration.minutes(5) });
        new Alarm(stack, 'ExtraAlarm', { metric, threshold: 1, evaluationPeriods: 1 }).addAlarmAction(
          new SnsAction(topic),
        );
        // An L1 function, as CDK's own helpers are: nothing gives it a log group but the aspect.
        new CfnFunction(stack, 'ExtraFunction', {
          runtime: Runtime.NODEJS_24_X.name,
          handler: 'index.handler',
          code: { zipFile: 'exports.handler = async () => {};' },
          role: `arn:aws:iam::${'1'.repeat(12)}:role/extra`,
        });
      },
    });

    // Act
    const alarms = alarmDeliveryProblems(json);

    // Assess
    expect(alarms).toEqual([expect.stringMatching(/^ExtraAlarm.*no policy statement allows cloudwatch/)]);
    // The aspect gives the late function a log group too: the walk finds nothing to report.
    expect(logRetentionProblems(json, dev.retention.logDays)).toEqual([]);
  });
});

describe('the template walks', () => {
  it('report a function without a log group, one with no retention, and a retained resource with a name', () => {
    // Prepare
    const json = {
      Resources: {
        Bare: { Type: 'AWS::Lambda::Function', Properties: {} },
        Forever: { Type: 'AWS::Lambda::Function', Properties: { LoggingConfig: { LogGroup: { Ref: 'Group' } } } },
        Group: { Type: 'AWS::Logs::LogGroup', Properties: {} },
        Table: { Type: 'AWS::DynamoDB::Table', DeletionPolicy: 'Retain', Properties: { TableName: 'fixed' } },
      },
    };

    // Act + Assess
    expect(logRetentionProblems(json, 30)).toEqual([
      'Bare: no log group of this template',
      'Forever: Group keeps logs undefined days',
    ]);
    expect(retainedNameProblems(json)).toEqual(['Table.TableName']);
  });
});
