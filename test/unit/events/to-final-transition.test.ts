import { describe, expect, it } from 'vitest';
import { InvalidStreamRecordError, toFinalTransition } from '../../../shared/events/index.ts';
import { STATUS_RANK } from '../../../shared/record/upload-record.ts';
import {
  ALL_FINAL_STATUSES,
  NON_FINAL_STATUSES,
  enteringFinal,
  finalRecord,
  streamRecord,
  submittedRecord,
} from '../../support/factories.ts';

describe('toFinalTransition', () => {
  it.each(ALL_FINAL_STATUSES)('returns the new image when the record enters %s', (status) => {
    // Prepare
    const record = enteringFinal(status);

    // Act
    const transition = toFinalTransition(record);

    // Assess
    expect(transition).toEqual(finalRecord(status));
  });

  it('returns a record inserted directly in a final state (Rejected at once, no old image)', () => {
    // Prepare
    const record = streamRecord({ newImage: finalRecord('Rejected'), eventName: 'INSERT' });

    // Act
    const transition = toFinalTransition(record);

    // Assess
    expect(transition?.status).toBe('Rejected');
  });

  it.each(NON_FINAL_STATUSES)('returns nothing for a move to %s', (status) => {
    // Prepare
    const record = streamRecord({
      oldImage: submittedRecord({ status: 'Received', statusRank: 0 }),
      newImage: submittedRecord({ status, statusRank: STATUS_RANK[status] }),
    });

    // Act / Assess
    expect(toFinalTransition(record)).toBeUndefined();
  });

  it('returns nothing when an already final record is written again (re-delivery, TTL set later)', () => {
    // Prepare
    const record = streamRecord({
      oldImage: finalRecord('Active'),
      newImage: finalRecord('Active', { expiresAt: 1_800_000_000 }),
    });

    // Act / Assess
    expect(toFinalTransition(record)).toBeUndefined();
  });

  it('returns nothing when a final record is removed', () => {
    // Prepare
    const record = streamRecord({ oldImage: finalRecord('Active'), eventName: 'REMOVE' });

    // Act / Assess
    expect(toFinalTransition(record)).toBeUndefined();
  });

  it('reads numeric library ids and fills the rank and timestamps when the item lacks them', () => {
    // Prepare
    const { statusRank: _rank, createdAt: _created, updatedAt: _updated, ...image } = finalRecord('Failed');
    const record = streamRecord({ newImage: { ...image, libraryFileId: 1873 }, oldImage: submittedRecord() });

    // Act
    const transition = toFinalTransition(record);

    // Assess
    expect(transition).toMatchObject({
      libraryFileId: '1873',
      statusRank: 9,
      createdAt: '2026-03-02T10:00:00.000Z',
      updatedAt: '2026-03-02T10:00:42.500Z',
    });
  });

  it('throws InvalidStreamRecordError for a final image without its object identity', () => {
    // Prepare
    const { bucket: _bucket, ...image } = finalRecord('Active');
    const record = streamRecord({ newImage: image, oldImage: submittedRecord() });

    // Act / Assess
    expect(() => toFinalTransition(record)).toThrow(InvalidStreamRecordError);
    expect(() => toFinalTransition(record)).toThrow(/bucket/);
  });
});
