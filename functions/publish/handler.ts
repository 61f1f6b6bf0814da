/**
 * Publish function: the uploads table's stream (the outbox) → one EventBridge event per record that
 * enters a final status. Wiring only: the work is in shared/events/, its dependencies come from
 * shared/runtime/ (built on first use, once per cold start).
 *
 * Event source mapping (infra/): stream view NEW_AND_OLD_IMAGES, `ReportBatchItemFailures`,
 * bisect on error, a retry limit and an on-failure destination. Environment: STAGE, EVENT_BUS_NAME.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { instrumentHandler } from '../../shared/observability/index.ts';
import { buildStreamPublisher, type StreamPublisher } from '../../shared/runtime/publish-dependencies.ts';

// Built by the first invocation, not at import, so a bad environment is reported by the invocation.
let publisher: StreamPublisher | undefined;

/** The publish Lambda handler (DynamoDB stream, partial batch responses). */
export const handler = instrumentHandler(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> =>
  (publisher ??= buildStreamPublisher())(event.Records),
);
