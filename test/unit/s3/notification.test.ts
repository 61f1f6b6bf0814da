import { describe, expect, it } from 'vitest';
import { buildS3Notification, normalizeETag, parseS3Notification } from '../../../shared/s3/notification.ts';

/** A notification body copied from AWS's documentation (S3 → SQS, event version 2.1). */
const AWS_EXAMPLE = {
  Records: [
    {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-west-2',
      eventTime: '1970-01-01T00:00:00.000Z',
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: 'AIDAJDPLRKLG7UEXAMPLE' },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: {
        'x-amz-request-id': 'C3D13FE58DE4C810',
        'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD',
      },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'testConfigRule',
        bucket: {
          name: 'amzn-s3-demo-bucket',
          ownerIdentity: { principalId: 'A3NL1KOZZKExample' },
          arn: 'arn:aws:s3:::amzn-s3-demo-bucket',
        },
        object: {
          key: 'incoming/Happy+Face%281%29.jpg',
          size: 1024,
          eTag: 'd41d8cd98f00b204e9800998ecf8427e',
          versionId: '096fKKXTRTtl3on89fVO.nfljtsv6qko',
          sequencer: '0055AED6DCD90281E5',
        },
      },
    },
  ],
};

describe('parseS3Notification', () => {
  it('reads an AWS notification: decoded key, version, eTag, size, sequencer', () => {
    // Act
    const parsed = parseS3Notification(AWS_EXAMPLE);
    // Assess
    expect(parsed).toEqual({
      kind: 'records',
      entries: [
        {
          kind: 'object',
          eventName: 'ObjectCreated:Put',
          keyDecodedExactly: true,
          object: {
            bucket: 'amzn-s3-demo-bucket',
            key: 'incoming/Happy Face(1).jpg',
            versionId: '096fKKXTRTtl3on89fVO.nfljtsv6qko',
            eTag: 'd41d8cd98f00b204e9800998ecf8427e',
            size: 1024,
            sequencer: '0055AED6DCD90281E5',
          },
        },
      ],
    });
  });

  it('recognises the test event S3 sends when notifications are configured', () => {
    // Prepare
    const body = {
      Service: 'Amazon S3',
      Event: 's3:TestEvent',
      Time: '2026-01-01T00:00:00.000Z',
      Bucket: 'b',
      RequestId: 'x',
      HostId: 'y',
    };
    // Act & Assess
    expect(parseS3Notification(body)).toEqual({ kind: 'test-event' });
  });

  it('reads ObjectRemoved (deletes and delete markers) as removals of the key', () => {
    // Prepare
    const body = buildS3Notification([
      { bucket: 'b', key: 'x.png', encodedKey: 'x.png', eventName: 'ObjectRemoved:Delete', sequencer: '0A1' },
      { bucket: 'b', key: 'y.png', encodedKey: 'y.png', eventName: 'ObjectRemoved:DeleteMarkerCreated' },
    ]);
    // Act
    const parsed = parseS3Notification(body);
    // Assess
    expect(parsed.kind === 'records' && parsed.entries.map((e) => [e.kind, e.kind !== 'skip' && e.object])).toEqual([
      ['removed', { bucket: 'b', key: 'x.png', sequencer: '0A1' }],
      ['removed', { bucket: 'b', key: 'y.png', sequencer: '0066B4A3C2D1E0F000' }],
    ]);
  });

  it('skips folder markers (keys ending in /) and events other than ObjectCreated and ObjectRemoved', () => {
    // Prepare
    const body = buildS3Notification([
      { bucket: 'b', key: 'incoming/Events/', encodedKey: 'incoming/Events/', size: 0 },
      { bucket: 'b', key: 'x.png', encodedKey: 'x.png', eventName: 'ObjectRestore:Completed' },
    ]);
    // Act
    const parsed = parseS3Notification(body);
    // Assess
    expect(parsed.kind === 'records' && parsed.entries.map((e) => e.kind === 'skip' && e.reason)).toEqual([
      'folder-marker',
      'not-object-created',
    ]);
  });

  it('treats a "null" version id (suspended versioning) as no version', () => {
    // Prepare
    const body = buildS3Notification([
      { bucket: 'b', key: 'x.png', encodedKey: 'x.png', versionId: 'null', eTag: 'abc' },
    ]);
    // Act
    const parsed = parseS3Notification(body);
    // Assess
    expect(
      parsed.kind === 'records' && parsed.entries[0]?.kind === 'object' && parsed.entries[0].object.versionId,
    ).toBeUndefined();
  });

  it.each([[{}], [{ Records: [{ eventName: 'ObjectCreated:Put' }] }], [null], ['text'], [{ Records: 'nope' }]])(
    'calls %j malformed',
    (body) => {
      expect(parseS3Notification(body).kind).toBe('malformed');
    },
  );
});

describe('normalizeETag', () => {
  it.each([
    ['"abc"', 'abc'],
    ['abc', 'abc'],
    ['W/"abc-2"', 'abc-2'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeETag(input)).toBe(expected);
  });
});
