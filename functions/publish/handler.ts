/**
 * Publish function: the uploads table's stream (the outbox) → one EventBridge event per record that
 * enters a final status. Wiring only; the logic is in shared/events/stream-publisher.ts.
 *
 * Event source mapping (infra/): stream view NEW_AND_OLD_IMAGES, `ReportBatchItemFailures`,
 * bisect on error, a retry limit and an on-failure destination. Environment: STAGE, EVENT_BUS_NAME.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { createStreamPublisher } from '../../shared/events/stream-publisher.ts';
import { loadPublishConfig } from '../../shared/events/config.ts';
import { countMetric, instrumentHandler, logger, tracer } from '../../shared/observability/index.ts';

let publish: ReturnType<typeof createStreamPublisher> | undefined;

/** Built on first use, not at import, so a bad environment is reported by the invocation that hits it. */
function publisher(): ReturnType<typeof createStreamPublisher> {
  publish ??= createStreamPublisher({
    eventBridge: tracer.captureAWSv3Client(new EventBridgeClient({})),
    config: loadPublishConfig(),
    logger,
    count: (name, value) => countMetric(name, value),
  });
  return publish;
}

export const handler = instrumentHandler(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> =>
  publisher()(event.Records),
);
