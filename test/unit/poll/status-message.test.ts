import { describe, expect, it } from 'vitest';
import { firstStatusCheck, parseStatusCheckMessage } from '../../../shared/poll/status-message.ts';
import type { UploadRecord } from '../../../shared/record/upload-record.ts';

const record: UploadRecord = {
  objectId: 's3://b/k.png#etag=e',
  bucket: 'b',
  key: 'k.png',
  eTag: 'e',
  status: 'Submitted',
  statusRank: 1,
  libraryFileId: '42',
  attempts: 1,
  transitions: { Received: '2026-03-01T10:00:00.000Z', Submitted: '2026-03-01T10:00:05.000Z' },
  createdAt: '2026-03-01T10:00:00.000Z',
  updatedAt: '2026-03-01T10:00:05.000Z',
};

describe('status check message', () => {
  it('is built from a Submitted record with zeroed counters', () => {
    expect(firstStatusCheck(record)).toEqual({
      type: 'status-check',
      version: 1,
      objectId: record.objectId,
      libraryFileId: '42',
      bucket: 'b',
      key: 'k.png',
      eTag: 'e',
      submittedAt: '2026-03-01T10:00:05.000Z',
      receivedAt: '2026-03-01T10:00:00.000Z',
      checks: 0,
      missing: 0,
      retries: 0,
      waits: 0,
    });
  });

  it('round-trips through JSON', () => {
    const message = firstStatusCheck(record);
    expect(parseStatusCheckMessage(JSON.stringify(message))).toEqual({ ok: true, message });
  });

  it('refuses a record without a library file id', () => {
    expect(() => firstStatusCheck({ ...record, libraryFileId: undefined } as UploadRecord)).toThrow(
      /no library file id/,
    );
  });

  it.each(['x', '{}', '{"type":"status-check","version":2}'])('calls %j malformed', (body) => {
    expect(parseStatusCheckMessage(body).ok).toBe(false);
  });
});
