/**
 * Physical names of the per-stage resources. Every name carries the stage, so several stages can share
 * one account and a name in an alarm, a log line or the console says which stage it belongs to.
 *
 * The CDK stack and the local runner both take their names from here.
 */
import { UPLOADS_INDEXES } from '../../shared/store/tables.ts';
import type { StageConfig } from './types.ts';

export interface ResourceNames {
  /** CloudFormation stack, e.g. `LibraryUpload-dev`. */
  readonly stackName: string;
  /** Common prefix of the other names, e.g. `library-upload-dev`. */
  readonly prefix: string;
  readonly uploadsTable: string;
  /** GSI of the uploads table, partition key `libraryFileId`. */
  readonly uploadsByLibraryFileIdIndex: string;
  /** GSI of the uploads table, partition key `key`, sort key `createdAt` (the operator tool's `status`). */
  readonly uploadsByKeyIndex: string;
  /** GSI of the uploads table, partition key `status`, sort key `updatedAt` (the operator tool's `list`). */
  readonly uploadsByStatusIndex: string;
  readonly limitsTable: string;
  readonly ingestQueue: string;
  readonly ingestDeadLetterQueue: string;
  readonly statusQueue: string;
  readonly statusDeadLetterQueue: string;
  /** On-failure destination of the uploads-stream event source (stream pointers, not records). */
  readonly publishFailureQueue: string;
  readonly eventBus: string;
  readonly eventArchive: string;
  /** Secret created by the stack when the stage's secret source is `create`. */
  readonly createdSecretName: string;
  readonly functions: { readonly ingest: string; readonly poll: string; readonly publish: string };
  readonly alarmTopic: string;
  readonly dashboard: string;
  /**
   * A bucket name for places without CloudFormation (the local runner). On AWS, CloudFormation
   * generates a globally unique bucket name (it starts with the stack name) and the stack outputs it.
   */
  readonly localBucket: string;
}

export function resourceNames(config: Pick<StageConfig, 'stage'>): ResourceNames {
  const prefix = `library-upload-${config.stage}`;
  return {
    stackName: `LibraryUpload-${config.stage}`,
    prefix,
    uploadsTable: `${prefix}-uploads`,
    uploadsByLibraryFileIdIndex: UPLOADS_INDEXES.byLibraryFileId.name,
    uploadsByKeyIndex: UPLOADS_INDEXES.byKey.name,
    uploadsByStatusIndex: UPLOADS_INDEXES.byStatus.name,
    limitsTable: `${prefix}-limits`,
    ingestQueue: `${prefix}-ingest`,
    ingestDeadLetterQueue: `${prefix}-ingest-dlq`,
    statusQueue: `${prefix}-status`,
    statusDeadLetterQueue: `${prefix}-status-dlq`,
    publishFailureQueue: `${prefix}-publish-failures`,
    eventBus: prefix,
    eventArchive: `${prefix}-events`,
    createdSecretName: `library-upload/${config.stage}/library-credentials`,
    functions: { ingest: `${prefix}-ingest`, poll: `${prefix}-poll`, publish: `${prefix}-publish` },
    alarmTopic: `${prefix}-alarms`,
    dashboard: prefix,
    localBucket: `${prefix}-uploads`,
  };
}

/** The secret the functions read: the created one, or the imported one's name. */
export function librarySecretName(config: Pick<StageConfig, 'stage' | 'library'>): string {
  return config.library.secret.kind === 'import'
    ? config.library.secret.secretName
    : resourceNames(config).createdSecretName;
}
