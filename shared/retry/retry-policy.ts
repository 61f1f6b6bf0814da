/**
 * What to do with a message whose work failed with an error. Shared by ingest and poll.
 *
 * The rule: limits and credentials are never the file's fault, so they never use up the message's
 * SQS receives (maxReceiveCount) and never send it to a DLQ. Such work is put back as a fresh copy with
 * a delay (`wait`): SQS counts receives per message, and a fresh copy starts at zero, whereas a failed
 * receive or ChangeMessageVisibility would still count towards the DLQ.
 * Transient faults (5xx, network, time-outs, a broken S3 stream) are retried by re-sending too, with
 * exponential backoff and jitter, while the copy's own `retries` counter is below `maxRetries`; after
 * that the batch item fails, SQS redelivers it after the visibility timeout, and repeated failures end
 * in the DLQ, as they should. Anything else (a real permission problem, a protocol violation, a bug)
 * fails the item at once: SQS's redrive policy decides.
 */
import { LibraryError, LibraryThrottledError, LibraryUnauthorizedError } from '../library/errors.ts';
import { delayUntilSeconds, retryDelaySeconds, throttleDelaySeconds, type RetrySchedule } from './backoff.ts';

export type FailureCause =
  'throttled-second' | 'throttled-day' | 'unauthorized' | 'credentials-missing' | 'transient' | 'permanent';

export interface RetryPolicy extends RetrySchedule {
  /** Re-sends after transient failures before the item is failed (and left to SQS's redrive policy). */
  maxRetries: number;
  /** Delay after a 401 or an unusable secret, while someone fixes the credentials. */
  unauthorizedDelaySeconds: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseSeconds: 5,
  maxSeconds: 300,
  maxRetries: 4,
  unauthorizedDelaySeconds: 300,
};

export type Disposition =
  /** Put a copy back with this delay; `retries` is the copy's new transient-retry count. */
  | { action: 'resend'; cause: FailureCause; delaySeconds: number; retries: number }
  /** Fail the batch item: SQS redelivers it, and its redrive policy may move it to the DLQ. */
  | { action: 'fail'; cause: FailureCause };

/** Names instead of `instanceof` for errors from modules that may be bundled twice. */
const isNamed = (error: unknown, name: string): boolean => error instanceof Error && error.name === name;

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
