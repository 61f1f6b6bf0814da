/**
 * The custom metrics the functions emit (Powertools Metrics, EMF) and the alarms and dashboard read.
 * This is a contract between infra/ and functions/: docs/operations.md describes it for people, this
 * module for the compiler. Every metric carries the Powertools default dimension `service`
 * (POWERTOOLS_SERVICE_NAME) and lives in the stage's namespace (POWERTOOLS_METRICS_NAMESPACE).
 */
import type { LibraryOperation } from '../../shared/library/types.ts';
import { FINAL_STATUSES } from '../../shared/upload/record.ts';

export const METRIC_NAMES = {
  /** Count. Every HTTP request to the library API; dimension `operation` (a LibraryOperation). */
  apiRequests: 'ApiRequests',
  /** Count. Every throttle answer of the API (HTTP 403 `mashery.not.authorized.over.qps|ratelimit`). */
  apiThrottled: 'ApiThrottled',
  /** Count. Files accepted by the API (202 + Location). */
  filesSubmitted: 'FilesSubmitted',
  /** Count. Files that reached a final status; dimension `status` (one of FINAL_STATUSES). */
  filesFinal: 'FilesFinal',
  /** Count. Files refused before upload (type, size, name); also counted in FilesFinal status=Rejected. */
  filesRejected: 'FilesRejected',
  /** Seconds. From the S3 event time to the final status. */
  timeToFinal: 'TimeToFinal',
} as const;

/**
 * Every value of the `operation` dimension. The compiler checks it against `LibraryOperation`, so an
 * operation added to the client without being added here breaks the build instead of the quota alarm.
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
] as const satisfies readonly LibraryOperation[];

type MissingOperation = Exclude<LibraryOperation, (typeof API_OPERATIONS)[number]>;
/** Fails to compile when `API_OPERATIONS` misses a `LibraryOperation` (the error names it). */
export const everyOperationListed: [MissingOperation] extends [never] ? true : MissingOperation = true;

export { FINAL_STATUSES };
