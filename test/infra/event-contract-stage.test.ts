/**
 * The event contract in every stage's template: the schema registry with the draft 4 schema, and the
 * bus policy for consumer accounts only when the stage settings list them.
 */
import { describe, expect, it } from 'vitest';
import { STAGE_NAMES, getStageConfig, validateStageConfig, type StageConfig } from '../../infra/config/index.ts';
import { applySettings, settingsFromContext } from '../../infra/config/settings.ts';
import { EVENT_SCHEMA_NAME } from '../../infra/constructs/pipeline-events.ts';
import { eventSchemaDraft4 } from '../../shared/events/schema-draft4.ts';
import { DEPLOYABLE, synthesize } from './support.ts';

/** Synthesized as `cdk synth` does, cdk-nag included: a policy nag objects to fails here. */
const template = (config: StageConfig) => synthesize(config).template;

describe('the event contract in the stack', () => {
  it.each(STAGE_NAMES)('%s registers the draft 4 event schema in its own registry', (stage) => {
    const t = template(DEPLOYABLE[stage]);
    t.resourceCountIs('AWS::EventSchemas::Registry', 1);
    t.hasResourceProperties('AWS::EventSchemas::Registry', { RegistryName: `library-upload-${stage}` });
    t.hasResourceProperties('AWS::EventSchemas::Schema', {
      SchemaName: EVENT_SCHEMA_NAME,
      Type: 'JSONSchemaDraft4',
      Content: JSON.stringify(eventSchemaDraft4()),
    });
    // No other account may touch the bus unless the stage lists it.
    t.resourceCountIs('AWS::Events::EventBusPolicy', 0);
    expect(JSON.stringify(t.findResources('AWS::Events::EventBus'))).not.toContain('events:PutRule');
  });

  it('lets the listed consumer accounts and organization own rules on the bus, from the stage settings', () => {
    const settings = settingsFromContext(
      (key) =>
        ({
          alarmRecipients: 'none',
          eventConsumerAccounts: '111122223333, 444455556666',
          eventConsumerOrganizationId: 'o-abcdef1234',
        })[key],
    );
    const config = applySettings(getStageConfig('prod'), settings);
    expect(validateStageConfig(config)).toEqual([]);
    const json = JSON.stringify(template(config).toJSON());
    expect(json).toContain('arn:aws:iam::111122223333:root');
    expect(json).toContain('arn:aws:iam::444455556666:root');
    expect(json).toContain('o-abcdef1234');
    expect(json).toContain('events:creatorAccount');
    expect(json).not.toMatch(/"events:PutEvents"[^\]]*111122223333/);
  });

  it('refuses a consumer account that is not an account id, naming the setting', () => {
    expect(() => settingsFromContext((key) => ({ eventConsumerAccounts: '12345' })[key])).toThrow(
      /12-digit AWS account id[\s\S]*eventConsumerAccounts/,
    );
    const config = { ...getStageConfig('dev'), events: { consumers: { accounts: ['nope'] } } };
    expect(validateStageConfig(config)).toContain('events.consumers.accounts: "nope" is not a 12-digit AWS account id');
  });
});
