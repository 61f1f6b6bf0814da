/**
 * The publisher's configuration: only `STAGE` and `EVENT_BUS_NAME`. It reuses the shared runtime schema
 * (shared/config/runtime-config.ts) for those two variables, so the names and rules cannot drift, but
 * does not demand the library, queue and table settings the publish function has no use for.
 */
import { runtimeConfigSchema } from '../config/runtime-config.ts';

export interface PublishConfig {
  stage: string;
  eventBusName: string;
}

const publishConfigSchema = runtimeConfigSchema.pick({ STAGE: true, EVENT_BUS_NAME: true });

/** Reads and checks the publisher's environment; a missing variable is named in the error. */
export function loadPublishConfig(env: Record<string, string | undefined> = process.env): PublishConfig {
  const result = publishConfigSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid function environment: ${problems}`);
  }
  return { stage: result.data.STAGE, eventBusName: result.data.EVENT_BUS_NAME };
}
