import { describe, expect, it } from 'vitest';
import { ingestRetryMessage, parseIngestMessage, type IngestTask } from '../../../shared/ingest/ingest-message.ts';
import { buildS3Notification } from '../../../shared/s3/notification.ts';
import { asciiJson } from '../../../shared/runtime/queue-sender.ts';

describe('parseIngestMessage', () => {
  it('turns every ObjectCreated record of a notification into a task, skipping folder markers', () => {
    // Prepare
    const body = JSON.stringify(
      buildS3Notification([
        { bucket: 'b', key: 'incoming/a b.png', encodedKey: 'incoming/a+b.png', eTag: 'e1', size: 3 },
        { bucket: 'b', key: 'incoming/dir/', encodedKey: 'incoming/dir/', size: 0 },
      ]),
    );
    // Act
    const parsed = parseIngestMessage(body);
    // Assess
    expect(parsed).toMatchObject({
      kind: 'tasks',
      tasks: [
        {
          object: { bucket: 'b', key: 'incoming/a b.png', eTag: 'e1', size: 3 },
          retries: 0,
          waits: 0,
          keyDecodedExactly: true,
        },
      ],
      skipped: [{ reason: 'folder-marker', key: 'incoming/dir/' }],
    });
  });

  it('reads back its own retry copy, counters included, even written as ASCII JSON', () => {
    // Prepare
    const task: IngestTask = {
      action: 'upload',
      object: { bucket: 'b', key: 'incoming/日本 😀.png', eTag: 'e' },
      retries: 1,
      waits: 0,
      keyDecodedExactly: true,
    };
    const body = asciiJson(ingestRetryMessage(task, { retries: 2, waits: 3 }, 'transient'));
    // Act
    const parsed = parseIngestMessage(body);
    // Assess
    expect(body).toMatch(/^[\x20-\x7e]*$/);
    expect(parsed).toEqual({ kind: 'tasks', tasks: [{ ...task, retries: 2, waits: 3 }], skipped: [] });
  });

  it.each(['', 'nope', '{"type":"ingest-retry","version":1}', '{"Records":[{}]}', '[]'])(
    'calls %j malformed',
    (body) => {
      expect(parseIngestMessage(body).kind).toBe('malformed');
    },
  );

  it('recognises the S3 test event', () => {
    expect(parseIngestMessage('{"Service":"Amazon S3","Event":"s3:TestEvent"}')).toEqual({ kind: 'test-event' });
  });
});
