/**
 * The event contract as consumers import it: `library-upload-pipeline/events`. Types of every event,
 * the source, detail-type, status and error-key constants, the JSON Schema (normative, draft 2020-12)
 * and its draft 4 rendering, and a validator with a type guard. Nothing here imports the pipeline's
 * internals, so a consumer package gets the contract and nothing else. See docs/events.md.
 */
export {
  DETAIL_TYPES,
  EVENT_SOURCE,
  EVENT_STATUSES,
  EVENT_VERSION,
  STATUSES_BY_DETAIL_TYPE,
  detailTypeFor,
} from './contract.ts';
export type {
  DetailOf,
  DetailType,
  EventFile,
  EventObject,
  EventReason,
  EventRetry,
  EventStatus,
  EventTimings,
  FailedEventDetail,
  LibraryUploadEvent,
  RejectedEventDetail,
  RemovedEventDetail,
  ReplacedEventDetail,
  EventReplacement,
  UploadEventDetail,
  UploadedEventDetail,
} from './contract.ts';
export {
  API_ERROR_KEY_PATTERN,
  API_ERROR_KEY_PREFIX,
  ERROR_KEYS,
  isErrorKeyOf,
  pipelineErrorKeys,
} from './error-keys.ts';
export type {
  ApiErrorKey,
  DetailTypeWithReason,
  ErrorKey,
  ErrorKeyInfo,
  ErrorKeyOf,
  RetryAdvice,
} from './error-keys.ts';
export { isLibraryUploadEvent, validateLibraryUploadEvent, validateUploadEventDetail } from './validate.ts';
export type { ValidationOptions, ValidationResult } from './validate.ts';
export { eventSchemaDraft4 } from './schema-draft4.ts';
export { default as eventDetailSchema } from './schema/library-upload-event.v1.schema.json' with { type: 'json' };
