import { describe, expect, it } from 'vitest';
import {
  DETAIL_TYPES,
  EVENT_SOURCE,
  NotFinalRecordError,
  buildUploadEvent,
  eventIdFor,
  uuidV5,
} from '../../../shared/events/index.ts';
import { detailValidator } from '../../support/event-schema.ts';
import { ALL_FINAL_STATUSES, NON_FINAL_STATUSES, finalRecord, submittedRecord } from '../../support/factories.ts';

const validate = detailValidator();

describe('buildUploadEvent', () => {
  it.each(ALL_FINAL_STATUSES)('builds a %s event that the v1 JSON Schema accepts', (status) => {
    // Prepare
    const record = finalRecord(status);

    // Act
    const event = buildUploadEvent(record, { stage: 'dev' });

    // Assess
    const result = validate(event.detail);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    expect(event.source).toBe(EVENT_SOURCE);
    expect(event.detail.status).toBe(status);
    expect(event.detail.stage).toBe('dev');
    expect(event.time.toISOString()).toBe(event.detail.timings.finalAt);
  });

  it.each([
    ['Active', DETAIL_TYPES.uploaded],
    ['VirusFound', DETAIL_TYPES.failed],
    ['Failed', DETAIL_TYPES.failed],
    ['Deleted', DETAIL_TYPES.failed],
    ['TimedOut', DETAIL_TYPES.failed],
    ['Rejected', DETAIL_TYPES.rejected],
  ] as const)('gives a %s outcome the detail-type "%s"', (status, detailType) => {
    // Act
    const event = buildUploadEvent(finalRecord(status), { stage: 'dev' });

    // Assess
    expect(event.detailType).toBe(detailType);
  });

  it('describes an enriched Active file with its hosted URL, thumbnail, size and timings', () => {
    // Act
    const { detail } = buildUploadEvent(finalRecord('Active'), { stage: 'prod' });

    // Assess
    expect(detail).toEqual({
      version: '1',
      eventId: eventIdFor(finalRecord('Active').objectId, 'Active'),
      stage: 'prod',
      objectId:
        's3://library-upload-prod-uploads/uploads/Events/2026/team photo.png#v=3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY',
      object: {
        bucket: 'library-upload-prod-uploads',
        key: 'uploads/Events/2026/team photo.png',
        versionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY',
        eTag: '9b2cf535f27731c974343645a3985328',
        size: 48_213,
      },
      status: 'Active',
      libraryFileId: '1873',
      folderId: '12',
      folderPath: 'Events/2026',
      fileName: 'team photo.png',
      fileType: 'PNG',
      file: {
        url: 'https://files.example.test/library/team_photo.png',
        thumbnailUrl: 'https://files.example.test/library/thumbs/team_photo.png',
        width: 1024,
        height: 768,
        size: 48_213,
      },
      timings: {
        receivedAt: '2026-03-02T10:00:00.000Z',
        submittedAt: '2026-03-02T10:00:01.250Z',
        finalAt: '2026-03-02T10:00:42.500Z',
        secondsToFinal: 42.5,
      },
      attempts: 1,
    });
  });

  it('leaves `file` out of an Active event when the record was not enriched', () => {
    // Prepare
    const record = finalRecord('Active', {
      url: undefined,
      thumbnailUrl: undefined,
      width: undefined,
      height: undefined,
    });

    // Act
    const { detail } = buildUploadEvent(record, { stage: 'dev' });

    // Assess
    expect(detail).not.toHaveProperty('file');
    expect(validate(detail).valid).toBe(true);
  });

  it('carries the recorded error key and message as the reason of a failed file', () => {
    // Act
    const { detail } = buildUploadEvent(finalRecord('Failed'), { stage: 'dev' });

    // Assess
    expect(detail).toMatchObject({
      reason: {
        errorKey: 'library-failed',
        message: 'The library could not process the file (Thumbnail generation failed).',
      },
    });
    expect(detail).not.toHaveProperty('file');
  });

  it('falls back to a reason per status when the record holds none', () => {
    // Prepare
    const record = finalRecord('Deleted', { errorKey: undefined, errorMessage: undefined });

    // Act
    const { detail } = buildUploadEvent(record, { stage: 'dev' });

    // Assess
    expect(detail).toMatchObject({ reason: { errorKey: 'deleted' } });
    expect(validate(detail).valid).toBe(true);
  });

  it('describes a file rejected before upload without library id or submission time', () => {
    // Act
    const { detail } = buildUploadEvent(finalRecord('Rejected'), { stage: 'dev' });

    // Assess
    expect(detail).toMatchObject({
      status: 'Rejected',
      fileName: 'notes.txt',
      fileType: 'TXT',
      attempts: 0,
      reason: { errorKey: 'unsupported-type', message: '"notes.txt" is not a type the library accepts.' },
      timings: { receivedAt: '2026-03-02T10:00:00.000Z', finalAt: '2026-03-02T10:00:00.200Z', secondsToFinal: 0.2 },
    });
    expect(detail).not.toHaveProperty('libraryFileId');
    expect(detail.timings).not.toHaveProperty('submittedAt');
  });

  it('derives the file name and type from the key when a rejected record has neither', () => {
    // Prepare
    const record = finalRecord('Rejected', { key: 'drop/archive.tar.gz', fileName: undefined, fileType: undefined });

    // Act
    const { detail } = buildUploadEvent(record, { stage: 'dev' });

    // Assess
    expect(detail.fileName).toBe('archive.tar.gz');
    expect(detail.fileType).toBe('GZ');
    expect(validate(detail).valid).toBe(true);
  });

  it('never carries credentials that slipped into an error message', () => {
    // Prepare
    const record = finalRecord('Failed', {
      errorMessage:
        'GET https://api.example.test/v2/library/files/1873?api_key=k-123456 failed; Authorization: Bearer tok-abcdef',
    });

    // Act
    const { detail } = buildUploadEvent(record, { stage: 'dev' });

    // Assess
    const text = JSON.stringify(detail);
    expect(text).not.toContain('k-123456');
    expect(text).not.toContain('tok-abcdef');
    expect(detail).toMatchObject({ reason: { message: expect.stringContaining('api_key=***') } });
  });

  it('gives the same event for the same record every time (safe to publish twice)', () => {
    // Act
    const first = buildUploadEvent(finalRecord('VirusFound'), { stage: 'dev' });
    const second = buildUploadEvent(finalRecord('VirusFound', { polls: 9 }), { stage: 'dev' });

    // Assess
    expect(second).toEqual(first);
  });

  it.each(NON_FINAL_STATUSES)('refuses to build an event for a %s record', (status) => {
    // Prepare
    const record = submittedRecord({ status });

    // Act / Assess
    expect(() => buildUploadEvent(record, { stage: 'dev' })).toThrow(NotFinalRecordError);
  });
});

