/**
 * The publish function's dependencies: an EventBridge client and its two settings (STAGE,
 * EVENT_BUS_NAME). It shares nothing with ingest and poll, so it does not build the pipeline runtime.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { loadPublishConfig } from '../events/config.ts';
import { createStreamPublisher } from '../events/stream-publisher.ts';
import { countMetric, logger, tracer } from '../observability/index.ts';

/** Publishes the final transitions among a batch of stream records. */
export type StreamPublisher = ReturnType<typeof createStreamPublisher>;

/**
 * A publisher from `process.env`. Not cached here: the handler module keeps the one it built, so a
 * handler imported afresh (the local runner's second pipeline) reads the environment afresh too.
 */
export function buildStreamPublisher(): StreamPublisher {
  return createStreamPublisher({
    eventBridge: tracer.captureAWSv3Client(new EventBridgeClient({})),
    config: loadPublishConfig(),
    logger,
    count: (name, value) => countMetric(name, value),
  });
}
