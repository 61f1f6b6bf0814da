/**
 * An operator's retry, as the record and its event carry it: how each retryable record is re-run, the
 * `retry` field it gains, and the event built from the retried record (valid against the schema, with
 * an event id of its own).
 */
import { describe, expect, it } from 'vitest';
import { isRetryable, nextRetry, retryModeOf } from '../../../infra/ops/reopen-record.ts';
import { buildUploadEvent } from '../../../shared/events/build.ts';
import { detailValidator } from '../../support/event-schema.ts';
import { finalRecord } from '../../support/factories.ts';

const validate = detailValidator();

describe('retry of a record', () => {
  it('re-checks a TimedOut file the library holds, and uploads everything else again', () => {
    const timedOut = finalRecord('TimedOut', { libraryFileId: '42' });
    const rejected = finalRecord('Rejected', { libraryFileId: undefined });
    const failed = finalRecord('Failed', { libraryFileId: '43' });
    for (const record of [timedOut, rejected, failed]) expect(isRetryable(record)).toBe(true);
    if (!isRetryable(timedOut) || !isRetryable(rejected) || !isRetryable(failed)) throw new Error('unreachable');
    expect(retryModeOf(timedOut)).toBe('recheck');
    expect(retryModeOf(rejected)).toBe('reupload');
    expect(retryModeOf(failed)).toBe('reupload');
    expect(isRetryable(finalRecord('Active'))).toBe(false);
    expect(isRetryable(finalRecord('VirusFound'))).toBe(false);
  });

  it('counts retries and remembers the outcome it replaces', () => {
    const record = finalRecord('TimedOut', {
      errorKey: 'timed-out',
      retry: { count: 1, previous: { status: 'Failed' } },
    });
    if (!isRetryable(record)) throw new Error('unreachable');
    expect(nextRetry(record)).toEqual({
      count: 2,
      previous: { status: 'TimedOut', errorKey: 'timed-out', finalAt: record.transitions.TimedOut },
    });
  });
});

describe('the event of a retried record', () => {
  it('carries detail.retry, validates, and has an event id apart from the first outcome', () => {
    // Arrange
    const first = finalRecord('Failed');
    const retried = finalRecord('Failed', {
      retry: {
        count: 1,
        previous: { status: 'Failed', errorKey: 'library.processing_failed', finalAt: '2026-03-02T10:00:42.500Z' },
      },
    });
    // Act
    const before = buildUploadEvent(first, { stage: 'dev' }).detail;
    const after = buildUploadEvent(retried, { stage: 'dev' }).detail;
    // Assess
    expect(before.retry).toBeUndefined();
    expect(after.retry).toEqual(retried.retry);
    expect(after.eventId).not.toBe(before.eventId);
    expect(buildUploadEvent(retried, { stage: 'dev' }).detail.eventId).toBe(after.eventId);
    expect(validate(after)).toMatchObject({ valid: true });
    expect(validate({ ...after, retry: { count: 0, previous: { status: 'Active' } } }).valid).toBe(false);
  });
});
