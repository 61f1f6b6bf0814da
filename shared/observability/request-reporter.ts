/**
 * The library client's `onRequest` hook: counts every HTTP request to the API by operation and logs it
 * at debug level. The client already redacts the URL; it is redacted again here because a reporter must
 * never be the place a credential leaks from.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RequestReport } from '../library/types.ts';
import { METRIC, METRIC_DIMENSION } from './metric-names.ts';
import { redactText } from './redact.ts';

/** Where library requests are counted and logged. */
export interface RequestReporterDependencies {
  logger: Logger;
  metrics: Metrics;
}

/**
 * Builds the reporter. `ApiRequests` is emitted at once as a single metric with the `operation`
 * dimension (EMF gives all metrics of one blob the same dimensions, so a per-operation count cannot share
 * the invocation's buffered blob). At 4 requests per second at most, that is at most 4 EMF lines a second.
 */
export function createRequestReporter(deps: RequestReporterDependencies): (report: RequestReport) => void {
  return (report) => {
    const single = deps.metrics.singleMetric();
    single.addDimension(METRIC_DIMENSION.operation, report.operation);
    single.addMetric(METRIC.ApiRequests, MetricUnit.Count, 1);
    deps.logger.debug('Library API request', {
      operation: report.operation,
      method: report.method,
      url: redactText(report.url),
      status: report.status,
      durationMs: report.durationMs,
      ...(report.error === undefined ? {} : { error: redactText(report.error) }),
    });
  };
}
