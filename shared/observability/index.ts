/**
 * Observability for every function: one Powertools Logger, Metrics and Tracer per process, configured
 * by Powertools' environment variables; every log line passes through `logReplacer`, which redacts
 * credentials. Why one instance per process: docs/pipeline.md, "Observability".
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricUnit as MetricUnitType } from '@aws-lambda-powertools/metrics/types';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import { METRIC } from './metric-names.ts';
import type { MetricName } from './metric-names.ts';
import { logReplacer } from './redact.ts';
import { createRequestReporter } from './request-reporter.ts';
import { createUploadLogger } from './upload-context.ts';
import type { UploadLogRef } from './upload-context.ts';

export { METRIC, METRIC_DIMENSION } from './metric-names.ts';
export type { MetricName } from './metric-names.ts';
export { REDACTED, isSensitiveKey, logReplacer, redactText, toLogSafe } from './redact.ts';
export { createRequestReporter } from './request-reporter.ts';
export type { RequestReporterDependencies } from './request-reporter.ts';
export { createUploadLogger, uploadLogKeys } from './upload-context.ts';
export type { UploadLogKeys, UploadLogRef } from './upload-context.ts';

/** CloudWatch namespace used when `POWERTOOLS_METRICS_NAMESPACE` is not set. */
export const DEFAULT_METRICS_NAMESPACE = 'LibraryUploadPipeline';

/**
 * Service name when `POWERTOOLS_SERVICE_NAME` is not set (local mode, tests): without it Powertools
 * writes `service_undefined` into every log line and into the metrics' `service` dimension.
 */
export const DEFAULT_SERVICE_NAME = 'library-upload';
const serviceName = process.env['POWERTOOLS_SERVICE_NAME'] || DEFAULT_SERVICE_NAME;

/** The process's logger. Service name from `POWERTOOLS_SERVICE_NAME`. */
export const logger: Logger = new Logger({ serviceName, jsonReplacerFn: logReplacer });

/** The process's metrics (CloudWatch EMF). Flushed by `instrumentHandler` at the end of each invocation. */
export const metrics: Metrics = new Metrics({
  serviceName,
  namespace: process.env['POWERTOOLS_METRICS_NAMESPACE'] ?? DEFAULT_METRICS_NAMESPACE,
});

/** The process's tracer (X-Ray). Wrap AWS SDK clients with `tracer.captureAWSv3Client(client)`. */
export const tracer: Tracer = new Tracer({ serviceName });

/**
 * The library client's `onRequest` hook, wired to the singletons: counts `ApiRequests` by operation and
 * logs the (redacted) URL at debug level.
 */
export const reportLibraryRequest = createRequestReporter({ logger, metrics });

/**
 * A logger for one upload: every line carries `objectKey`, `versionId`, `libraryFileId` (when known),
 * plus `objectId`, `bucket`, `eTag`. Safe when the records of a batch are handled concurrently.
 */
export function withUploadContext(ref: UploadLogRef): Logger {
  return createUploadLogger(logger, ref);
}

/**
 * Adds a count (or any value) to the invocation's metrics.
 *
 * Without dimensions the value is buffered and flushed with the others at the end of the invocation.
 * With dimensions (e.g. `{ status: 'Active' }`) it is emitted at once as a single metric, because EMF
 * gives every metric of one blob the same dimensions.
 */
export function countMetric(
  name: MetricName,
  value = 1,
  dimensions?: Readonly<Record<string, string>>,
  unit: MetricUnitType = name === METRIC.TimeToFinal ? MetricUnit.Milliseconds : MetricUnit.Count,
): void {
  if (dimensions === undefined || Object.keys(dimensions).length === 0) {
    metrics.addMetric(name, unit, value);
    return;
  }
  const single = metrics.singleMetric();
  single.addDimensions({ ...dimensions });
  single.addMetric(name, unit, value);
}

/**
 * Wraps a Lambda handler with what Powertools' middlewares would do (we do not ship Middy): the Lambda
 * context on every log line, the cold-start metric and annotation, a `## handler` X-Ray subsegment, an
 * error log for an escaping error, and, always, flushing the buffered metrics and clearing appended keys.
 */
export function instrumentHandler<TEvent, TResult>(
  handler: (event: TEvent, context: Context) => Promise<TResult>,
): (event: TEvent, context: Context) => Promise<TResult> {
  return async (event, context) => {
    logger.addContext(context);
    metrics.captureColdStartMetric(context.functionName);
    const segment = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
    const subsegment = segment?.addNewSubsegment('## handler');
    if (subsegment) {
      tracer.setSegment(subsegment);
      tracer.annotateColdStart();
      tracer.addServiceNameAnnotation();
    }
    try {
      return await handler(event, context);
    } catch (error) {
      logger.error('Invocation failed', error as Error);
      if (subsegment) tracer.addErrorAsMetadata(error as Error);
      throw error;
    } finally {
      if (subsegment && segment) {
        subsegment.close();
        tracer.setSegment(segment);
      }
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      logger.resetKeys();
    }
  };
}