describe('eventIdFor', () => {
  it('is a version 5 UUID, stable for one outcome and distinct across statuses and objects', () => {
    // Act
    const id = eventIdFor('bucket|key|v1', 'Active');

    // Assess
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(eventIdFor('bucket|key|v1', 'Active')).toBe(id);
    expect(eventIdFor('bucket|key|v1', 'Failed')).not.toBe(id);
    expect(eventIdFor('bucket|key|v2', 'Active')).not.toBe(id);
  });

  it('computes UUID v5 as RFC 9562 specifies (the DNS namespace test vector)', () => {
    // Act / Assess
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });
});

describe('the v1 JSON Schema', () => {
  it('refuses an Active event that carries a reason', () => {
    // Prepare
    const { detail } = buildUploadEvent(finalRecord('Active'), { stage: 'dev' });

    // Act
    const result = validate({ ...detail, reason: { errorKey: 'x', message: 'y' } });

    // Assess
    expect(result.valid).toBe(false);
  });

  it('refuses a failure event without a reason, or with a hosted file', () => {
    // Prepare
    const { detail } = buildUploadEvent(finalRecord('VirusFound'), { stage: 'dev' });
    const { reason: _reason, ...withoutReason } = detail as typeof detail & { reason: unknown };

    // Act / Assess
    expect(validate(withoutReason).valid).toBe(false);
    expect(validate({ ...detail, file: { url: 'https://files.example.test/x.png' } }).valid).toBe(false);
  });

  it('refuses properties it does not define', () => {
    // Prepare
    const { detail } = buildUploadEvent(finalRecord('Active'), { stage: 'dev' });

    // Act / Assess
    expect(validate({ ...detail, apiKey: 'secret' }).valid).toBe(false);
  });
});
