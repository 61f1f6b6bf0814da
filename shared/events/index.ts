/**
 * The event contract and its publisher. See docs/events.md for the contract as consumers read it.
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
  EventStatus,
  LibraryUploadEvent,
  EventFile,
  EventObject,
  EventReason,
  EventRetry,
  EventTimings,
  FailedEventDetail,
  RejectedEventDetail,
  RemovedEventDetail,
  ReplacedEventDetail,
  EventReplacement,
  UploadEvent,
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
export { DEFAULT_REASONS, NotFinalRecordError, REASON_MESSAGE_MAX_LENGTH, buildUploadEvent } from './build.ts';
export { EVENT_ID_NAMESPACE, eventIdFor, uuidV5 } from './event-id.ts';
export { InvalidStreamRecordError, toFinalTransition } from './stream.ts';
export { MAX_ENTRIES_PER_PUT, PublishEventsError, publishEvents, toPutEventsEntry } from './publish.ts';
export type { FailedEvent, PublishOptions, PublishResult } from './publish.ts';
export { loadPublishConfig } from './config.ts';
export { createStreamPublisher } from './stream-publisher.ts';
export type { StreamPublisherDependencies } from './stream-publisher.ts';
export type { PublishConfig } from './config.ts';
