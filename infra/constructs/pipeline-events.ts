/**
 * Events out: a bus per pipeline, archived so consumers can replay. Both go with the stack (a new bus
 * starts empty; the archive's events are exported first, docs/deploy.md), so fixed names are safe.
 */
import { Aws, Duration } from 'aws-cdk-lib';
import { EventBus, type Archive } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import type { ResourceNames } from '../config/names.ts';
import type { StageConfig } from '../config/types.ts';

/** What the bus needs. */
export interface PipelineEventsProps {
  readonly config: StageConfig;
  readonly names: ResourceNames;
}

/** The outcome bus and its archive. */
export class PipelineEvents extends Construct {
  readonly bus: EventBus;
  readonly archive: Archive;

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
  }
}
