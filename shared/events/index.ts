/**
 * The event contract (public.ts, as consumers import it) and its builder and publisher. See docs/events.md.
 */
// The public contract (what consumers import), then what only the pipeline uses.
export * from './public.ts';
export type { UploadEvent } from './contract.ts';
export { DEFAULT_REASONS, NotFinalRecordError, REASON_MESSAGE_MAX_LENGTH, buildUploadEvent } from './build.ts';
export { EVENT_ID_NAMESPACE, eventIdFor, uuidV5 } from './event-id.ts';
export { InvalidStreamRecordError, toFinalTransition } from './stream.ts';
export { MAX_ENTRIES_PER_PUT, PublishEventsError, publishEvents, toPutEventsEntry } from './publish.ts';
export type { FailedEvent, PublishOptions, PublishResult } from './publish.ts';
export { loadPublishConfig } from './config.ts';
export { createStreamPublisher } from './stream-publisher.ts';
export type { StreamPublisherDependencies } from './stream-publisher.ts';
export type { PublishConfig } from './config.ts';
