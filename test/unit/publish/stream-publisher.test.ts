import { describe, expect, it } from 'vitest';
import type { EventBridgeClient, PutEventsCommand, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { Logger } from '@aws-lambda-powertools/logger';
import { createStreamPublisher } from '../../../shared/events/index.ts';
import { STATUS_RANK } from '../../../shared/record/upload-record.ts';
import { enteringFinal, finalRecord, streamRecord, submittedRecord } from '../../support/factories.ts';

/** EventBridge that fails, every time, the entries whose detail names one of `failingKeys`. */
function fakeEventBridge(failingKeys: string[] = []) {
  const sent: PutEventsRequestEntry[] = [];
  const client = {
    send: async (command: PutEventsCommand) => {
      const entries = command.input.Entries ?? [];
      sent.push(...entries);
      const results = entries.map((entry) => {
        const detail = JSON.parse(entry.Detail ?? '{}') as { object: { key: string } };
        return failingKeys.includes(detail.object.key)
          ? { ErrorCode: 'InternalFailure', ErrorMessage: 'injected' }
          : { EventId: 'eb-id' };
      });
      return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results, $metadata: {} };
    },
  } as unknown as Pick<EventBridgeClient, 'send'>;
  return { client, sent };
}

function publisherWith(eventBridge: Pick<EventBridgeClient, 'send'>) {
  const counts: Record<string, number> = {};
  const publish = createStreamPublisher({
    eventBridge,
    config: { stage: 'dev', eventBusName: 'uploads-dev' },
    logger: new Logger({ serviceName: 'publish-test', logLevel: 'SILENT' }),
    count: (name, value) => {
      counts[name] = (counts[name] ?? 0) + value;
    },
    publishOptions: { maxAttempts: 2, sleep: async () => undefined },
  });
  return { publish, counts };
}

describe('stream publisher', () => {
  it('publishes one event per record entering a final state and none for the others', async () => {
    // Prepare
    const eventBridge = fakeEventBridge();
    const { publish, counts } = publisherWith(eventBridge.client);
    const records = [
      enteringFinal('Active', { objectId: 'a', key: 'a.png' }),
      streamRecord({
        newImage: submittedRecord({ objectId: 'b', status: 'Processing', statusRank: STATUS_RANK.Processing }),
      }),
      enteringFinal('Rejected', { objectId: 'c', key: 'c.txt' }),
      streamRecord({
        oldImage: finalRecord('Failed', { objectId: 'd' }),
        newImage: finalRecord('Failed', { objectId: 'd' }),
      }),
    ];

    // Act
    const response = await publish(records);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(eventBridge.sent.map((e) => e.DetailType)).toEqual(['Library File Uploaded', 'Library File Rejected']);
    expect(counts).toEqual({ EventsPublished: 2 });
  });

  it('reports only the records whose events EventBridge kept refusing, by sequence number', async () => {
    // Prepare
    const eventBridge = fakeEventBridge(['b.png']);
    const { publish, counts } = publisherWith(eventBridge.client);
    const records = [
      enteringFinal('Active', { objectId: 'a', key: 'a.png' }),
      streamRecord({
        sequenceNumber: '000000000000000000777',
        newImage: finalRecord('VirusFound', { objectId: 'b', key: 'b.png' }),
        oldImage: submittedRecord({ objectId: 'b', key: 'b.png' }),
      }),
    ];

    // Act
    const response = await publish(records);

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '000000000000000000777' }] });
    expect(counts).toEqual({ EventsPublished: 1, EventsFailed: 1 });
  });

  it('publishes the same event again when the same record is delivered twice (stable eventId)', async () => {
    // Prepare
    const eventBridge = fakeEventBridge();
    const { publish } = publisherWith(eventBridge.client);
    const record = enteringFinal('Deleted');

    // Act
    await publish([record]);
    await publish([record]);

    // Assess
    const [first, second] = eventBridge.sent;
    expect(first?.Detail).toBe(second?.Detail);
  });

  it('sends one event when a batch holds the same transition twice, and reports neither record', async () => {
    // Prepare
    const eventBridge = fakeEventBridge();
    const { publish } = publisherWith(eventBridge.client);
    const twice = [enteringFinal('Active'), enteringFinal('Active')];

    // Act
    const response = await publish(twice);

    // Assess
    expect(eventBridge.sent).toHaveLength(1);
    expect(response.batchItemFailures).toEqual([]);
  });

  it('fails a final record that cannot become an event, and still publishes the rest', async () => {
    // Prepare
    const eventBridge = fakeEventBridge();
    const { publish } = publisherWith(eventBridge.client);
    const { bucket: _bucket, ...broken } = finalRecord('Active', { objectId: 'broken' });
    const records = [
      streamRecord({ sequenceNumber: '000000000000000000888', newImage: broken, oldImage: submittedRecord() }),
      enteringFinal('Failed', { objectId: 'fine' }),
    ];

    // Act
    const response = await publish(records);

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '000000000000000000888' }] });
    expect(eventBridge.sent).toHaveLength(1);
  });
});
