/**
 * The stack's output keys: the one list the stack writes and every reader (the operator tool, the docs,
 * the credentials step) finds resources by, so no physical name is ever copied by hand.
 */
export const STACK_OUTPUTS = {
  bucketName: 'BucketName',
  uploadPrefix: 'UploadPrefix',
  eventBusName: 'EventBusName',
  eventBusArn: 'EventBusArn',
  eventArchiveName: 'EventArchiveName',
  eventArchiveArn: 'EventArchiveArn',
  eventSchemaRegistryName: 'EventSchemaRegistryName',
  eventSchemaName: 'EventSchemaName',
  uploadsTableName: 'UploadsTableName',
  limitsTableName: 'LimitsTableName',
  librarySecretArn: 'LibrarySecretArn',
  librarySecretName: 'LibrarySecretName',
  ingestQueueUrl: 'IngestQueueUrl',
  ingestQueueArn: 'IngestQueueArn',
  ingestDeadLetterQueueUrl: 'IngestDeadLetterQueueUrl',
  ingestDeadLetterQueueArn: 'IngestDeadLetterQueueArn',
  statusQueueUrl: 'StatusQueueUrl',
  statusQueueArn: 'StatusQueueArn',
  statusDeadLetterQueueUrl: 'StatusDeadLetterQueueUrl',
  statusDeadLetterQueueArn: 'StatusDeadLetterQueueArn',
  publishFailureQueueUrl: 'PublishFailureQueueUrl',
  ingestEventSourceMappingId: 'IngestEventSourceMappingId',
  statusEventSourceMappingId: 'StatusEventSourceMappingId',
  ingestLogGroupName: 'IngestLogGroupName',
  pollLogGroupName: 'PollLogGroupName',
  publishLogGroupName: 'PublishLogGroupName',
  alarmTopicArn: 'AlarmTopicArn',
  dashboardName: 'DashboardName',
  dashboardUrl: 'DashboardUrl',
} as const;

/** One output key. */
export type StackOutputKey = (typeof STACK_OUTPUTS)[keyof typeof STACK_OUTPUTS];
