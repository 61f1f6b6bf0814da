/**
 * The custom metrics the alarms and the dashboard read. The names come from the functions' own module
 * (shared/observability/metric-names.ts), so they cannot drift; what this module adds is what CloudWatch
 * needs to find a metric: the exact dimension values. docs/operations.md describes the contract.
 *
 * Every metric also carries the Powertools default dimension `service` (POWERTOOLS_SERVICE_NAME, one
 * value for the whole pipeline) and lives in the stage's namespace (POWERTOOLS_METRICS_NAMESPACE).
 */
import type { LibraryOperation } from '../../shared/library/types.ts';
import { METRIC, METRIC_DIMENSION } from '../../shared/observability/metric-names.ts';
import { FINAL_STATUSES } from '../../shared/record/upload-record.ts';

/** The functions' own names, re-exported for the alarms and the dashboard. */
export { FINAL_STATUSES, METRIC, METRIC_DIMENSION };

/**
 * Emitted by the S3 tagging step (shared/s3/outcome-tags.ts, TAGGING_FAILED_METRIC) without a
 * dimension. Repeated here rather than imported because that module loads the S3 client; a test keeps
 * the two equal.
 */
export const OBJECT_TAGGING_FAILED = 'ObjectTaggingFailed';

/**
 * Every value of the `operation` dimension of ApiRequests. The compiler checks it against
 * `LibraryOperation`, so an operation added to the client without being added here breaks the build
 * instead of silently leaving the daily-quota alarm short.
 */
export const API_OPERATIONS = [
  'uploadFile',
  'getUploadStatus',
  'getFile',
  'listFiles',
  'listFolderFiles',
  'listFolders',
  'createFolder',
  'getLibraryInfo',
  'deleteFile',
  'updateFile',
] as const satisfies readonly LibraryOperation[];

type MissingOperation = Exclude<LibraryOperation, (typeof API_OPERATIONS)[number]>;
/** Fails to compile when `API_OPERATIONS` misses a `LibraryOperation` (the error names it). */
export const everyOperationListed: [MissingOperation] extends [never] ? true : MissingOperation = true;

/** Values of the `scope` dimension of ApiThrottled (LibraryThrottledError.scope). */
export const THROTTLE_SCOPES = ['second', 'day'] as const;
