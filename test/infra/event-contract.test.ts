/**
 * The event contract construct in a small test stack, synthesized for real: the Schema Registry holds
 * the draft 4 rendering of the event schema, and the bus policy lets exactly the configured consumer
 * accounts (or organization) manage the rules they created on this bus, nothing more.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { CONSUMER_RULE_ACTIONS, EventContract, type EventConsumers } from '../../infra/constructs/event-contract.ts';
import { eventSchemaDraft4 } from '../../shared/events/schema-draft4.ts';

const SCHEMA = JSON.stringify(eventSchemaDraft4());

function contractStack(consumers?: EventConsumers): { app: App; template: Template } {
  const app = new App();
  const stack = new Stack(app, 'ContractTest', { env: { account: '111111111111', region: 'eu-west-1' } });
  const eventBus = new EventBus(stack, 'Bus', { eventBusName: 'library-upload-test' });
  new EventContract(stack, 'EventContract', {
    eventBus,
    registryName: 'library-upload-test',
    schemaName: 'library-upload-pipeline@LibraryUploadEvent',
    schemaContent: SCHEMA,
    ...(consumers ? { consumers } : {}),
  });
  return { app, template: Template.fromStack(stack) };
}

const RULES_OF_THE_BUS = {
  'Fn::Join': [
    '',
    ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:111111111111:rule/', { Ref: Match.anyValue() }, '/*'],
  ],
};
const OWN_RULES_ONLY = { StringEqualsIfExists: { 'events:creatorAccount': '${aws:PrincipalAccount}' } };

describe('EventContract', () => {
  it('registers the draft 4 event schema on the stage registry', () => {
    // Act
    const { template } = contractStack();

    // Assess
    template.hasResourceProperties('AWS::EventSchemas::Registry', { RegistryName: 'library-upload-test' });
    template.hasResourceProperties('AWS::EventSchemas::Schema', {
      RegistryName: { 'Fn::GetAtt': [Match.stringLikeRegexp('Registry'), 'RegistryName'] },
      SchemaName: 'library-upload-pipeline@LibraryUploadEvent',
      Type: 'JSONSchemaDraft4',
      Content: SCHEMA,
    });
    expect(JSON.parse(SCHEMA)).toMatchObject({ $schema: 'http://json-schema.org/draft-04/schema#' });
  });

  it('opens the bus to nobody when no consumers are configured', () => {
    // Act
    const { template } = contractStack();

    // Assess
    template.resourceCountIs('AWS::Events::EventBusPolicy', 0);
  });

  it('lets listed accounts manage only the rules they created on this bus, and not publish', () => {
    // Act
    const { template } = contractStack({ accounts: ['222222222222', '333333333333'] });

    // Assess
    template.resourceCountIs('AWS::Events::EventBusPolicy', 1);
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: { Ref: Match.stringLikeRegexp('Bus') },
      Statement: {
        Sid: 'cdk-ConsumerAccountsOwnRules',
        Effect: 'Allow',
        Principal: {
          AWS: [
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] },
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::333333333333:root']] },
          ],
        },
        Action: [...CONSUMER_RULE_ACTIONS],
        Resource: RULES_OF_THE_BUS,
        Condition: OWN_RULES_ONLY,
      },
    });
    expect(CONSUMER_RULE_ACTIONS).not.toContain('events:PutEvents');
  });

  it('lets every account of an organization do the same, by its organization id', () => {
    // Act
    const { template } = contractStack({ organizationId: 'o-a1b2c3d4e5' });

    // Assess
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: {
        Sid: 'cdk-ConsumerOrganizationOwnRules',
        Principal: '*',
        Action: [...CONSUMER_RULE_ACTIONS],
        Resource: RULES_OF_THE_BUS,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' }, ...OWN_RULES_ONLY },
      },
    });
  });

  it('passes the AwsSolutions checks with consumers configured', () => {
    // Prepare
    const { app } = contractStack({ accounts: ['222222222222'], organizationId: 'o-a1b2c3d4e5' });

    // Act / Assess
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
  });

  it.each([
    [{ accounts: ['2222'] }, /12-digit/],
    [{ accounts: ['arn:aws:iam::222222222222:root'] }, /12-digit/],
    [{ organizationId: 'acme' }, /organization id/],
  ])('refuses consumers %j at synth', (consumers, message) => {
    // Act / Assess
    expect(() => contractStack(consumers)).toThrow(message);
  });
});
