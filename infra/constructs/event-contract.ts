/**
 * The event contract on AWS: the stage's Schema Registry holding the event schema (so consumer teams
 * download code bindings from EventBridge), and the bus's resource policy letting consumer accounts (or
 * a whole organization) create rules on the bus, each account managing only the rules it created.
 *
 * The schema content is passed in (the draft 4 rendering of the normative schema, generated from it)
 * so this construct holds no contract knowledge of its own. Design: docs/events.md.
 */
import { Stack } from 'aws-cdk-lib';
import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import type { EventBus } from 'aws-cdk-lib/aws-events';
import { AccountPrincipal, PolicyStatement, StarPrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** Who may subscribe from other accounts: listed accounts, every account of an organization, or both. */
export interface EventConsumers {
  /** 12-digit AWS account ids. */
  readonly accounts?: readonly string[];
  /** An AWS Organizations id (`o-…`): every account in it. */
  readonly organizationId?: string;
}

export interface EventContractProps {
  /** The stage's bus (a bus this stack creates: an imported one cannot take a resource policy). */
  readonly eventBus: EventBus;
  /** The registry's name, e.g. `library-upload-dev`. */
  readonly registryName: string;
  /** The registry's schema name (EventBridge's convention: `<source>@<Name>`). */
  readonly schemaName: string;
  /** The schema document, a JSON Schema draft 4 (serialised). */
  readonly schemaContent: string;
  readonly consumers?: EventConsumers;
}

/**
 * What a consumer account needs to own a rule on the bus and its targets. `events:PutEvents` is not
 * among them: consumers subscribe, only the pipeline publishes.
 */
export const CONSUMER_RULE_ACTIONS = [
  'events:PutRule',
  'events:DeleteRule',
  'events:DescribeRule',
  'events:EnableRule',
  'events:DisableRule',
  'events:PutTargets',
  'events:RemoveTargets',
  'events:ListTargetsByRule',
] as const;

const ACCOUNT_ID = /^\d{12}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

export class EventContract extends Construct {
  readonly registry: CfnRegistry;
  readonly schema: CfnSchema;

  constructor(scope: Construct, id: string, props: EventContractProps) {
    super(scope, id);
    checkConsumers(props.consumers);

    this.registry = new CfnRegistry(this, 'Registry', {
      registryName: props.registryName,
      description: 'Events of the library upload pipeline: download code bindings for the schema below.',
    });
    this.schema = new CfnSchema(this, 'Schema', {
      registryName: this.registry.attrRegistryName,
      schemaName: props.schemaName,
      type: 'JSONSchemaDraft4',
      content: props.schemaContent,
      description: 'Every event of the pipeline (all detail-types), envelope and detail, version 1.',
    });

    const accounts = props.consumers?.accounts ?? [];
    if (accounts.length > 0) {
      props.eventBus.addToResourcePolicy(
        consumerRulesStatement(props.eventBus, 'ConsumerAccountsOwnRules', {
          principals: accounts.map((account) => new AccountPrincipal(account)),
        }),
      );
    }
    if (props.consumers?.organizationId) {
      props.eventBus.addToResourcePolicy(
        consumerRulesStatement(props.eventBus, 'ConsumerOrganizationOwnRules', {
          principals: [new StarPrincipal()],
          conditions: { StringEquals: { 'aws:PrincipalOrgID': props.consumers.organizationId } },
        }),
      );
    }
  }
}

/**
 * Rules on this bus only, and (as AWS documents it) only the rules the calling account created:
 * `events:creatorAccount` must be the caller's account, so no consumer can change another's rule.
 */
function consumerRulesStatement(
  bus: EventBus,
  sid: string,
  who: { principals: PolicyStatement['principals']; conditions?: Record<string, Record<string, string>> },
): PolicyStatement {
  const stack = Stack.of(bus);
  return new PolicyStatement({
    sid,
    principals: [...who.principals],
    actions: [...CONSUMER_RULE_ACTIONS],
    resources: [`arn:${stack.partition}:events:${stack.region}:${stack.account}:rule/${bus.eventBusName}/*`],
    conditions: {
      ...who.conditions,
      StringEqualsIfExists: { 'events:creatorAccount': '${aws:PrincipalAccount}' },
    },
  });
}

function checkConsumers(consumers: EventConsumers | undefined): void {
  for (const account of consumers?.accounts ?? []) {
    if (!ACCOUNT_ID.test(account)) throw new Error(`Event consumer account "${account}" is not a 12-digit account id`);
  }
  const organizationId = consumers?.organizationId;
  if (organizationId !== undefined && !ORGANIZATION_ID.test(organizationId)) {
    throw new Error(`Event consumer organization "${organizationId}" is not an organization id (o-…)`);
  }
}
