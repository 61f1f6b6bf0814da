/**
 * The side effects of a failure's disposition, in one place for ingest and poll (as Powertools'
 * `BasePartialProcessor.failureHandler` is for its processors): the metric, the limiter's report, the
 * process's 401 hold and the line an operator looks for. What happens to the message itself (put back,
 * failed) is the caller's, and so is its line.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { LibraryUnauthorizedError } from '../library/errors.ts';
import { countMetric, METRIC } from '../observability/index.ts';
import type { Disposition } from './retry-policy.ts';

/** Where a failure is reported, and how its lines name the work that waits. */
export interface FailureReporting {
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Tells the shared limiter the API answered "over limit", so every function backs off. */
  reportThrottle: (scope: 'second' | 'day') => Promise<void>;
  /** Called after a 401 that survived the secret re-read: this process holds its requests for a while. */
  reportUnauthorized?: (() => void) | undefined;
  /** Ends each line, e.g. "the file waits in the queue". */
  waiting: string;
}

/**
 * Reports a failure that waits for a limit or for credentials; returns false, having done nothing,
 * for the causes that do not (transient and permanent faults), which the caller's own line describes.
 */
export async function reportFailure(
  error: unknown,
  disposition: Disposition,
  reporting: FailureReporting,
): Promise<boolean> {
  const { log, waiting } = reporting;
  const info = describeError(error);
  switch (disposition.cause) {
    case 'throttled-second':
    case 'throttled-day': {
      const scope = disposition.cause === 'throttled-day' ? 'day' : 'second';
      countMetric(METRIC.ApiThrottled, 1, { scope });
      // Only a 403 from the API is news to the limiter; its own refusals (no slot, quota used) are not.
      if ((error as { kind?: unknown }).kind === 'throttled')
        await reporting.reportThrottle(scope).catch(() => undefined);
      log.warn(`Library API limit reached: ${waiting}`, info);
      return true;
    }
    case 'unauthorized':
      // Not a LibraryUnauthorizedError: the hold refused the request locally, after someone else's 401.
      if (!(error instanceof LibraryUnauthorizedError)) {
        log.info(`Library requests on hold after a 401: ${waiting}`, info);
        return true;
      }
      countMetric(METRIC.ApiUnauthorized);
      reporting.reportUnauthorized?.();
      log.error(`The library API refused the credentials (401) even after re-reading the secret: ${waiting}`, info);
      return true;
    case 'credentials-missing':
      log.error(`The library credentials secret is not usable: ${waiting}`, info);
      return true;
    default:
      return false;
  }
}

/** An error's log fields: the library client's details when it has them, never its request or secret. */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const details = error as Error & {
    kind?: string;
    status?: number;
    operation?: string;
    mayHaveReachedServer?: boolean;
  };
  return {
    error: {
      name: error.name,
      message: error.message,
      kind: details.kind,
      status: details.status,
      operation: details.operation,
      mayHaveReachedServer: details.mayHaveReachedServer,
    },
  };
}
