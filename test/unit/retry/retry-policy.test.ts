import { describe, expect, it } from 'vitest';
import {
  LibraryForbiddenError,
  LibraryNetworkError,
  LibraryProtocolError,
  LibraryServerError,
  LibrarySourceError,
  LibraryThrottledError,
  LibraryUnauthorizedError,
  LibraryValidationError,
} from '../../../shared/library/errors.ts';
import { DailyQuotaExhaustedError, RateLimitWaitTimeoutError } from '../../../shared/rate-limit/index.ts';
import { MissingLibraryCredentialsError } from '../../../shared/secrets/library-credentials.ts';
import { classifyFailure, decideDisposition, DEFAULT_RETRY_POLICY } from '../../../shared/retry/retry-policy.ts';

const op = { operation: 'uploadFile' as const };
const policy = { ...DEFAULT_RETRY_POLICY, maxRetries: 2 };
const NOW = Date.parse('2026-03-01T23:50:00Z');

describe('classifyFailure', () => {
  it.each([
    [new LibraryThrottledError('x', { ...op, status: 403, scope: 'second' }), 'throttled-second'],
    [new LibraryThrottledError('x', { ...op, status: 403, scope: 'day' }), 'throttled-day'],
    [new DailyQuotaExhaustedError({ resetsAt: new Date(NOW + 600_000), used: 10, limit: 10 }), 'throttled-day'],
    [new RateLimitWaitTimeoutError({ maxWaitMs: 10_000, retryAfterMs: 12_000 }), 'throttled-second'],
    [new LibraryUnauthorizedError('x', { ...op, status: 401 }), 'unauthorized'],
    [new MissingLibraryCredentialsError('s', 'placeholder', ['apiKey']), 'credentials-missing'],
    [new LibraryServerError('x', { ...op, status: 503 }), 'transient'],
    [new LibraryNetworkError('x', { ...op, mayHaveReachedServer: true }), 'transient'],
    [new LibrarySourceError('x', op), 'transient'],
    [Object.assign(new Error('s3 down'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } }), 'transient'],
    [new LibraryForbiddenError('x', { ...op, status: 403 }), 'permanent'],
    [new LibraryProtocolError('x', { ...op, status: 200 }), 'permanent'],
    [new LibraryValidationError('x', { ...op, status: 400 }), 'permanent'],
    [new TypeError('bug'), 'permanent'],
  ])('%s → %s', (error, cause) => {
    expect(classifyFailure(error)).toBe(cause);
  });
});

describe('decideDisposition', () => {
  it('waits out limits and credential problems without counting a retry', () => {
    // Act
    const quota = decideDisposition(
      new DailyQuotaExhaustedError({ resetsAt: new Date(NOW + 600_000), used: 1, limit: 1 }),
      2,
      policy,
      NOW,
    );
    const farQuota = decideDisposition(
      new DailyQuotaExhaustedError({ resetsAt: new Date(NOW + 86_400_000), used: 1, limit: 1 }),
      2,
      policy,
      NOW,
    );
    const qps = decideDisposition(
      new RateLimitWaitTimeoutError({ maxWaitMs: 10_000, retryAfterMs: 2500 }),
      2,
      policy,
      NOW,
    );
    const auth = decideDisposition(new LibraryUnauthorizedError('x', { ...op, status: 401 }), 2, policy, NOW);
    // Assess
    expect(quota).toEqual({ action: 'resend', cause: 'throttled-day', delaySeconds: 600, retries: 2 });
    expect(farQuota).toMatchObject({ action: 'resend', delaySeconds: 900 });
    expect(qps).toEqual({ action: 'resend', cause: 'throttled-second', delaySeconds: 3, retries: 2 });
    expect(auth).toEqual({ action: 'resend', cause: 'unauthorized', delaySeconds: 300, retries: 2 });
  });

  it('retries transient failures with backoff until maxRetries, then fails the item', () => {
    // Prepare
    const error = new LibraryServerError('x', { ...op, status: 500 });
    // Act
    const decisions = [0, 1, 2].map((retries) => decideDisposition(error, retries, policy, NOW, () => 1));
    // Assess
    expect(decisions).toEqual([
      { action: 'resend', cause: 'transient', delaySeconds: 5, retries: 1 },
      { action: 'resend', cause: 'transient', delaySeconds: 10, retries: 2 },
      { action: 'fail', cause: 'transient' },
    ]);
  });

  it('fails permanent errors at once', () => {
    expect(decideDisposition(new LibraryForbiddenError('x', { ...op, status: 403 }), 0, policy, NOW)).toEqual({
      action: 'fail',
      cause: 'permanent',
    });
  });
});
