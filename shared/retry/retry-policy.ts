/**
 * What to do with a message whose work failed, for ingest and poll. Limits and credentials are never
 * the file's fault: such work is put back as a fresh delayed copy, which never counts towards the DLQ.
 * Transient faults are re-sent a few times with backoff, then failed for SQS's redrive policy; anything
 * else fails at once. The table per cause is in docs/pipeline.md, "Limits, credentials and faults".
 */
import { LibraryError, LibraryThrottledError, LibraryUnauthorizedError } from '../library/errors.ts';
import { delayUntilSeconds, retryDelaySeconds, throttleDelaySeconds, type RetrySchedule } from './backoff.ts';

/** Why work failed, as far as the retry policy cares. */
export type FailureCause =
  'throttled-second' | 'throttled-day' | 'unauthorized' | 'credentials-missing' | 'transient' | 'permanent';

/** How transient failures are retried and credential problems waited out. */
export interface RetryPolicy extends RetrySchedule {
  /** Re-sends after transient failures before the item is failed (and left to SQS's redrive policy). */
  maxRetries: number;
  /** Delay after a 401 or an unusable secret, while someone fixes the credentials. */
  unauthorizedDelaySeconds: number;
}

/** The deployed retry policy. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseSeconds: 5,
  maxSeconds: 300,
  maxRetries: 4,
  unauthorizedDelaySeconds: 300,
};

/** What to do with the message whose work failed. */
export type Disposition =
  /** Put a copy back with this delay; `retries` is the copy's new transient-retry count. */
  | { action: 'resend'; cause: FailureCause; delaySeconds: number; retries: number }
  /** Fail the batch item: SQS redelivers it, and its redrive policy may move it to the DLQ. */
  | { action: 'fail'; cause: FailureCause };

/** Names instead of `instanceof` for errors from modules that may be bundled twice. */
const isNamed = (error: unknown, name: string): boolean => error instanceof Error && error.name === name;

/** The cause of a failure, by error type or name. */
export function classifyFailure(error: unknown): FailureCause {
  if (error instanceof LibraryThrottledError) return error.scope === 'day' ? 'throttled-day' : 'throttled-second';
  if (isNamed(error, 'DailyQuotaExhaustedError')) return 'throttled-day';
  if (isNamed(error, 'RateLimitWaitTimeoutError')) return 'throttled-second';
  if (error instanceof LibraryUnauthorizedError || isNamed(error, 'CredentialsOnHoldError')) return 'unauthorized';
  if (isNamed(error, 'MissingLibraryCredentialsError')) return 'credentials-missing';
  if (error instanceof LibraryError) return error.retryable ? 'transient' : 'permanent';
  if (isTransientAwsError(error)) return 'transient';
  return 'permanent';
}

/** Put back (with which delay and counter) or fail, for an error after `retriesDone` transient retries. */
export function decideDisposition(
  error: unknown,
  retriesDone: number,
  policy: RetryPolicy,
  nowMs: number,
  random: () => number = Math.random,
): Disposition {
  const cause = classifyFailure(error);
  switch (cause) {
    case 'throttled-second': {
      const hintMs = (error as { retryAfterMs?: unknown }).retryAfterMs;
      const delaySeconds =
        typeof hintMs === 'number' && hintMs > 0
          ? Math.min(900, Math.max(1, Math.ceil(hintMs / 1000)))
          : throttleDelaySeconds(random);
      return { action: 'resend', cause, delaySeconds, retries: retriesDone };
    }
    case 'throttled-day': {
      const resetsAt = (error as { resetsAt?: unknown }).resetsAt;
      const delaySeconds = resetsAt instanceof Date ? delayUntilSeconds(resetsAt.getTime(), nowMs) : 900;
      return { action: 'resend', cause, delaySeconds, retries: retriesDone };
    }
    case 'unauthorized':
    case 'credentials-missing':
      return { action: 'resend', cause, delaySeconds: policy.unauthorizedDelaySeconds, retries: retriesDone };
    case 'transient':
      if (retriesDone >= policy.maxRetries) return { action: 'fail', cause };
      return {
        action: 'resend',
        cause,
        delaySeconds: retryDelaySeconds(policy, retriesDone, random),
        retries: retriesDone + 1,
      };
    case 'permanent':
      return { action: 'fail', cause };
  }
}

/** AWS SDK errors worth retrying: throttling, 5xx, and network-level failures. */
function isTransientAwsError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const meta = (error as { $metadata?: { httpStatusCode?: number }; $retryable?: unknown }).$metadata;
  if ((error as { $retryable?: unknown }).$retryable) return true;
  if (meta?.httpStatusCode !== undefined && meta.httpStatusCode >= 500) return true;
  if (
    [
      'ThrottlingException',
      'ProvisionedThroughputExceededException',
      'RequestLimitExceeded',
      'SlowDown',
      'TimeoutError',
    ].includes(error.name)
  ) {
    return true;
  }
  const code = (error as { code?: unknown }).code;
  return (
    typeof code === 'string' &&
    ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET'].includes(code)
  );
}
