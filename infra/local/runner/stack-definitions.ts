/**
 * The two definitions local mode takes from the CDK stack itself rather than restating them: the S3
 * notification filters of the stage and the publish function's stream filter criteria
 * (infra/stacks/upload-pipeline-stack.ts exports both). That module loads aws-cdk-lib (about 1.5 s), so
 * it is imported lazily, while the emulators start.
 */
import type { StageConfig } from '../../config/index.ts';
import { parseFilterPattern, type FilterPattern } from './event-sources/filter-criteria.ts';

/** One S3 notification filter (prefix and/or suffix), as the stack configures the bucket. */
export interface NotificationKeyFilter {
  prefix?: string;
  suffix?: string;
}

/** What local mode takes from the CDK stack. */
export interface StackDefinitions {
  notificationFilters: NotificationKeyFilter[];
  /** Filter patterns of the uploads-stream → publish mapping. */
  publishStreamFilters: FilterPattern[];
}

/** Imports the stack module and reads the stage's notification filters and the publish filter. */
export async function loadStackDefinitions(stage: StageConfig): Promise<StackDefinitions> {
  const stack = await import('../../stacks/upload-pipeline-stack.ts');
  return {
    notificationFilters: stack.notificationFilters(stage).map((f) => ({
      ...(f.prefix === undefined ? {} : { prefix: f.prefix }),
      ...(f.suffix === undefined ? {} : { suffix: f.suffix }),
    })),
    publishStreamFilters: [parseFilterPattern(stack.finalStatusFilter())],
  };
}
