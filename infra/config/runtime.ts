/**
 * From a stage config to a function's environment. The stack passes CloudFormation references (tokens)
 * as resource names; the local runner passes the names of its emulated resources. Either way the
 * variables are written by `toEnvironment()` of shared/config/runtime-config.ts, the same module the
 * handlers read them with.
 */
import type { RuntimeConfig } from '../../shared/config/runtime-config.ts';
import type { StageConfig } from './types.ts';

/** What only exists once resources do: their names, URLs and ids. */
export interface RuntimeResources {
  /** Secret name or ARN. */
  readonly librarySecretId: string;
  readonly uploadsTableName: string;
  readonly limitsTableName: string;
  readonly statusQueueUrl: string;
  readonly eventBusName: string;
  /** Overrides the stage's library base URL, e.g. with the local sandbox's `http://127.0.0.1:PORT/v2`. */
  readonly libraryBaseUrl?: string;
}

/** The functions' runtime configuration for a stage and its resources. */
export function toRuntimeConfig(config: StageConfig, resources: RuntimeResources): RuntimeConfig {
  return {
    stage: config.stage,
    libraryBaseUrl: resources.libraryBaseUrl ?? config.library.baseUrl,
    librarySecretId: resources.librarySecretId,
    uploadsTableName: resources.uploadsTableName,
    limitsTableName: resources.limitsTableName,
    statusQueueUrl: resources.statusQueueUrl,
    eventBusName: resources.eventBusName,
    uploadPrefix: config.uploads.prefix,
    defaultFolderId: config.library.defaultFolderId,
    mirrorFolders: config.library.mirrorFolders,
    requestsPerSecond: config.library.requestsPerSecond,
    requestsPerDay: config.library.requestsPerDay,
    poll: { ...config.poll },
    enrichActiveFiles: config.features.enrichActiveFiles,
    tagObjects: config.features.tagObjects,
    recordTtlDays: config.retention.recordTtlDays,
    sync: { ...config.sync },
  };
}

/** The Powertools variables (logger, metrics, tracer) every function gets besides its runtime config. */
export function toPowertoolsEnvironment(config: StageConfig): Record<string, string> {
  return {
    POWERTOOLS_SERVICE_NAME: config.observability.serviceName,
    POWERTOOLS_METRICS_NAMESPACE: config.observability.metricsNamespace,
    POWERTOOLS_LOG_LEVEL: config.observability.logLevel,
  };
}
