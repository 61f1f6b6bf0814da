/**
 * Events out: a bus per pipeline, archived so consumers can replay, with its schema in a registry and
 * a policy for the consumer accounts the stage lists. Both go with the stack (a new bus
 * starts empty; the archive's events are exported first, docs/deploy.md), so fixed names are safe.
 */
import { Aws, Duration } from 'aws-cdk-lib';
import { EventBus, type Archive } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { eventSchemaDraft4 } from '../../shared/events/schema-draft4.ts';
import type { ResourceNames } from '../config/names.ts';
import type { StageConfig } from '../config/types.ts';
import { EventContract } from './event-contract.ts';

/** The schema's name in the stage's registry (EventBridge's convention: `<source>@<Name>`). */
export const EVENT_SCHEMA_NAME = 'library-upload-pipeline@LibraryUploadEvent';

/** What the bus needs. */
export interface PipelineEventsProps {
  readonly config: StageConfig;
  readonly names: ResourceNames;
}

/** The outcome bus and its archive. */
export class PipelineEvents extends Construct {
  readonly bus: EventBus;
  readonly archive: Archive;
  /** The schema registry and the bus policy for consumers in other accounts. */
  readonly contract: EventContract;

  constructor(scope: Construct, id: string, { config, names }: PipelineEventsProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', {
      eventBusName: names.eventBus,
      description: `Outcomes of the library upload pipeline (${config.stage}); schema: shared/events/schema/`,
    });
    const days = config.retention.eventArchiveDays;
    this.archive = this.bus.archive('Archive', {
      archiveName: names.eventArchive,
      description: `Every event on ${names.eventBus}, for replay`,
      eventPattern: { account: [Aws.ACCOUNT_ID] },
      retention: days === 0 ? undefined : Duration.days(days),
    });
    this.contract = new EventContract(this, 'Contract', {
      eventBus: this.bus,
      registryName: names.prefix,
      schemaName: EVENT_SCHEMA_NAME,
      schemaContent: JSON.stringify(eventSchemaDraft4()),
      consumers: config.events.consumers,
    });
  }
}
